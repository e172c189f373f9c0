"""What a port check found: one PortProbe per candidate, the recommendation with its reasons
in plain words, the blocked-port hint, and the plain-text report the CLI prints.

The ranking is deliberately simple so it can be explained: encrypted before plain (a password
never goes out in clear text while an encrypted port works, and a plain port is not
recommended while an encrypted one failed only on its certificate), then a port that offers login,
then the provider's recommendation, then what the provider documents, then implicit TLS
before STARTTLS (RFC 8314), then 465, 587, 2525, other ports, 25.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.probe_texts import (
    BLOCKED,
    NOT_RECOMMENDED_BUT,
    RESULT_WORDS,
    WHY_IT_WORKS,
)
from smtp_setup.i18n import N_, _, listing, ngettext, pgettext
from smtp_setup.text_width import cells, pad, wrap

# Every status a candidate can end in, with the words and mark the report uses for it.
STATUSES = {
    "usable": ("✓", N_("works")),
    "refused": ("✗", N_("refused")),
    "timeout": ("✗", N_("timed out")),
    "no_greeting": ("!", N_("no greeting")),
    "tls_failed": ("✗", N_("encryption failed")),
    "no_starttls": ("!", N_("no STARTTLS")),
    "not_smtp": ("✗", N_("not SMTP")),
    "error": ("✗", N_("failed")),
}
MODE_WORDS = {Security.TLS: N_("implicit TLS"), Security.STARTTLS: N_("STARTTLS"),
              Security.NONE: N_("no encryption")}
_LABELS = {Security.TLS: N_("{port} with implicit TLS"),
           Security.STARTTLS: N_("{port} with STARTTLS"),
           Security.NONE: N_("{port} with no encryption")}
# A certificate failure: the server answered and encrypts; this is what would fix it.
CERTIFICATE_FIXES = {
    "certificate_untrusted": N_("the certificate is not trusted: a private CA's certificate "
                                "can be given as the CA file"),
    "certificate_expired": N_("the certificate has expired: the server's administrator must "
                              "renew it"),
    "certificate_hostname_mismatch": N_("the certificate is for another name: use the host "
                                        "name the certificate names"),
}
# Where a mail server normally listens: a time-out there says more about the network.
SUBMISSION_PORTS = (465, 587, 2525, 25)
_PORT_ORDER = {465: 0, 587: 1, 2525: 2, 25: 9}  # any other port ranks 5


@dataclass
class PortProbe:
    """The result for one candidate. `detail` is one plain sentence; `diagnosis_code` is a
    design.md code when it failed; `suggestion` a settings change worth trying, if any."""

    port: int
    security: Security
    status: str = "error"  # one of STATUSES
    ms: float = 0.0
    greeting_host: str = ""  # the name the server gives in its 220 greeting
    starttls_offered: bool | None = None  # None: EHLO was not reached
    auth_before_tls: list[str] = field(default_factory=list)
    auth_after_tls: list[str] = field(default_factory=list)
    tls_version: str = ""
    certificate_ok: bool | None = None  # None: no certificate was checked
    detail: str = ""
    diagnosis_code: str | None = None
    suggestion: dict[str, Any] | None = None
    documented: bool = False  # the provider lists this port and mode
    provider_recommended: bool = False

    @property
    def usable(self) -> bool:
        return self.status == "usable"

    @property
    def encrypted(self) -> bool:
        return self.security is not Security.NONE

    @property
    def login_mechanisms(self) -> list[str]:
        """The AUTH mechanisms a login would use: after TLS, or on a plain port before it."""
        return self.auth_after_tls if self.encrypted else self.auth_before_tls

    @property
    def label(self) -> str:
        return _LABELS[self.security].format(port=self.port)

    def to_json(self) -> dict[str, Any]:
        return {
            "port": self.port, "security": str(self.security), "status": self.status,
            "ok": self.usable, "ms": round(self.ms, 1), "greeting_host": self.greeting_host,
            "starttls_offered": self.starttls_offered,
            "auth_before_tls": list(self.auth_before_tls),
            "auth_after_tls": list(self.auth_after_tls), "tls_version": self.tls_version,
            "certificate_ok": self.certificate_ok, "detail": self.detail,
            "diagnosis_code": self.diagnosis_code, "suggestion": self.suggestion,
            "documented": self.documented, "provider_recommended": self.provider_recommended,
        }


@dataclass
class ProbeReport:
    """All results in the order the candidates were given, and what to choose."""

    host: str
    results: list[PortProbe]
    recommended: PortProbe | None
    reasons: list[str]  # why it was chosen (or why nothing was), in plain words
    blocked_hint: str | None = None
    timeout: float = 0.0  # the limit each candidate had, in seconds
    ms: float = 0.0  # the whole check

    @property
    def ok(self) -> bool:
        return self.recommended is not None

    @property
    def awaiting_certificate(self) -> PortProbe | None:
        """When nothing is recommended: the best encrypted port that answered but failed only
        on its certificate, which is the choice to keep while the certificate is fixed."""
        return None if self.recommended else certificate_only(self.results)

    def to_json(self) -> dict[str, Any]:
        """The JSON of `smtp-setup probe --json`."""
        best = self.recommended
        return {
            "ok": self.ok, "host": self.host, "timeout": self.timeout, "ms": round(self.ms, 1),
            "recommended": {"port": best.port, "security": str(best.security)} if best else None,
            "reasons": list(self.reasons), "blocked_hint": self.blocked_hint,
            "results": [result.to_json() for result in self.results],
        }


def choose(results: list[PortProbe], host: str = "",
           login: bool = True) -> tuple[PortProbe | None, list[str]]:
    """The recommended result and the reasons for it, or (None, why nothing works).
    `login`: the profile logs in (AUTH), so advice about plain ports concerns it."""
    usable = [r for r in results if r.usable]
    if not usable:
        return None, _why_nothing(results, host, login)
    encrypted = [r for r in usable if r.encrypted]
    if not encrypted and (waiting := certificate_only(results)) is not None:
        return None, _why_certificate(waiting, results, usable)
    if not encrypted:
        best = min(usable, key=_preference)
        return best, [
            _("Only port {port} works, and only without encryption: a password sent there "
              "(AUTH) would travel unencrypted, readable by anyone on the way.").format(
                port=best.port),
            _("Use it only for a relay you trust on your own network, ideally without a "
              "password."),
        ]
    best = min(encrypted, key=_preference)
    others = [r for r in encrypted if r is not best]
    reasons = [_why_it_works(best)]
    wanted = next((r for r in results if r.provider_recommended), None)
    if best.provider_recommended:
        reasons.append(_("It is the provider's recommended choice."))
    elif wanted is not None:
        reasons.append(NOT_RECOMMENDED_BUT.get(wanted.status, NOT_RECOMMENDED_BUT["error"])
                       .format(label=wanted.label))
        if best.documented:
            reasons.append(_("The provider documents this port as an alternative."))
    elif best.documented:
        reasons.append(_("The provider documents it."))
    if best.login_mechanisms and any(not r.login_mechanisms for r in others):
        reasons.append(_("It offers login (AUTH); not every port that answered does."))
    elif not best.login_mechanisms:
        reasons.append(_("Note: it offers no login (AUTH), which only suits a relay that "
                         "needs none."))
    starttls_too = [r for r in others if r.security is Security.STARTTLS]
    if best.security is Security.TLS and starttls_too:
        reasons.append(_("Implicit TLS is preferred over STARTTLS (RFC 8314): the connection "
                         "is encrypted from the first byte."))
    elif best.security is Security.STARTTLS and any(r.security is Security.TLS for r in others):
        if best.provider_recommended:
            reasons.append(_("Implicit TLS works too, but the provider's recommendation "
                             "comes first."))
        elif best.documented:
            reasons.append(_("Implicit TLS works too, but only on a port the provider does "
                             "not document."))
    if others:
        reasons.append(_("Also works: {ports}.").format(
            ports=", ".join(_short(r) for r in others)))
    return best, reasons


def certificate_only(results: list[PortProbe]) -> PortProbe | None:
    """The best-ranked encrypted result that answered but whose certificate failed, or None."""
    failed = [r for r in results if r.encrypted and r.diagnosis_code in CERTIFICATE_FIXES]
    return min(failed, key=_preference) if failed else None


def blocked_hint(results: list[PortProbe]) -> str | None:
    """When a documented (or standard submission) port timed out while another port of the
    same host works, say that this network probably blocks it, and what to use instead."""
    usable = sorted((r for r in results if r.usable and r.encrypted), key=_preference)
    working = list(dict.fromkeys(r.port for r in usable))
    timed_out = [r for r in results if r.status == "timeout" and r.port not in working
                 and (r.documented or r.port in SUBMISSION_PORTS)]
    if not working or not timed_out:
        return None
    ports = list(dict.fromkeys(r.port for r in timed_out))
    text = BLOCKED[len(ports) == 1, len(working) == 1, any(r.documented for r in timed_out)]
    return text.format(ports=listing(ports), working=listing(working),
                       either=listing(working, "or"))


def format_result(result: PortProbe) -> list[str]:
    """Two plain lines for one candidate: mark, port, mode, status and time; the detail."""
    mark, words = STATUSES.get(result.status, STATUSES["error"])
    if result.usable and not result.encrypted:
        mark = "!"  # it answers, but nothing is protected
    line = (f"  {mark} {result.port:>5}  {pad(str(MODE_WORDS[result.security]), 13)}  "
            f"{pad(str(words), 17)}{result.ms:>7.0f} ms")
    if result.greeting_host:
        room = 77 - cells(line)  # the row within 79 cells, as every report (wide words)
        host = result.greeting_host
        line += "  " + (host if len(host) <= room else host[:room - 1] + "…")
    lines = [line]
    if result.detail:
        lines += wrap(result.detail, 79, initial_indent=" " * 11, subsequent_indent=" " * 11)
    return lines


def format_report(report: ProbeReport) -> list[str]:
    """The whole check as plain text lines (✓ / ✗ / ! marks, no colour codes)."""
    count = len(report.results)
    lines = [ngettext("Port check of {host}: {count} port at once, {limit} s limit each, "
                      "{total} s in all", "Port check of {host}: {count} ports at once, "
                      "{limit} s limit each, {total} s in all", count).format(
        host=report.host, count=count, limit=f"{report.timeout:g}",
        total=f"{report.ms / 1000:.1f}")]
    for result in report.results:
        lines += format_result(result)
    lines.append("")
    best = report.recommended
    if best is not None:
        mark = "✓" if best.encrypted else "!"
        lines.append(mark + " " + _("Recommended: {label}").format(label=best.label))
    elif (waiting := report.awaiting_certificate) is not None:
        lines.append("✗ " + _("No port works until a certificate is fixed: {label} "
                              "answers.").format(label=waiting.label))
    else:
        lines.append("✗ " + _("No port works from this network."))
    for reason in report.reasons:
        lines += wrap(reason, 79, initial_indent="  - ", subsequent_indent="    ")
    if report.blocked_hint:
        lines += wrap(report.blocked_hint, 79, initial_indent="! ", subsequent_indent="  ")
    return lines


# -- ranking pieces ---------------------------------------------------------------------------
def _preference(result: PortProbe) -> tuple:
    # Plain ports are set apart before ranking: they never compete with encrypted ones.
    return (not result.login_mechanisms, not result.provider_recommended, not result.documented,
            result.security is not Security.TLS, _PORT_ORDER.get(result.port, 5), result.port,
            result.ms)


def _why_it_works(best: PortProbe) -> str:
    return WHY_IT_WORKS[best.security is Security.TLS, bool(best.certificate_ok)].format(
        port=best.port)


def _why_certificate(waiting: PortProbe, results: list[PortProbe],
                     usable: list[PortProbe]) -> list[str]:
    same = [r for r in results if r.encrypted and r.diagnosis_code == waiting.diagnosis_code]
    reasons = [ngettext(
        "Port {ports} answers with encryption, but {fix}; then check again.",
        "Ports {ports} answer with encryption, but {fix}; then check again.", len(same)).format(
        ports=listing([_short(r) for r in same]), fix=CERTIFICATE_FIXES[waiting.diagnosis_code])]
    if usable:
        reasons.append(ngettext(
            "{ports} works only without encryption: not recommended while an encrypted port "
            "only needs its certificate fixed.",
            "{ports} work only without encryption: not recommended while an encrypted port "
            "only needs its certificate fixed.", len(usable)).format(
            ports=listing([_short(r) for r in usable])))
    return reasons


def _why_nothing(results: list[PortProbe], host: str, login: bool) -> list[str]:
    codes = {r.diagnosis_code for r in results}
    statuses = {r.status for r in results}
    where = host or _("the host")
    if codes == {"dns_not_found"}:
        return [_("The name {host} could not be found in DNS: check its spelling, and that "
                  "this computer is online.").format(host=where)]
    if statuses == {"timeout"}:
        return [_("Every port timed out: a firewall or your internet provider may block "
                  "outgoing mail, or the host is wrong.")]
    if statuses == {"refused"}:
        return [_("Every port refused the connection: {host} does not accept mail "
                  "submission on them. Check the host name.").format(host=where)]
    # TRANSLATORS: between the ports' results in "What each port did: ..."
    separator = pgettext("list of results", "; ")
    reasons = [_("What each port did: {results}.").format(results=separator.join(
        RESULT_WORDS.get(r.status, RESULT_WORDS["error"]).format(
            port=r.port, mode=MODE_WORDS[r.security]) for r in results))]
    if any(r.diagnosis_code and r.diagnosis_code.startswith("certificate_") for r in results):
        reasons.append(_("A certificate problem must be fixed first; a private CA's "
                         "certificate can be given as the CA file."))
    if login and "no_starttls" in statuses:
        reasons.append(_("A port that offers no encryption is never recommended for a "
                         "login."))
    return reasons


def _short(result: PortProbe) -> str:
    return _("{port} ({mode})").format(port=result.port, mode=MODE_WORDS[result.security])
