"""The port check's decisions without a network: the ranking and its reasons, the
blocked-port hint, and which candidates a provider or a typed --ports list gives."""

from __future__ import annotations

import pytest
from smtp_setup.core.catalog.loader import load_catalog
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.probe import (
    STATUSES,
    Candidate,
    PortProbe,
    ProbeReport,
    blocked_hint,
    candidates_for_host,
    choose,
    default_candidates,
    format_report,
    parse_ports,
)

TLS, STARTTLS, NONE = Security.TLS, Security.STARTTLS, Security.NONE


# -- the recommendation ---------------------------------------------------------------------
def result(port, security, status="usable", **fields) -> PortProbe:
    fields.setdefault("auth_after_tls" if security is not NONE else "auth_before_tls",
                      ["PLAIN"] if status == "usable" else [])
    fields.setdefault("certificate_ok", True if status == "usable" and security is not NONE
                      else None)
    return PortProbe(port, security, status, **fields)


def test_plain_is_never_chosen_over_encryption():
    best, _ = choose([result(25, NONE), result(2525, STARTTLS)])
    assert (best.port, best.security) == (2525, STARTTLS)


def test_plain_only_says_the_password_would_be_unencrypted():
    best, reasons = choose([result(25, NONE), result(587, STARTTLS, "timeout")])
    assert best.port == 25
    assert "unencrypted" in reasons[0] and "AUTH" in reasons[0]


@pytest.mark.parametrize("code, words", [
    ("certificate_untrusted", "not trusted"), ("certificate_expired", "expired"),
    ("certificate_hostname_mismatch", "another name")])
def test_a_certificate_failure_keeps_the_plain_port_from_being_chosen(code, words):
    results = [result(465, TLS, "tls_failed", diagnosis_code=code, provider_recommended=True),
               result(587, STARTTLS, "tls_failed", diagnosis_code=code),
               result(25, NONE, auth_before_tls=[])]
    best, reasons = choose(results)
    assert best is None
    assert reasons[0].startswith("Ports 465 (implicit TLS) and 587 (STARTTLS) answer with "
                                 "encryption, but the certificate"), reasons
    assert words in reasons[0] and "25 (no encryption) works only without" in reasons[1]
    report = ProbeReport("127.0.0.1", results, best, reasons)
    assert (report.awaiting_certificate.port, report.awaiting_certificate.security) == (465, TLS)
    assert "✗ No port works until a certificate is fixed: 465 with implicit TLS answers." in (
        format_report(report))


def test_login_and_documentation_come_before_port_numbers():
    no_login = result(465, TLS, auth_after_tls=[])
    assert choose([no_login, result(2525, STARTTLS)])[0].port == 2525
    documented = result(2525, STARTTLS, documented=True)
    assert choose([result(587, STARTTLS), documented])[0].port == 2525
    assert choose([result(8465, TLS), result(587, STARTTLS)])[0].port == 8465  # RFC 8314
    assert choose([result(25, STARTTLS), result(2525, STARTTLS)])[0].port == 2525


@pytest.mark.parametrize("statuses, codes, words", [
    (["timeout", "timeout"], [None, None], "Every port timed out"),
    (["refused", "refused"], [None, None], "Every port refused"),
    (["error", "error"], ["dns_not_found"] * 2, "could not be found in DNS"),
    (["tls_failed", "no_starttls"], ["certificate_expired", "starttls_not_offered"],
     "certificate problem"),
])
def test_nothing_works_says_why(statuses, codes, words):
    results = [result(465, TLS, s, diagnosis_code=c) for s, c in zip(statuses, codes, strict=True)]
    best, reasons = choose(results, "smtp.example.test")
    assert best is None
    assert words in " ".join(reasons)


def test_blocked_hint_wording():
    undocumented = [result(25, STARTTLS, "timeout"), result(587, STARTTLS),
                    result(2525, STARTTLS)]
    assert blocked_hint(undocumented) == (
        "Port 25 timed out while 587 and 2525 on the same host work: this network may block "
        "it (ISP or firewall), or the server does not listen there. Use 587 or 2525.")
    assert blocked_hint([result(25, STARTTLS, "timeout"), result(587, STARTTLS, "refused")]
                        ) is None
    assert blocked_hint([result(587, STARTTLS, "refused"), result(465, TLS)]) is None
    assert blocked_hint([result(8025, STARTTLS, "timeout"), result(465, TLS)]) is None


def test_blocked_hint_lists_ports_as_japanese_does():
    """「25、587 または 2525」, not "25, 587": the port lists follow the language's listing."""
    from smtp_setup import i18n

    results = [result(25, STARTTLS, "timeout"), result(587, STARTTLS, "timeout"),
               result(465, TLS), result(2525, STARTTLS), result(8025, STARTTLS)]
    english = blocked_hint(results)
    i18n.set_language("ja")
    try:
        ja = blocked_hint(results)
    finally:
        i18n.set_language("en")
    assert "25 and 587" in english and "465, 2525 or 8025" in english
    assert "25、587" in ja and "465、2525 または 8025" in ja and ", " not in ja


def test_every_status_has_a_mark():
    assert {mark for mark, _ in STATUSES.values()} == {"✓", "✗", "!"}


# -- which candidates ---------------------------------------------------------------------------
def test_parse_ports():
    assert parse_ports("465, 587,2525/tls,1025/starttls,25/none,465") == [
        Candidate(465, TLS), Candidate(587, STARTTLS), Candidate(2525, TLS),
        Candidate(1025, STARTTLS), Candidate(25, NONE)]
    assert parse_ports("8465,2465,2525") == [Candidate(8465, TLS), Candidate(2465, TLS),
                                            Candidate(2525, STARTTLS)]
    assert parse_ports("2525/TLS,2525/starttls") == [Candidate(2525, TLS),
                                                    Candidate(2525, STARTTLS)]


def test_bare_ports_take_the_mode_the_provider_documents():
    smtp2go = load_catalog().get("smtp2go")
    assert parse_ports("443,80,465,587/tls", smtp2go) == [
        Candidate(443, TLS, documented=True), Candidate(80, STARTTLS, documented=True),
        Candidate(465, TLS, documented=True, recommended=True), Candidate(587, TLS)]


@pytest.mark.parametrize("text, words", [
    ("", "at least one port"),
    (" , ", "at least one port"),
    ("smtp", "'smtp' is not a port"),
    ("465;587", "'465;587' is not a port"),
    ("70000", "Port 70000 is out of range"),
    ("0", "Port 0 is out of range"),
    ("465/ssl3", "one of tls, starttls or none"),
    (",".join(str(p) for p in range(1000, 1040)), "at most 32"),
])
def test_parse_ports_errors_are_sentences(text, words):
    with pytest.raises(ValueError) as caught:
        parse_ports(text)
    message = str(caught.value)
    assert words in message and message.endswith(".")


def test_default_candidates():
    assert default_candidates(None) == [Candidate(465, TLS), Candidate(587, STARTTLS),
                                        Candidate(2525, STARTTLS), Candidate(25, STARTTLS)]
    sendgrid = default_candidates(load_catalog().get("sendgrid"))
    assert [c.label for c in sendgrid] == ["587/starttls", "465/tls", "2525/starttls",
                                           "25/starttls"]
    assert all(c.documented for c in sendgrid)
    assert [c.port for c in sendgrid if c.recommended] == [587]


def test_candidates_for_a_known_host_come_from_the_catalog():
    gmail = candidates_for_host("SMTP.gmail.com.")
    assert [(c.label, c.recommended) for c in gmail] == [("465/tls", True),
                                                         ("587/starttls", False)]
    assert candidates_for_host("smtp.gmail.com", "587,2525") == [
        Candidate(587, STARTTLS, documented=True), Candidate(2525, STARTTLS)]
    # Loopback is nobody's provider, even though a catalog entry lists 127.0.0.1.
    assert candidates_for_host("127.0.0.1") == default_candidates(None)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_row_with_the_servers_name_fits_79_cells(lang):
    """The server's name is shortened to fit: by cells, since 暗号化なし takes two a character."""
    from smtp_setup import i18n
    from smtp_setup.core.smtp.probe import format_result
    from smtp_setup.text_width import cells

    i18n.set_language(lang)
    try:
        row = format_result(result(2526, NONE, greeting_host="sandbox.smtp-setup.invalid"))[0]
    finally:
        i18n.set_language("en")
    assert cells(row) <= 79 and row.endswith("…"), row
