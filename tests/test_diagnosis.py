"""Diagnosis of failures that loopback servers cannot stage (DNS, provider replies), fed
with the exception objects aiosmtplib raises for them; network cases live in test_sending."""

from __future__ import annotations

import errno
import socket
import ssl
import sys

import aiosmtplib
import pytest
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.diagnosis import (
    CODES,
    Diagnosis,
    MissingExtension,
    diagnose,
)
from smtp_setup.core.smtp.diagnosis_text import TEXT
from smtp_setup.core.smtp.failure_reading import failure_detail


def profile(**overrides) -> Profile:
    values = dict(name="work", host="smtp.example.com", port=587, security=Security.STARTTLS,
                  username="me@example.com", from_email="me@example.com")
    values.update(overrides)
    return Profile(**values)


def caused(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


def cert_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"certificate verify failed: {message}")
    error.verify_code, error.verify_message = code, message
    return error


def test_every_code_has_words_that_fill_in():
    assert set(TEXT) == set(CODES)
    ctx = dict(host="h", port=1, server="h:1", security="STARTTLS", stage_label="x",
               limit=1.0, sender="a@b", recipient="c@d", reason="r", reply="550 no",
               names="", offered="", waited="1")
    for title, explanation, causes, steps in TEXT.values():
        assert title.format(**ctx) and explanation.format(**ctx) and steps
        for text in causes + steps:
            assert "{" not in text.format(**ctx)


def test_to_json_matches_design():
    diagnosis = diagnose("auth", aiosmtplib.SMTPAuthenticationError(535, "5.7.8 no"), profile())
    assert isinstance(diagnosis, Diagnosis)
    assert set(diagnosis.to_json()) == {"code", "title", "explanation", "next_steps",
                                        "suggestion"}


@pytest.mark.parametrize("cause, code", [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns_not_found"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure"), "dns_not_found"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"), "connection_refused"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), "network_unreachable"),
    (TimeoutError(), "connection_timeout"),
])
def test_connect_failures(cause, code):
    exc = caused(aiosmtplib.SMTPConnectError("Error connecting"), cause)
    assert diagnose("connect", exc, profile()).code == code


def test_dns_explains_in_plain_words():
    exc = caused(aiosmtplib.SMTPConnectError("x"), socket.gaierror(socket.EAI_NONAME, "x"))
    diagnosis = diagnose("connect", exc, profile(host="smtp.exmaple.com"))
    assert "smtp.exmaple.com" in diagnosis.explanation
    assert any("spelling" in step for step in diagnosis.next_steps)


def test_plaintext_on_port_465_is_named_as_such():
    exc = caused(aiosmtplib.SMTPConnectTimeoutError("Timed out waiting for server ready"),
                 aiosmtplib.SMTPReadTimeoutError("x"))
    diagnosis = diagnose("greeting", exc, profile(port=465))
    assert diagnosis.code == "plain_on_tls_port"
    assert diagnosis.suggestion == {"port": 465, "security": "tls"}
    # with implicit TLS already chosen there is nothing to suggest
    tls = diagnose("greeting", exc, profile(port=465, security=Security.TLS))
    assert tls.code == "timeout" and tls.suggestion is None


@pytest.mark.parametrize("code, verify_message, expected, title_word", [
    (10, "certificate has expired", "certificate_expired", "expired"),
    (9, "certificate is not yet valid", "certificate_expired", "not valid yet"),
    (20, "unable to get local issuer certificate", "certificate_untrusted", "not trusted"),
    (62, "Hostname mismatch", "certificate_hostname_mismatch", "different name"),
])
def test_certificate_errors_use_the_verify_code(code, verify_message, expected, title_word):
    raw = cert_error(code, verify_message)  # STARTTLS: raw; implicit TLS: wrapped
    wrapped = caused(aiosmtplib.SMTPConnectError("Error connecting"), cert_error(code,
                                                                               verify_message))
    for stage, exc in (("starttls", raw), ("connect", wrapped)):
        diagnosis = diagnose(stage, exc, profile())
        assert diagnosis.code == expected
        assert title_word in diagnosis.title
    assert failure_detail(wrapped) == f"certificate: {verify_message}"


def test_wildcard_names_are_shown_but_not_suggested():
    diagnosis = diagnose("starttls", cert_error(62, "Hostname mismatch"), profile(),
                         cert_names=["*.mail.example.net"])
    assert "*.mail.example.net" in diagnosis.explanation
    assert diagnosis.suggestion is None


def test_other_tls_errors():
    error = ssl.SSLError(1, "[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version")
    error.reason = "TLSV1_ALERT_PROTOCOL_VERSION"
    diagnosis = diagnose("connect", caused(aiosmtplib.SMTPConnectError("x"), error),
                         profile(security=Security.TLS, port=465))
    assert diagnosis.code == "tls_handshake_failed"
    assert "TLSV1_ALERT_PROTOCOL_VERSION" in diagnosis.explanation


@pytest.mark.parametrize("stage, code, message, expected", [
    ("greeting", 421, "4.3.2 Too busy", "server_unavailable"),
    ("greeting", 554, "5.7.1 Your address is listed", "connection_rejected"),
    ("greeting", -1, "Malformed SMTP response line: SSH-2.0-OpenSSH_9.6", "not_smtp"),
    ("starttls", 454, "4.7.0 TLS not available", "tls_handshake_failed"),
    ("auth", 538, "5.7.11 Encryption required", "auth_requires_encryption"),
    ("auth", 530, "Must issue a STARTTLS command first", "auth_requires_encryption"),
    ("auth", 504, "5.5.4 Unrecognized authentication type", "auth_not_offered"),
    ("mail_from", 421, "4.7.0 closing connection", "server_unavailable"),
    ("mail_from", 553, "5.7.1 Sender address rejected", "sender_rejected"),
    ("data", 552, "5.3.4 Message too big", "message_rejected"),
])
def test_replies_by_stage_and_code(stage, code, message, expected):
    exc = aiosmtplib.SMTPResponseException(code, message)
    assert diagnose(stage, exc, profile()).code == expected


def test_login_required_at_mail_from_says_so():
    exc = aiosmtplib.SMTPSenderRefused(530, "5.7.0 Authentication required", "me@example.com")
    diagnosis = diagnose("mail_from", exc, profile(username=None))
    assert diagnosis.code == "sender_rejected"
    assert "add a username and password" in diagnosis.next_steps[0]


def test_all_recipients_refused():
    refused = aiosmtplib.SMTPRecipientRefused(550, "5.1.1 User unknown", "x@example.com")
    exc = aiosmtplib.SMTPRecipientsRefused([refused])
    diagnosis = diagnose("rcpt_to", exc, profile(), recipient="x@example.com")
    assert diagnosis.code == "recipient_rejected"
    assert "x@example.com" in diagnosis.explanation and "550 5.1.1" in diagnosis.explanation


def test_auth_over_plaintext_refused_suggests_encryption():
    exc = aiosmtplib.SMTPAuthenticationError(538, "5.7.11 Encryption required")
    diagnosis = diagnose("auth", exc, profile(security=Security.NONE, port=25))
    assert diagnosis.suggestion == {"port": 587, "security": "starttls"}


def test_gmail_app_password_reply():
    exc = aiosmtplib.SMTPAuthenticationError(
        534, "5.7.9 Application-specific password required. Learn more at\n5.7.9 https://x")
    diagnosis = diagnose("auth", exc, profile(host="smtp.gmail.com", provider="gmail"))
    assert diagnosis.code == "auth_failed"
    assert "app password" in diagnosis.title
    assert "App passwords" in diagnosis.next_steps[0]


def test_microsoft_smtp_auth_disabled_reply():
    exc = aiosmtplib.SMTPAuthenticationError(
        535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled")
    diagnosis = diagnose("auth", exc, profile(host="smtp.office365.com"))
    assert diagnosis.code == "auth_failed"
    assert "Authenticated SMTP" in diagnosis.next_steps[0]


@pytest.mark.parametrize("provider, host, username, words", [
    ("sendgrid", "smtp.sendgrid.net", "me@example.com", "exactly apikey"),
    ("custom", "smtp.sendgrid.net", "apikey", "literal word apikey"),  # found by host
    ("brevo", "smtp-relay.brevo.com", "me@example.com", "not the API key"),
    ("ses", "email-smtp.eu-west-1.amazonaws.com", "AKIA", "not your AWS secret access key"),
    ("gmail", "smtp.gmail.com", "me@gmail.com", "app password"),
])
def test_provider_advice_for_wrong_credentials(provider, host, username, words):
    exc = aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication credentials invalid")
    diagnosis = diagnose("auth", exc, profile(provider=provider, host=host, username=username))
    assert any(words in step for step in diagnosis.next_steps), diagnosis.next_steps


def test_no_provider_advice_for_a_loopback_relay():
    # Proton Mail Bridge and the sandbox both live on 127.0.0.1: that says nothing about
    # which relay this is, so the advice stays generic.
    exc = aiosmtplib.SMTPAuthenticationError(535, "5.7.8 invalid")
    generic = diagnose("auth", exc, profile(host="smtp.unknown.test", provider="custom"))
    loopback = diagnose("auth", exc, profile(host="127.0.0.1", provider="custom"))
    assert loopback.next_steps == generic.next_steps
    assert not any("Bridge" in step for step in loopback.next_steps)


def test_diagnosis_works_without_the_catalog(monkeypatch):
    monkeypatch.setitem(sys.modules, "smtp_setup.core.catalog.loader", None)  # import fails
    exc = aiosmtplib.SMTPAuthenticationError(535, "5.7.8 invalid")
    diagnosis = diagnose("auth", exc, profile(provider="sendgrid", host="smtp.sendgrid.net"))
    assert diagnosis.code == "auth_failed"
    assert not any("apikey" in step for step in diagnosis.next_steps)


def test_missing_extensions():
    assert diagnose("starttls", MissingExtension("starttls"), profile(port=587)).suggestion == {
        "port": 465, "security": "tls"}
    only_oauth = diagnose("auth", MissingExtension("auth", ("xoauth2",)), profile())
    assert only_oauth.code == "auth_not_offered"
    assert "XOAUTH2" in only_oauth.explanation


@pytest.mark.parametrize("exc", [
    InvalidInput("host", "Enter the server's host name."),
    UnicodeError("encoding with 'idna' codec failed"),
    ValueError("Address '<bad@@x>' contains characters not permitted"),
    aiosmtplib.SMTPNotSupported("SMTPUTF8 is not supported by this server"),
])
def test_bad_input(exc):
    assert diagnose("connect", exc, profile()).code == "invalid_input"


@pytest.mark.parametrize("stage, exc, code", [
    ("ehlo", aiosmtplib.SMTPServerDisconnected("Unexpected EOF received"), "disconnected"),
    ("starttls", aiosmtplib.SMTPServerDisconnected("Connection reset while upgrading"),
     "tls_handshake_failed"),
    ("starttls", aiosmtplib.SMTPTimeoutError("Timed out while upgrading"),
     "tls_handshake_failed"),
    ("data", aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response"),
     "timeout"),
])
def test_drops_and_stalls(stage, exc, code):
    assert diagnose(stage, exc, profile()).code == code


async def test_sandbox_not_running_says_how_to_start_it():
    from smtp_fixtures import free_port
    from smtp_setup.core.smtp.session import send_test_message

    profile = Profile(name="try", provider="sandbox", host="127.0.0.1", port=free_port(),
                      security=Security.NONE, from_email="me@example.com", timeout=5)
    result = await send_test_message(profile, None)
    assert result.diagnosis.code == "connection_refused"
    assert "smtp-setup sandbox" in result.diagnosis.next_steps[0]
