"""The port check against real servers on 127.0.0.1: aiosmtpd with trustme certificates,
small asyncio fault servers, and kernel-level silence (a listener that never accepts, a
listener whose queue is full so the SYN is dropped, as a firewall does)."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
from contextlib import ExitStack, contextmanager

import pytest
from smtp_fixtures import (
    SERVER_NAME,
    banner_session,
    expired_cert,
    fake_smtp_server,
    free_port,
    old_tls_port,
    silent_session,
)
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.probe import Candidate, format_report, probe_host

TLS, STARTTLS, NONE = Security.TLS, Security.STARTTLS, Security.NONE
QUICK = 0.5  # the limit wherever a silent port is involved


async def probe(candidates, *, timeout=3.0, **kwargs):
    kwargs.setdefault("local_hostname", "client.test")
    return await probe_host("127.0.0.1", candidates, timeout=timeout, **kwargs)


async def probe_one(port, security, **kwargs):
    report = await probe([Candidate(port, security)], **kwargs)
    return report.results[0]


@pytest.fixture
def trust(smtp_ca) -> ssl.SSLContext:
    context = ssl.create_default_context()
    smtp_ca.configure_trust(context)
    return context


@contextmanager
def never_accepting_port():
    """The kernel completes the handshake but nobody ever reads or writes: silence after
    connect, what a plaintext client meets on an implicit-TLS port."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@contextmanager
def blackholed_port():
    """SYNs to this port are dropped, as a firewall does: a listener that never accepts, with
    its one-place queue already taken. Connecting times out instead of being refused."""
    with ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(2):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        time.sleep(0.02)  # let the first filler's handshake land in the queue
        yield port


# -- usable ports and what they offer ---------------------------------------------------------
async def test_implicit_tls_is_usable_and_nothing_is_sent(smtp_implicit_tls, trust):
    result = await probe_one(smtp_implicit_tls.port, TLS, tls_context=trust)

    assert result.status == "usable" and result.diagnosis_code is None
    assert result.greeting_host == SERVER_NAME
    assert result.tls_version.startswith("TLSv1.")
    assert result.certificate_ok is True
    assert result.auth_before_tls == []
    assert sorted(result.auth_after_tls) == ["LOGIN", "PLAIN"]
    assert "Implicit TLS works" in result.detail
    assert smtp_implicit_tls.logins == [] and smtp_implicit_tls.messages == []


async def test_starttls_records_login_before_and_after_encryption(smtp_starttls, trust):
    result = await probe_one(smtp_starttls.port, STARTTLS, tls_context=trust)

    assert result.status == "usable"
    assert result.starttls_offered is True
    assert result.auth_before_tls == []  # aiosmtpd offers AUTH only once encrypted
    assert sorted(result.auth_after_tls) == ["LOGIN", "PLAIN"]
    assert result.certificate_ok is True and result.tls_version
    assert smtp_starttls.logins == [] and smtp_starttls.messages == []


async def test_login_offered_before_encryption_is_recorded(smtp_server_factory, trust):
    server = smtp_server_factory("starttls", auth_require_tls=False)
    result = await probe_one(server.port, STARTTLS, tls_context=trust)

    assert result.status == "usable"
    assert sorted(result.auth_before_tls) == ["LOGIN", "PLAIN"]
    assert sorted(result.auth_after_tls) == ["LOGIN", "PLAIN"]
    assert "before encryption" in result.detail


async def test_ca_file_gives_the_trust(smtp_implicit_tls, smtp_ca_file):
    result = await probe_one(smtp_implicit_tls.port, TLS, ca_file=smtp_ca_file)
    assert result.status == "usable" and result.certificate_ok is True


async def test_certificate_checks_off_are_not_called_valid(smtp_implicit_tls):
    unchecked = ssl.create_default_context()
    unchecked.check_hostname, unchecked.verify_mode = False, ssl.CERT_NONE
    result = await probe_one(smtp_implicit_tls.port, TLS, tls_context=unchecked)
    assert result.status == "usable" and result.certificate_ok is None
    assert "certificate not checked" in result.detail


async def test_plain_port_answers_without_encryption(smtp_server_factory):
    server = smtp_server_factory("plain", auth=True)
    result = await probe_one(server.port, NONE)

    assert result.status == "usable"
    assert result.certificate_ok is None and result.tls_version == ""
    assert sorted(result.auth_before_tls) == ["LOGIN", "PLAIN"]
    assert "clear text" in result.detail
    assert server.logins == []


# -- failures, each with its diagnosis code ---------------------------------------------------
async def test_refused_port():
    result = await probe_one(free_port(), STARTTLS)
    assert (result.status, result.diagnosis_code) == ("refused", "connection_refused")
    assert "refused" in result.detail
    assert result.ms < 1000


async def test_dropped_connection_is_a_timeout():
    with blackholed_port() as port:
        started = time.monotonic()
        result = await probe_one(port, STARTTLS, timeout=QUICK)
        elapsed = time.monotonic() - started

    assert (result.status, result.diagnosis_code) == ("timeout", "connection_timeout")
    assert "silently dropped" in result.detail
    assert elapsed < QUICK * 1.6


async def test_tls_port_probed_as_starttls_gets_no_greeting(smtp_implicit_tls):
    result = await probe_one(smtp_implicit_tls.port, STARTTLS, timeout=QUICK)

    assert result.status == "no_greeting"
    assert result.diagnosis_code == "greeting_timeout"
    assert result.suggestion == {"port": smtp_implicit_tls.port, "security": "tls"}
    assert "implicit TLS" in result.detail


async def test_silent_port_probed_as_tls_fails_the_handshake():
    with never_accepting_port() as port:
        result = await probe_one(port, TLS, timeout=QUICK)
    assert (result.status, result.diagnosis_code) == ("tls_failed", "tls_handshake_failed")
    assert "handshake did not finish" in result.detail


async def test_a_server_with_only_old_tls_is_named_so(smtp_ca):
    with old_tls_port(smtp_ca.issue_cert("127.0.0.1")) as port:
        result = await probe_one(port, TLS)
    assert (result.status, result.diagnosis_code) == ("tls_failed", "tls_handshake_failed")
    assert result.detail.startswith("The server's encryption is too old"), result.detail


async def test_plaintext_port_probed_as_tls(smtp_plain):
    result = await probe_one(smtp_plain.port, TLS)

    assert (result.status, result.diagnosis_code) == ("tls_failed", "tls_on_plain_port")
    assert "WRONG_VERSION_NUMBER" in result.detail
    assert result.suggestion == {"port": smtp_plain.port, "security": "starttls"}
    assert result.ms < 1000


async def test_starttls_not_offered(smtp_server_factory):
    server = smtp_server_factory("plain", auth=True)
    result = await probe_one(server.port, STARTTLS)

    assert (result.status, result.diagnosis_code) == ("no_starttls", "starttls_not_offered")
    assert result.starttls_offered is False
    assert sorted(result.auth_before_tls) == ["LOGIN", "PLAIN"]
    assert result.auth_after_tls == []
    assert server.logins == []


@pytest.mark.parametrize("kind, security", [("tls", TLS), ("starttls", STARTTLS)])
async def test_expired_certificate(smtp_server_factory, smtp_ca, trust, kind, security):
    server = smtp_server_factory(kind, cert=expired_cert(smtp_ca))
    result = await probe_one(server.port, security, tls_context=trust)

    assert (result.status, result.diagnosis_code) == ("tls_failed", "certificate_expired")
    assert result.certificate_ok is False
    assert "expired" in result.detail


@pytest.mark.parametrize("kind, security", [("tls", TLS), ("starttls", STARTTLS)])
async def test_certificate_for_another_name(smtp_server_factory, smtp_ca, smtp_ca_file, kind,
                                            security):
    server = smtp_server_factory(kind, cert=smtp_ca.issue_cert("mail.other.test"))
    result = await probe_one(server.port, security, ca_file=smtp_ca_file)

    assert result.diagnosis_code == "certificate_hostname_mismatch"
    assert result.status == "tls_failed" and result.certificate_ok is False
    assert "not valid for 127.0.0.1; it is for mail.other.test" in result.detail
    assert result.suggestion == {"host": "mail.other.test"}


async def test_untrusted_certificate(smtp_implicit_tls):
    result = await probe_one(smtp_implicit_tls.port, TLS)  # system trust only
    assert (result.status, result.diagnosis_code) == ("tls_failed", "certificate_untrusted")
    assert "CA file" in result.detail


@pytest.mark.parametrize("banner, status, code", [
    ("421 4.3.2 Too busy, try later", "error", "server_unavailable"),
    ("554 5.7.1 No SMTP service for you", "error", "connection_rejected"),
    ("SSH-2.0-OpenSSH_9.6", "not_smtp", "not_smtp"),
])
async def test_unwelcome_greetings(banner, status, code):
    async with fake_smtp_server(banner_session(banner)) as port:
        result = await probe_one(port, STARTTLS)
    assert (result.status, result.diagnosis_code) == (status, code)
    assert result.detail.endswith(".")


async def test_closed_at_once_is_no_greeting():
    async def hang_up(reader, writer):
        writer.close()

    async with fake_smtp_server(hang_up) as port:
        result = await probe_one(port, STARTTLS)
    assert (result.status, result.diagnosis_code) == ("no_greeting", "disconnected")
    assert result.suggestion is None


# -- all at once ------------------------------------------------------------------------------
async def test_six_silent_ports_take_one_time_limit_not_six():
    with ExitStack() as stack:
        ports = [stack.enter_context(never_accepting_port()) for _ in range(3)]
        ports += [stack.enter_context(blackholed_port()) for _ in range(3)]
        candidates = [Candidate(port, TLS if i % 2 else STARTTLS) for i, port in
                      enumerate(ports)]
        started = time.monotonic()
        report = await probe(candidates, timeout=QUICK)
        elapsed = time.monotonic() - started

    assert elapsed < 1.6 * QUICK, f"{elapsed:.2f} s for six silent ports"
    assert report.recommended is None
    assert {r.status for r in report.results} == {"no_greeting", "tls_failed", "timeout"}


async def test_results_stream_in_as_they_finish_and_keep_their_order():
    seen = []

    def on_result(result):
        seen.append(result.port)
        raise RuntimeError("a broken display must not stop the check")

    refused = free_port()
    async with fake_smtp_server(silent_session) as silent:
        report = await probe([Candidate(silent, STARTTLS), Candidate(refused, STARTTLS)],
                             timeout=QUICK, on_result=on_result)
    assert seen == [refused, silent]
    assert [r.port for r in report.results] == [silent, refused]


async def test_cancelling_stops_at_once():
    with never_accepting_port() as port:
        task = asyncio.create_task(probe([Candidate(port, STARTTLS)], timeout=30))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("host, candidates, kwargs, field", [
    ("smtp..example.com", [Candidate(465, TLS)], {}, "host"),
    ("127.0.0.1", [], {}, "ports"),
    ("127.0.0.1", [Candidate(465, TLS)], {"timeout": 0}, "timeout"),
    ("127.0.0.1", [Candidate(70000, TLS)], {}, "ports"),
    ("127.0.0.1", [Candidate(465, TLS)], {"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
])
async def test_bad_input_is_one_sentence(host, candidates, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        await probe_host(host, candidates, **kwargs)
    assert caught.value.field == field
    assert caught.value.message.endswith(".")


# -- the recommendation -----------------------------------------------------------------------
async def test_implicit_tls_wins_without_provider_knowledge(smtp_implicit_tls, smtp_starttls,
                                                            trust):
    report = await probe([Candidate(smtp_starttls.port, STARTTLS),
                          Candidate(smtp_implicit_tls.port, TLS)], tls_context=trust)

    assert (report.recommended.port, report.recommended.security) == (smtp_implicit_tls.port,
                                                                      TLS)
    assert any("RFC 8314" in reason for reason in report.reasons)
    assert any(f"Also works: {smtp_starttls.port} (STARTTLS)" in r for r in report.reasons)
    assert report.blocked_hint is None


async def test_provider_recommendation_wins_the_tie(smtp_implicit_tls, smtp_starttls, trust):
    report = await probe([Candidate(smtp_implicit_tls.port, TLS, documented=True),
                          Candidate(smtp_starttls.port, STARTTLS, documented=True,
                                    recommended=True)], tls_context=trust)
    assert report.recommended.port == smtp_starttls.port
    assert "It is the provider's recommended choice." in report.reasons
    assert "Implicit TLS works too, but the provider's recommendation comes first." in (
        report.reasons)


async def test_blocked_documented_port_gets_the_hint(smtp_implicit_tls, trust):
    with blackholed_port() as blocked:
        report = await probe([Candidate(blocked, STARTTLS, documented=True, recommended=True),
                              Candidate(smtp_implicit_tls.port, TLS, documented=True)],
                             timeout=QUICK, tls_context=trust)

    assert report.recommended.port == smtp_implicit_tls.port
    assert report.blocked_hint == (
        f"Port {blocked} timed out while {smtp_implicit_tls.port} on the same host works: this "
        f"network likely blocks it (ISP or firewall). Use {smtp_implicit_tls.port}.")
    assert any("The provider recommends" in reason and "timed out" in reason
               for reason in report.reasons)


# -- reports ----------------------------------------------------------------------------------
async def test_json_shape(smtp_starttls, trust):
    refused = free_port()
    report = await probe([Candidate(smtp_starttls.port, STARTTLS), Candidate(refused, TLS)],
                         tls_context=trust)
    data = json.loads(json.dumps(report.to_json()))

    assert set(data) == {"ok", "host", "timeout", "ms", "recommended", "reasons",
                         "blocked_hint", "results"}
    assert data["ok"] is True and data["host"] == "127.0.0.1" and data["timeout"] == 3.0
    assert data["recommended"] == {"port": smtp_starttls.port, "security": "starttls"}
    assert [r["port"] for r in data["results"]] == [smtp_starttls.port, refused]
    first, second = data["results"]
    assert set(first) == {"port", "security", "status", "ok", "ms", "greeting_host",
                          "starttls_offered", "auth_before_tls", "auth_after_tls",
                          "tls_version", "certificate_ok", "detail", "diagnosis_code",
                          "suggestion", "documented", "provider_recommended"}
    assert (first["status"], first["ok"], first["diagnosis_code"]) == ("usable", True, None)
    assert (second["status"], second["diagnosis_code"]) == ("refused", "connection_refused")


async def test_plain_text_report(smtp_implicit_tls, trust):
    with blackholed_port() as blocked:
        report = await probe([Candidate(smtp_implicit_tls.port, TLS, documented=True),
                              Candidate(blocked, STARTTLS, documented=True)],
                             timeout=QUICK, tls_context=trust)
    lines = format_report(report)
    text = "\n".join(lines)

    assert lines[0].startswith("Port check of 127.0.0.1: 2 ports at once")
    assert any(line.startswith(f"  ✓ {smtp_implicit_tls.port:>5}  implicit TLS") for line in lines)
    assert any(line.startswith(f"  ✗ {blocked:>5}  STARTTLS       timed out") for line in lines)
    assert f"✓ Recommended: {smtp_implicit_tls.port} with implicit TLS" in lines
    assert any(line.startswith("! Port ") for line in lines)
    assert "\x1b" not in text
    assert max(map(len, lines)) <= 80
