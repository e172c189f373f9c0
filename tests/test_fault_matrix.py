"""The fault matrix: every diagnosis code, produced by a real failure on 127.0.0.1.

One row per failure: a fault server (aiosmtpd with trustme certificates, a small asyncio
server, a socket trick), the profile that meets it, and what the person must be told. Every
row checks the code, the stage that failed, the suggested settings, that the whole send
ended within its time limit, that the password appears nowhere in the JSON, and the JSON's
shape (design.md, "JSON of test").

Two failures need a network of their own: a name that does not resolve, and an address
with no route. Those rows run the send in a child process inside fresh user, network and
mount namespaces (isolated_network.py): loopback is its only interface and its DNS server
is its own, so no packet and no DNS query can leave the machine. Where namespaces are not
allowed, those rows are skipped.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from isolated_network import isolated_send
from smtp_fixtures import (
    DROP,
    STALL,
    USERNAME,
    RecordingHandler,
    banner_session,
    closing_session,
    expired_cert,
    fake_smtp_server,
    free_port,
    full_backlog_port,
    http_session,
    old_tls_port,
    scripted_session,
    silent_session,
    tls_refusing_port,
)
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.smtp.diagnosis import CODES, OAUTH_CODES
from smtp_setup.core.smtp.session import STAGES, send_test_message

# design.md, "Diagnosis codes"; CODES may add to these, never drop one.
DESIGN_CODES = {
    "dns_not_found", "connection_refused", "connection_timeout", "greeting_timeout",
    "tls_on_plain_port", "plain_on_tls_port", "starttls_not_offered", "certificate_expired",
    "certificate_untrusted", "certificate_hostname_mismatch", "tls_handshake_failed",
    "server_unavailable", "auth_not_offered", "auth_failed", "auth_requires_encryption",
    "sender_rejected", "recipient_rejected", "message_rejected", "disconnected", "timeout",
    "invalid_input",
}  # fmt: skip
SECRET = "Qx7-Fault-Matrix-Secret!"  # distinctive: found only if something leaks it
PORT = "<the fault server's port>"  # in an expected suggestion
# Profile time limits. FAST for most rows; rows that wait out a timeout use SLOW unless the
# send then asks the port what it speaks (that gets the last 20% of the limit: keep it roomy).
FAST, SLOW = 2.0, 1.0
SLACK = 0.3  # seconds past the limit still counted as within it (scheduling, teardown)
OTHER_NAMES = ("mail.other.test", "smtp.other.test")
GMAIL_534 = ("534-5.7.9 Application-specific password required. Learn more at\r\n"
             "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor")
M365_535 = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
            "for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")


class Faults:
    """What a row's setup may start; everything stops when the row ends."""

    def __init__(self, factory: Any, ca: Any, stack: AsyncExitStack) -> None:
        self.factory, self.ca, self.stack = factory, ca, stack
        self.server: Any = None  # the aiosmtpd server, for rows that check what it saw

    def aiosmtpd(self, kind: str, **kwargs: Any) -> Any:
        kwargs.setdefault("password", SECRET)
        if kwargs.get("cert") == "expired":
            kwargs["cert"] = expired_cert(self.ca)
        elif kwargs.get("cert") == "other":
            kwargs["cert"] = self.ca.issue_cert(*OTHER_NAMES)
        self.server = self.factory(kind, **kwargs)
        return self.server

    async def fake(self, session: Any, **kwargs: Any) -> int:
        return await self.stack.enter_async_context(fake_smtp_server(session, **kwargs))


Setup = Callable[[Faults], Awaitable[Profile]]


def profile(port: int = 0, **overrides: Any) -> Profile:
    values: dict[str, Any] = dict(name="matrix", host="127.0.0.1", port=port,
                                  security=Security.NONE, from_email="sender@example.test",
                                  timeout=FAST)
    values.update(overrides)
    return Profile(**values)


def login(**overrides: Any) -> dict[str, Any]:
    return {"username": USERNAME, "password": SecretRef("inline", SECRET), **overrides}


def aiosmtpd(kind: str, *, server: dict | None = None, **overrides: Any) -> Setup:
    """An aiosmtpd server of `kind` ("plain", "starttls", "tls"); the profile logs in with
    SECRET (the password the server accepts unless `server` says otherwise)."""
    async def setup(faults: Faults) -> Profile:
        made = faults.aiosmtpd(kind, **(server or {}))
        values = {"timeout": FAST, "password": SecretRef("inline", SECRET), **overrides}
        if made.username is None and "username" not in overrides:
            values["password"] = None
        return made.profile(**values)
    return setup


def fake(session: Any, **overrides: Any) -> Setup:
    """A small asyncio server running `session`; the profile does not log in by default."""
    async def setup(faults: Faults) -> Profile:
        return profile(await faults.fake(session), **overrides)
    return setup


def port_of(context_manager: Callable, *args: Any, **overrides: Any) -> Setup:
    """A socket-level fault from smtp_fixtures (full_backlog_port, tls_refusing_port)."""
    async def setup(faults: Faults) -> Profile:
        resolved = [faults.ca.issue_cert("127.0.0.1") if a == "cert" else a for a in args]
        return profile(faults.stack.enter_context(context_manager(*resolved)), **overrides)
    return setup


def nowhere(**overrides: Any) -> Setup:
    """No server at all: a refused port, or (isolated rows) a host given in overrides."""
    async def setup(faults: Faults) -> Profile:
        return profile(**{"port": free_port(), **overrides})
    return setup


# -- extra checks, each given the JSON and the Faults --------------------------------------
def no_login_attempt(data: dict, faults: Faults) -> None:
    assert not any(line.startswith("C: AUTH") for line in data["transcript"])
    assert faults.server is None or faults.server.logins == []


def one_login_attempt(data: dict, faults: Faults) -> None:
    assert [line for line in data["transcript"] if line.startswith("C: AUTH")] == [
        "C: AUTH PLAIN ********"]
    assert faults.server is None or len(faults.server.logins) == 1


def no_login_advice(data: dict, faults: Faults) -> None:
    """The login succeeded: nothing may send the person back to their credentials."""
    assert "C: AUTH PLAIN ********" in data["transcript"]
    steps = " ".join(data["diagnosis"]["next_steps"]).casefold()
    assert not any(word in steps for word in ("username", "password", "log in", "login")), steps


def says(where: str, *words: str) -> Callable[[dict, Faults], None]:
    """Each word appears in the diagnosis field `where` (title, explanation, next_steps)."""
    def check(data: dict, faults: Faults) -> None:
        text = data["diagnosis"][where]
        text = " ".join(text) if isinstance(text, list) else text
        for word in words:
            assert word in text, f"{word!r} not in {where}: {text}"
    return check


def first_step(*words: str) -> Callable[[dict, Faults], None]:
    def check(data: dict, faults: Faults) -> None:
        step = data["diagnosis"]["next_steps"][0]
        assert all(word in step for word in words), step
    return check


def both(*checks: Callable[[dict, Faults], None]) -> Callable[[dict, Faults], None]:
    def check(data: dict, faults: Faults) -> None:
        for each in checks:
            each(data, faults)
    return check


@dataclass(frozen=True)
class Row:
    id: str
    setup: Setup
    code: str
    stage: str
    suggestion: dict | None = None
    check: Callable[[dict, Faults], None] | None = None
    isolated: bool = False  # runs in a network namespace of its own (see the module doc)


def rejecting(**replies: str) -> dict:
    return {"handler": RecordingHandler(**replies)}


def auth_failed_for(provider: str, username: str, *words: str) -> Row:
    """535 from a server that accepts another password; the profile names the catalog
    provider, so the advice must be that provider's (from providers.toml)."""
    return Row(f"535_{provider}", aiosmtpd("starttls", server={"password": "another"},
                                          provider=provider, username=username),
               "auth_failed", "auth", check=both(one_login_attempt, says("next_steps", *words)))


ROWS = [
    # -- reaching the server ---------------------------------------------------------------
    Row("invalid_host", nowhere(host="smtp..example.com"), "invalid_input", "connect",
        check=says("explanation", "smtp..example.com")),
    Row("dns_not_found", nowhere(host="smtp.example.invalid", **login(security=Security.TLS)),
        "dns_not_found", "connect", check=says("explanation", "smtp.example.invalid"),
        isolated=True),
    Row("no_route", nowhere(host="192.0.2.1", port=587), "network_unreachable", "connect",
        isolated=True),
    Row("connection_refused", nowhere(), "connection_refused", "connect"),
    Row("connect_timeout", port_of(full_backlog_port, timeout=SLOW), "connection_timeout",
        "connect"),
    # -- the greeting --------------------------------------------------------------------------
    # The send then asks the port with a TLS hello in the last 20% of the limit: FAST, so a
    # loaded machine still has time for it (with SLOW the suggestion turned on the timing).
    Row("silent_after_accept", fake(silent_session, security=Security.STARTTLS, timeout=FAST),
        "greeting_timeout", "greeting", {"port": 465, "security": "tls"}),
    Row("close_at_once", fake(closing_session), "disconnected", "greeting"),
    Row("busy_421", fake(banner_session("421 4.3.2 Too many connections, try later")),
        "server_unavailable", "greeting"),
    Row("blocked_554", fake(banner_session("554 5.7.1 Service unavailable; client host "
                                           "[127.0.0.1] blocked")),
        "connection_rejected", "greeting", check=says("explanation", "554 5.7.1")),
    Row("banner_too_long", fake(banner_session("220 " + "x" * 9000)), "reply_too_long",
        "greeting", check=both(says("title", "reply was too long"), says("next_steps", "512"))),
    Row("ehlo_too_long", fake(scripted_session({"EHLO": "250 " + "x" * 9000})),
        "reply_too_long", "ehlo", check=says("title", "reply was too long")),
    Row("not_the_sandbox", aiosmtpd("plain", server={"auth_required": True},
                                    provider="sandbox", username=None, password=None),
        "not_the_sandbox", "greeting", check=both(no_login_attempt,
                                                  says("next_steps", "smtp-setup sandbox"))),
    Row("ssh_banner", fake(banner_session("SSH-2.0-OpenSSH_9.6")), "not_smtp", "greeting",
        check=says("explanation", "SSH-2.0")),
    Row("http_server", fake(http_session, security=Security.STARTTLS),
        "not_smtp", "greeting", check=says("explanation", "HTTP/1.1 400")),
    Row("plain_on_tls_port", aiosmtpd("tls", security=Security.STARTTLS),
        "plain_on_tls_port", "greeting", {"port": PORT, "security": "tls"},
        check=no_login_attempt),
    Row("tls_on_plain_port", aiosmtpd("starttls", security=Security.TLS),
        "tls_on_plain_port", "connect", {"port": PORT, "security": "starttls"},
        check=no_login_attempt),
    # -- encryption ----------------------------------------------------------------------------
    Row("starttls_not_offered", aiosmtpd("plain", security=Security.STARTTLS),
        "starttls_not_offered", "starttls", {"port": 465, "security": "tls"},
        check=no_login_attempt),
    Row("starttls_refused_454", fake(scripted_session(
        {"STARTTLS": "454 4.7.0 TLS not available due to local problem"},
        ehlo=("STARTTLS", "8BITMIME")), security=Security.STARTTLS, **login()),
        "tls_handshake_failed", "starttls", {"port": 465, "security": "tls"},
        check=both(no_login_attempt, says("title", "could not switch on encryption"),
                   says("explanation", "454 4.7.0", "switched off or broken"),
                   first_step("administrator", "TLS"), says("next_steps", "465"))),
    Row("old_tls_only_implicit", port_of(old_tls_port, "cert", security=Security.TLS,
                                         **login()),
        "tls_handshake_failed", "connect", check=both(
            no_login_attempt, says("title", "too old"), says("explanation", "TLS 1.0 or 1.1"),
            first_step("TLS 1.2 or 1.3"))),
    Row("old_tls_only_starttls", port_of(partial(old_tls_port, starttls=True), "cert",
                                         security=Security.STARTTLS, **login()),
        "tls_handshake_failed", "starttls", check=both(
            no_login_attempt, says("title", "too old"), first_step("TLS 1.2 or 1.3"))),
    Row("tls_handshake_alert", port_of(tls_refusing_port, "cert", security=Security.TLS,
                                       **login()),
        "tls_handshake_failed", "connect", check=says("explanation", "HANDSHAKE_FAILURE")),
    Row("tls_hang_up", fake(closing_session, security=Security.TLS, **login()),
        "tls_handshake_failed", "connect", check=no_login_attempt),
    Row("tls_to_silent_port", fake(silent_session, security=Security.TLS, **login()),
        "tls_handshake_failed", "connect", check=says("explanation", "never answered")),
    Row("tls_to_http_server", fake(http_session, security=Security.TLS, **login()),
        "not_smtp", "connect", check=says("explanation", "HTTP/1.1 400")),
    *(Row(f"expired_cert_{kind}", aiosmtpd(kind, server={"cert": "expired"}),
          "certificate_expired", stage, check=both(no_login_attempt,
                                                   says("explanation", "expired")))
      for kind, stage in (("tls", "connect"), ("starttls", "starttls"))),
    *(Row(f"wrong_host_cert_{kind}", aiosmtpd(kind, server={"cert": "other"}),
          "certificate_hostname_mismatch", stage, {"host": OTHER_NAMES[0]},
          check=both(no_login_attempt, says("explanation", *OTHER_NAMES)))
      for kind, stage in (("tls", "connect"), ("starttls", "starttls"))),
    *(Row(f"untrusted_ca_{kind}", aiosmtpd(kind, ca_file=None), "certificate_untrusted",
          stage, check=both(no_login_attempt, says("next_steps", "ca_file")))
      for kind, stage in (("tls", "connect"), ("starttls", "starttls"))),
    # -- logging in ----------------------------------------------------------------------------
    Row("535", aiosmtpd("starttls", server={"password": "another"}), "auth_failed", "auth",
        check=one_login_attempt),
    Row("534_gmail_app_password", aiosmtpd("tls", server={"auth_reply": GMAIL_534},
                                           provider="gmail"),
        "auth_failed", "auth", check=both(one_login_attempt, says("title", "app password"),
                                          first_step("Gmail", "App passwords"))),
    Row("535_5.7.139_microsoft365", aiosmtpd("starttls", server={"auth_reply": M365_535},
                                             provider="microsoft365"),
        "auth_failed", "auth", check=both(one_login_attempt,
                                          first_step("Microsoft 365", "Authenticated SMTP"))),
    auth_failed_for("sendgrid", "me@example.com", "exactly apikey"),
    auth_failed_for("brevo", "me@example.com", "SMTP key", "not the API key"),
    auth_failed_for("ses", "AKIAEXAMPLE", "SMTP password for this region",
                    "not your AWS secret access key", "only work in the region"),
    auth_failed_for("mailgun", "postmaster@mg.example.com",
                    "SMTP login of your Mailgun domain", "not your API key"),
    auth_failed_for("postmark", "token", "Server API token", "also goes in the password"),
    Row("530_must_starttls_first", fake(scripted_session(
        {"AUTH": "530 5.7.0 Must issue a STARTTLS command first"},
        ehlo=("STARTTLS", "AUTH PLAIN LOGIN")), **login()),
        "auth_requires_encryption", "auth", {"port": PORT, "security": "starttls"},
        check=first_step("offers STARTTLS on port")),
    Row("538_encryption_required", aiosmtpd("plain", server={"auth": True, "auth_reply": (
        "538 5.7.11 Encryption required for requested authentication mechanism")}),
        "auth_requires_encryption", "auth", {"port": 587, "security": "starttls"}),
    Row("auth_not_offered", aiosmtpd("plain", server={"auth": False}, **login()),
        "auth_not_offered", "auth", {"port": 587, "security": "starttls"},
        check=no_login_attempt),
    Row("auth_only_xoauth2", fake(scripted_session(ehlo=("AUTH XOAUTH2 OAUTHBEARER",)),
                                  **login()), "auth_not_offered", "auth",
        check=both(no_login_attempt, says("explanation", "XOAUTH2"))),
    # -- the envelope and the message ----------------------------------------------------------
    Row("sender_550", aiosmtpd("starttls", server=rejecting(
        mail_reply="550 5.7.1 Sender address rejected: not owned by user user")),
        "sender_rejected", "mail_from", check=says("explanation", "550 5.7.1")),
    Row("sender_550_sendgrid", aiosmtpd("starttls", server=rejecting(
        mail_reply="550 The from address does not match a verified Sender Identity."),
        provider="sendgrid"), "sender_rejected", "mail_from",
        check=says("next_steps", "SendGrid: Verify a single sender")),
    Row("sender_553", aiosmtpd("starttls", server=rejecting(
        mail_reply="553 5.7.1 <sender@example.test>: Sender address rejected")),
        "sender_rejected", "mail_from", check=says("explanation", "553 5.7.1")),
    Row("530_starttls_before_mail", aiosmtpd("starttls", security=Security.NONE,
                                             username=None, password=None),
        "encryption_required", "mail_from", {"port": PORT, "security": "starttls"},
        check=both(no_login_attempt, first_step("offers STARTTLS on port"))),
    Row("busy_421_at_mail", fake(scripted_session({"MAIL": "421 4.7.0 Try again later"})),
        "server_unavailable", "mail_from"),
    *(Row(row_id, aiosmtpd("starttls", server=rejecting(**{f"{stage.split('_')[0]}_reply":
                                                           reply})),
          "temporary_failure", stage, check=both(
              first_step("Wait a few minutes and test again"), says("explanation", reply[:9]),
              no_login_advice))
      for row_id, stage, reply in (
          ("greylisted_450_at_rcpt", "rcpt_to", "450 4.7.1 <sender@example.test>: Recipient "
           "address rejected: Greylisted, see http://postgrey.example.test/help"),
          ("rate_limit_451_at_mail", "mail_from", "451 4.7.1 Rate limit exceeded, try later"),
          ("mailbox_full_452_at_rcpt", "rcpt_to", "452 4.2.2 Mailbox full"),
          ("local_problem_451_at_data", "data", "451 4.3.0 Error: queue file write error"))),
    Row("recipient_550", aiosmtpd("starttls", server=rejecting(
        rcpt_reply="550 5.1.1 <sender@example.test>: Recipient address rejected")),
        "recipient_rejected", "rcpt_to", check=both(says("explanation", "550 5.1.1"),
                                                     no_login_advice)),
    Row("data_554", aiosmtpd("starttls", server=rejecting(
        data_reply="554 5.7.1 Message rejected as spam")),
        "message_rejected", "data", check=says("explanation", "554 5.7.1")),
    Row("drop_after_data", fake(scripted_session({"BODY": DROP})), "disconnected", "data"),
    Row("stall_after_ehlo", fake(scripted_session({"MAIL": STALL}), timeout=SLOW), "timeout",
        "mail_from"),
    Row("slow_every_step", fake(scripted_session(delay=0.4), timeout=SLOW), "timeout",
        "mail_from", check=says("explanation", "1 s")),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_fault(row: Row, smtp_server_factory, smtp_ca, tmp_path):
    async with AsyncExitStack() as stack:
        faults = Faults(smtp_server_factory, smtp_ca, stack)
        prof = await row.setup(faults)
        password = prof.password.value if prof.password else None
        if row.isolated:
            data, elapsed = await isolated_send(prof, password, tmp_path)
        else:
            started = time.monotonic()
            result = await send_test_message(prof, password, local_hostname="client.test")
            elapsed = time.monotonic() - started
            data = result.to_json()
            assert result.failed_stage == row.stage
            assert SECRET not in repr(result)

        assert_design_shape(data)
        diagnosis = data["diagnosis"]
        assert (diagnosis["code"], failed_stage(data)) == (row.code, row.stage), diagnosis
        expected = row.suggestion and {k: prof.port if v == PORT else v
                                       for k, v in row.suggestion.items()}
        assert diagnosis["suggestion"] == expected
        assert elapsed <= prof.timeout + SLACK, f"took {elapsed:.2f} s"
        assert_no_secret(data)
        if row.check:
            row.check(data, faults)


def test_every_code_is_produced_by_a_row():
    """A new code without a real failure behind it fails here. The OAuth codes come from the
    sign-in server, not the SMTP server: tests/test_oauth_flows.py and test_oauth_send.py
    produce them against the fake authorization server on loopback."""
    assert DESIGN_CODES <= set(CODES)
    produced = {row.code for row in ROWS}
    smtp_codes = set(CODES) - set(OAUTH_CODES)
    assert not smtp_codes - produced, f"no row produces {sorted(smtp_codes - produced)}"
    assert produced <= set(CODES), f"unknown codes {sorted(produced - set(CODES))}"
    assert len({row.id for row in ROWS}) == len(ROWS)


# -- what every row asserts --------------------------------------------------------------------
def failed_stage(data: dict) -> str:
    failed = [stage["name"] for stage in data["stages"] if not stage["ok"]]
    assert len(failed) == 1 and data["stages"][-1]["name"] == failed[0], data["stages"]
    return failed[0]


def assert_design_shape(data: dict) -> None:
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"ok", "profile", "server", "security", "stages", "response",
                         "diagnosis", "transcript"}
    assert data["ok"] is False and data["response"] is None
    assert data["security"] in ("tls", "starttls", "none")
    assert data["server"].rsplit(":", 1)[1].isdigit()
    names = [stage["name"] for stage in data["stages"]]
    assert names == [name for name in STAGES if name in names]  # in order, none twice
    for stage in data["stages"]:
        assert set(stage) == {"name", "ok", "ms", "detail"}
        assert isinstance(stage["ok"], bool) and isinstance(stage["detail"], str)
        assert isinstance(stage["ms"], float) and stage["ms"] >= 0
    diagnosis = data["diagnosis"]
    assert set(diagnosis) == {"code", "title", "explanation", "next_steps", "suggestion"}
    assert diagnosis["code"] in CODES
    assert diagnosis["title"] and diagnosis["explanation"] and diagnosis["next_steps"]
    assert all(isinstance(step, str) and step for step in diagnosis["next_steps"])
    assert "Traceback" not in json.dumps(diagnosis)
    suggestion = diagnosis["suggestion"]
    assert suggestion is None or (suggestion and set(suggestion) <= {"host", "port",
                                                                      "security"})
    assert all(line[:3] in ("S: ", "C: ") for line in data["transcript"])


def assert_no_secret(data: dict) -> None:
    dumped = json.dumps(data) + json.dumps(data, ensure_ascii=False)
    for needle in (SECRET, base64.b64encode(SECRET.encode()).decode(),
                   base64.b64encode(f"\0{USERNAME}\0{SECRET}".encode()).decode()):
        assert needle not in dumped
