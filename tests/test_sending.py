"""The live test send against real servers on 127.0.0.1 (aiosmtpd, trustme, small fakes)."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import json
import ssl
import time

import pytest
from smtp_fixtures import (
    DROP,
    PASSWORD,
    RecordingHandler,
    banner_session,
    expired_cert,
    fake_smtp_server,
    free_port,
    scripted_session,
    silent_session,
)
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.session import (
    STAGES,
    build_test_message,
    client_tls_context,
    send_test_message,
    stages_for,
)

CLIENT = "client.test"


async def send(profile: Profile, password: str | None = None, **kwargs):
    kwargs.setdefault("local_hostname", CLIENT)
    return await send_test_message(profile, password, **kwargs)


def statuses(result) -> dict[str, str]:
    return {stage.name: stage.status for stage in result.stages}


def client_lines(result) -> list[str]:
    return [line for line in result.transcript if line.startswith("C: ")]


def fake_profile(port: int, **overrides) -> Profile:
    values = dict(name="fake", host="127.0.0.1", port=port, security=Security.NONE,
                  from_email="sender@example.test", timeout=3.0)
    values.update(overrides)
    return Profile(**values)


# -- success paths ---------------------------------------------------------------------------
async def test_implicit_tls_with_auth_plain_delivers(smtp_implicit_tls):
    result = await send(smtp_implicit_tls.profile(), PASSWORD, to="rcpt@example.test")

    assert result.ok, result.diagnosis
    assert result.diagnosis is None
    assert result.response == "250 2.0.0 Ok: queued as TEST1"
    # an implicit-TLS connection has no STARTTLS stage: it is not listed, not even skipped
    assert [stage.name for stage in result.stages] == [n for n in STAGES if n != "starttls"]
    assert list(stages_for(Security.TLS)) == [stage.name for stage in result.stages]
    assert statuses(result) == {name: "ok" for name in stages_for(Security.TLS)}
    assert "TLSv1" in result.stages[0].detail
    assert smtp_implicit_tls.logins == [("PLAIN", "user")]
    (envelope,) = smtp_implicit_tls.messages
    assert envelope.mail_from == "sender@example.test"
    assert envelope.rcpt_tos == ["rcpt@example.test"]
    message = email.message_from_bytes(envelope.content)
    assert message["Subject"] == "smtp-setup test message"
    assert "Test Sender" in message["From"]
    assert "Profile:    test" in message.get_payload()


async def test_starttls_upgrades_before_login(smtp_starttls):
    result = await send(smtp_starttls.profile(), PASSWORD)

    assert result.ok, result.diagnosis
    sent = client_lines(result)
    assert sent[:4] == ["C: EHLO client.test", "C: STARTTLS", "C: EHLO client.test",
                        "C: AUTH PLAIN ********"]
    # AUTH is only advertised after the upgrade, and the upgrade is in the stage detail
    starttls_at = result.transcript.index("C: STARTTLS")
    assert not any("AUTH" in line for line in result.transcript[:starttls_at])
    assert result.stages[STAGES.index("starttls")].detail.startswith("TLSv1")
    assert len(smtp_starttls.messages) == 1


async def test_auth_login_when_plain_is_not_offered(smtp_server_factory):
    server = smtp_server_factory("starttls", auth_exclude_mechanism=["PLAIN"])
    result = await send(server.profile(), PASSWORD)

    assert result.ok, result.diagnosis
    assert server.logins == [("LOGIN", "user")]
    auth_at = result.transcript.index("C: AUTH LOGIN ********")
    assert result.transcript[auth_at + 2] == "C: ********"  # the password line, after 334
    assert result.stages[STAGES.index("auth")].detail.startswith("LOGIN: 235")


async def test_plain_server_without_auth(smtp_plain):
    result = await send(smtp_plain.profile())

    assert result.ok, result.diagnosis
    assert statuses(result)["auth"] == "skip"
    assert statuses(result)["starttls"] == "skip"
    assert not any("AUTH" in line for line in client_lines(result))


async def test_login_without_encryption_only_when_security_is_none(smtp_server_factory):
    server = smtp_server_factory("plain", auth=True)
    result = await send(server.profile(), PASSWORD)

    assert result.ok, result.diagnosis
    assert server.logins == [("PLAIN", "user")]


async def test_no_certificate_checks_when_the_user_turned_them_off(smtp_implicit_tls):
    profile = smtp_implicit_tls.profile(ca_file=None, verify_certificates=False)
    result = await send(profile, PASSWORD)
    assert result.ok, result.diagnosis


async def test_international_domain_is_sent_in_idna_form(smtp_plain):
    result = await send(smtp_plain.profile(), to="user@bücher.example")
    assert result.ok, result.diagnosis
    assert smtp_plain.messages[0].rcpt_tos == ["user@xn--bcher-kva.example"]


async def test_non_ascii_mailbox_uses_smtputf8_or_explains(smtp_plain, smtp_server_factory):
    result = await send(smtp_plain.profile(), to="jörg@example.test")
    assert result.ok, result.diagnosis
    assert smtp_plain.messages[0].rcpt_tos == ["jörg@example.test"]

    server = smtp_server_factory("plain", auth=False, enable_SMTPUTF8=False)
    result = await send(server.profile(), to="jörg@example.test")
    assert result.diagnosis.code == "invalid_input"
    assert "SMTPUTF8" in result.diagnosis.explanation
    assert not server.messages


async def test_helo_fallback_for_a_server_without_esmtp():
    session = scripted_session({"EHLO": "502 5.5.2 what?", "HELO": "250 old.test"})
    async with fake_smtp_server(session) as port:
        result = await send(fake_profile(port))
    assert result.ok, result.diagnosis
    assert "C: HELO client.test" in result.transcript


async def test_server_hanging_up_instead_of_answering_quit_is_still_a_success():
    async with fake_smtp_server(scripted_session({"QUIT": DROP})) as port:
        result = await send(fake_profile(port))
    assert result.ok
    assert statuses(result)["quit"] == "ok"


# -- authentication --------------------------------------------------------------------------
async def test_wrong_password_is_tried_once(smtp_starttls):
    result = await send(smtp_starttls.profile(), "not-the-password")

    assert not result.ok
    assert result.diagnosis.code == "auth_failed"
    assert [line for line in client_lines(result) if line.startswith("C: AUTH")] == [
        "C: AUTH PLAIN ********"]
    assert len(smtp_starttls.logins) == 1
    assert statuses(result)["auth"] == "fail"
    assert [statuses(result)[name] for name in ("mail_from", "rcpt_to", "data", "quit")] == [
        "skip"] * 4
    assert not smtp_starttls.messages


async def test_starttls_not_offered_stops_before_credentials(smtp_server_factory):
    server = smtp_server_factory("plain", auth=True)  # offers AUTH in plaintext, no STARTTLS
    result = await send(server.profile(security=Security.STARTTLS), PASSWORD)

    assert result.diagnosis.code == "starttls_not_offered"
    assert result.diagnosis.suggestion == {"port": 465, "security": "tls"}
    assert statuses(result)["starttls"] == "fail"
    assert statuses(result)["auth"] == "skip"
    assert server.logins == []
    assert not any("AUTH" in line for line in client_lines(result))


async def test_auth_not_offered(smtp_plain):
    profile = smtp_plain.profile(username="user", password=SecretRef("inline", PASSWORD))
    result = await send(profile, PASSWORD)
    assert result.diagnosis.code == "auth_not_offered"
    assert result.diagnosis.suggestion == {"port": 587, "security": "starttls"}
    assert not any("AUTH" in line for line in client_lines(result))


# -- certificates ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind, stage", [("tls", "connect"), ("starttls", "starttls")])
async def test_untrusted_certificate(smtp_server_factory, kind, stage):
    server = smtp_server_factory(kind)
    result = await send(server.profile(ca_file=None), PASSWORD)

    assert result.diagnosis.code == "certificate_untrusted"
    assert statuses(result)[stage] == "fail"
    assert statuses(result)["auth"] == "skip"
    assert "ca_file" in " ".join(result.diagnosis.next_steps)
    assert server.logins == []


@pytest.mark.parametrize("kind", ["tls", "starttls"])
async def test_expired_certificate(smtp_server_factory, smtp_ca, kind):
    server = smtp_server_factory(kind, cert=expired_cert(smtp_ca))
    result = await send(server.profile(), PASSWORD)
    assert result.diagnosis.code == "certificate_expired"
    assert "expired" in result.stages[STAGES.index("connect" if kind == "tls" else "starttls")
                                      ].detail


@pytest.mark.parametrize("kind", ["tls", "starttls"])
async def test_certificate_for_another_name(smtp_server_factory, smtp_ca, kind):
    server = smtp_server_factory(kind, cert=smtp_ca.issue_cert("mail.other.test"))
    result = await send(server.profile(), PASSWORD)

    assert result.diagnosis.code == "certificate_hostname_mismatch"
    assert "mail.other.test" in result.diagnosis.explanation
    assert result.diagnosis.suggestion == {"host": "mail.other.test"}
    assert server.logins == []


async def test_missing_ca_file_is_invalid_input(smtp_implicit_tls, tmp_path):
    result = await send(smtp_implicit_tls.profile(ca_file=str(tmp_path / "nope.pem")), PASSWORD)
    assert result.diagnosis.code == "invalid_input"
    assert "CA file" in result.diagnosis.explanation
    assert statuses(result)["connect"] == "fail"


async def test_tls_on_a_plain_only_port(smtp_plain):
    """The port offers no STARTTLS either (asked with EHLO): suggesting STARTTLS would only
    lead to the next failure. Without a login, no encryption is offered as the fix."""
    result = await send(smtp_plain.profile(security=Security.TLS))
    assert result.diagnosis.code == "tls_on_plain_port"
    assert "offers no STARTTLS" in result.diagnosis.explanation
    assert result.diagnosis.suggestion == {"security": "none"}
    assert statuses(result)["connect"] == "fail"


async def test_tls_on_a_plain_only_port_with_a_login_never_suggests_plain(smtp_plain):
    profile = smtp_plain.profile(security=Security.TLS, username="user",
                                 password=SecretRef("inline", PASSWORD))
    result = await send(profile, PASSWORD)
    assert result.diagnosis.code == "tls_on_plain_port"
    assert result.diagnosis.suggestion is None
    assert "readable" in result.diagnosis.next_steps[0]
    assert smtp_plain.logins == []


# -- connection faults -----------------------------------------------------------------------
async def test_connection_refused():
    result = await send(fake_profile(free_port()))

    assert result.diagnosis.code == "connection_refused"
    assert statuses(result) == {name: "skip" for name in STAGES} | {"connect": "fail"}
    assert [stage["name"] for stage in result.to_json()["stages"]] == ["connect"]
    assert result.transcript == []


async def test_silent_server_is_a_greeting_timeout():
    async with fake_smtp_server(silent_session) as port:
        started = time.monotonic()
        # 2 s: the last 20% goes to a TLS hello, which a loaded machine must still fit in
        result = await send(fake_profile(port, security=Security.STARTTLS, timeout=2.0))
        elapsed = time.monotonic() - started

    assert elapsed < 2.5
    assert result.diagnosis.code == "greeting_timeout"
    # Silent to plain text and to a TLS hello: the standard implicit-TLS port is the bet.
    assert result.diagnosis.suggestion == {"port": 465, "security": "tls"}
    assert statuses(result)["connect"] == "ok"
    assert statuses(result)["greeting"] == "fail"


async def test_whole_send_limit_applies_across_slow_steps():
    session = scripted_session(delay=0.3)  # every reply is slow, none past the per-step limit
    async with fake_smtp_server(session) as port:
        started = time.monotonic()
        result = await send(fake_profile(port, timeout=1.0))
        elapsed = time.monotonic() - started

    assert elapsed < 1.5
    assert result.diagnosis.code == "timeout"
    assert "1 s" in result.diagnosis.explanation
    assert list(statuses(result).values()).count("fail") == 1


async def test_busy_banner_421():
    async with fake_smtp_server(banner_session("421 4.3.2 Too busy, try later")) as port:
        result = await send(fake_profile(port))
    assert result.diagnosis.code == "server_unavailable"
    assert result.transcript == ["S: 421 4.3.2 Too busy, try later"]
    assert statuses(result)["greeting"] == "fail"


@pytest.mark.parametrize("handler, stage, code", [
    (RecordingHandler(mail_reply="553 5.7.1 <sender@example.test>: Sender address rejected"),
     "mail_from", "sender_rejected"),
    (RecordingHandler(rcpt_reply="550 5.1.1 <sender@example.test>: User unknown"),
     "rcpt_to", "recipient_rejected"),
    (RecordingHandler(data_reply="554 5.7.1 Message rejected as spam"), "data",
     "message_rejected"),
])
async def test_rejections(smtp_server_factory, handler, stage, code):
    server = smtp_server_factory("plain", auth=False, handler=handler)
    result = await send(server.profile())

    assert not result.ok
    assert result.diagnosis.code == code
    assert statuses(result)[stage] == "fail"
    assert result.stages[STAGES.index(stage)].detail.startswith("55")
    assert result.response is None


async def test_drop_after_data():
    async with fake_smtp_server(scripted_session({"BODY": DROP})) as port:
        result = await send(fake_profile(port))
    assert result.diagnosis.code == "disconnected"
    assert statuses(result)["data"] == "fail"
    assert "C: <message body," in " ".join(result.transcript)


@pytest.mark.parametrize("overrides, to, field", [
    ({"host": "smtp..example.com"}, None, "host"),
    ({}, "not an address", "recipient"),
    ({"from_email": ""}, None, "From address"),
    ({"username": "user"}, None, "password"),
])
async def test_bad_input_is_a_diagnosis_not_an_exception(overrides, to, field):
    result = await send(fake_profile(free_port(), **overrides), to=to)
    assert result.diagnosis.code == "invalid_input"
    assert field in result.diagnosis.explanation
    assert statuses(result)["connect"] == "fail"


async def test_cancellation_propagates():
    async with fake_smtp_server(silent_session) as port:
        task = asyncio.create_task(send(fake_profile(port, timeout=10.0)))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# -- what the caller sees --------------------------------------------------------------------
async def test_events_come_in_stage_order(smtp_starttls):
    events = []
    result = await send(smtp_starttls.profile(), PASSWORD, on_event=events.append)

    assert result.ok
    seen = [(e.name, e.status) for e in events]
    expected = []
    for name in STAGES:
        expected += [(name, "start"), (name, "ok")]
    assert seen == expected
    assert all(e.ms >= 0 for e in events)


async def test_events_after_a_failure_and_a_broken_callback(smtp_starttls):
    events = []

    def on_event(event):
        events.append((event.name, event.status))
        raise RuntimeError("the display broke")

    result = await send(smtp_starttls.profile(), "wrong", on_event=on_event)
    assert result.diagnosis.code == "auth_failed"
    assert events[-5:] == [("auth", "fail"), ("mail_from", "skip"), ("rcpt_to", "skip"),
                           ("data", "skip"), ("quit", "skip")]


async def test_an_implicit_tls_send_never_mentions_starttls(smtp_server_factory):
    events = []
    server = smtp_server_factory("tls")
    result = await send(server.profile(ca_file=None), PASSWORD, on_event=events.append)
    assert result.diagnosis.code == "certificate_untrusted"  # failed at connect
    assert "starttls" not in {event.name for event in events}
    assert [s.name for s in result.stages] == list(stages_for(Security.TLS))


async def test_password_never_appears(smtp_server_factory):
    secret = "Zebra-Unique-9931!"
    server = smtp_server_factory("starttls", auth_exclude_mechanism=["PLAIN"])
    failed = await send(server.profile(), secret)
    passed = await send(server.profile(), PASSWORD)
    assert failed.diagnosis.code == "auth_failed" and passed.ok

    for result, password in ((failed, secret), (passed, PASSWORD)):
        dumped = json.dumps(result.to_json()) + repr(result) + " ".join(result.transcript)
        encoded = base64.b64encode(password.encode()).decode()
        plain = base64.b64encode(f"\0user\0{password}".encode()).decode()
        for needle in (password, encoded, plain):
            assert needle not in dumped


async def test_to_json_has_the_design_shape():
    result = await send(fake_profile(free_port()))
    data = result.to_json()
    assert set(data) == {"ok", "profile", "server", "security", "stages", "response",
                         "diagnosis", "transcript"}
    assert set(data["stages"][0]) == {"name", "ok", "ms", "detail"}
    assert set(data["diagnosis"]) == {"code", "title", "explanation", "next_steps",
                                      "suggestion"}
    assert data["ok"] is False and data["security"] == "none"
    assert json.loads(json.dumps(data)) == data


# -- message and TLS settings ----------------------------------------------------------------
def test_build_test_message():
    profile = Profile(name="work", host="smtp.example.com", port=465, security=Security.TLS,
                      from_email="alerts@example.com", from_name="Zoë Alerts")
    message = build_test_message(profile, "ops@example.com")
    assert message["Subject"] == "smtp-setup test message"
    assert message["To"] == "ops@example.com"
    assert message["From"].addresses[0].display_name == "Zoë Alerts"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Date"]
    assert "smtp.example.com:465" in message.get_content()
    assert b"=?utf-8?" in message.as_bytes(policy=email.policy.SMTP)


@pytest.mark.parametrize("field", ["from_name", "to"])
def test_header_values_cannot_carry_line_breaks(field):
    profile = Profile(name="work", host="h.example", from_email="a@example.com")
    to = "b@example.com"
    if field == "from_name":
        profile.from_name = "Evil\r\nBcc: victim@example.com"
    else:
        to = "b@example.com\r\nBcc: victim@example.com"
    with pytest.raises(InvalidInput):
        build_test_message(profile, to)


def test_client_tls_context(smtp_ca_file):
    default = client_tls_context(Profile(name="p"))
    assert default.verify_mode == ssl.CERT_REQUIRED and default.check_hostname
    extra = client_tls_context(Profile(name="p", ca_file=smtp_ca_file))
    assert extra.cert_store_stats()["x509_ca"] == default.cert_store_stats()["x509_ca"] + 1
    off = client_tls_context(Profile(name="p", verify_certificates=False))
    assert off.verify_mode == ssl.CERT_NONE and not off.check_hostname
