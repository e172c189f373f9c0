"""The port check's sentences that depend on a result: each one whole, chosen by the facts it
states (how many ports, which status), so a translation never joins sentence parts."""

from __future__ import annotations

from typing import Any

from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.failure_reading import failure_detail
from smtp_setup.i18n import N_, _

# (one port timed out, one port works, the provider documents a timed-out one) -> the hint
BLOCKED = {
    (True, True, True): N_(
        "Port {ports} timed out while {working} on the same host works: this network likely "
        "blocks it (ISP or firewall). Use {either}."),
    (True, False, True): N_(
        "Port {ports} timed out while {working} on the same host work: this network likely "
        "blocks it (ISP or firewall). Use {either}."),
    (False, True, True): N_(
        "Ports {ports} timed out while {working} on the same host works: this network likely "
        "blocks them (ISP or firewall). Use {either}."),
    (False, False, True): N_(
        "Ports {ports} timed out while {working} on the same host work: this network likely "
        "blocks them (ISP or firewall). Use {either}."),
    (True, True, False): N_(
        "Port {ports} timed out while {working} on the same host works: this network may "
        "block it (ISP or firewall), or the server does not listen there. Use {either}."),
    (True, False, False): N_(
        "Port {ports} timed out while {working} on the same host work: this network may "
        "block it (ISP or firewall), or the server does not listen there. Use {either}."),
    (False, True, False): N_(
        "Ports {ports} timed out while {working} on the same host works: this network may "
        "block them (ISP or firewall), or the server does not listen there. Use {either}."),
    (False, False, False): N_(
        "Ports {ports} timed out while {working} on the same host work: this network may "
        "block them (ISP or firewall), or the server does not listen there. Use {either}."),
}

# status of the port the provider recommends -> why another one is recommended instead
NOT_RECOMMENDED_BUT = {
    "usable": N_("The provider recommends port {label}, but from here it works."),
    "refused": N_("The provider recommends port {label}, but from here it was refused."),
    "timeout": N_("The provider recommends port {label}, but from here it timed out."),
    "no_greeting": N_(
        "The provider recommends port {label}, but from here it never sent a greeting."),
    "tls_failed": N_("The provider recommends port {label}, but from here it failed to "
                     "encrypt."),
    "no_starttls": N_("The provider recommends port {label}, but from here it offers no "
                      "STARTTLS."),
    "not_smtp": N_("The provider recommends port {label}, but from here it is not SMTP."),
    "error": N_("The provider recommends port {label}, but from here it failed."),
}

# status -> one port's result in "No port worked: ..."
RESULT_WORDS = {
    "usable": N_("{port} ({mode}) works"),
    "refused": N_("{port} ({mode}) was refused"),
    "timeout": N_("{port} ({mode}) timed out"),
    "no_greeting": N_("{port} ({mode}) never sent a greeting"),
    "tls_failed": N_("{port} ({mode}) failed to encrypt"),
    "no_starttls": N_("{port} ({mode}) offers no STARTTLS"),
    "not_smtp": N_("{port} ({mode}) is not SMTP"),
    "error": N_("{port} ({mode}) failed"),
}

# (implicit TLS, the certificate is valid) -> why the recommended port works
WHY_IT_WORKS = {
    (True, True): N_("Port {port} with implicit TLS works from this network: encrypted from "
                     "the first byte, and the certificate is valid."),
    (True, False): N_("Port {port} with implicit TLS works from this network: encrypted "
                      "from the first byte, and the certificate was not checked."),
    (False, True): N_("Port {port} with STARTTLS works from this network: the connection is "
                      "encrypted before login, and the certificate is valid."),
    (False, False): N_("Port {port} with STARTTLS works from this network: the connection "
                       "is encrypted before login, and the certificate was not checked."),
}


def usable_detail(result: Any) -> str:
    """The detail line of a port that works (`result`: a probe_report.PortProbe)."""
    mechanisms = ", ".join(result.login_mechanisms)
    if result.security is Security.NONE:
        return {
            (False, False): _("Answers without encryption."),
            (True, False): _("Answers without encryption; it offers STARTTLS, so check "
                             "{port}/starttls instead."),
            (False, True): _("Answers without encryption; login offered: {mechanisms}, but a "
                             "password would travel in clear text."),
            (True, True): _("Answers without encryption; it offers STARTTLS, so check "
                            "{port}/starttls instead; login offered: {mechanisms}, but a "
                            "password would travel in clear text."),
        }[bool(result.starttls_offered), bool(result.auth_before_tls)].format(
            port=result.port, mechanisms=mechanisms)
    login = (_("login offered: {mechanisms}").format(mechanisms=mechanisms)
             if result.login_mechanisms else _("no login offered"))
    checked = _("certificate valid") if result.certificate_ok else _("certificate not checked")
    mode = _("Implicit TLS") if result.security is Security.TLS else "STARTTLS"
    if result.security is Security.STARTTLS and result.auth_before_tls:
        text = _("{mode} works ({version}, {checked}); {login} (also before encryption, which "
                 "smtp-setup never uses).")
    else:
        text = _("{mode} works ({version}, {checked}); {login}.")
    return text.format(mode=mode, version=result.tls_version or "TLS", checked=checked,
                       login=login)


def failure_words(result: Any, exc: BaseException, title: str, shared: Any,
                  names: list[str]) -> str:
    """The detail line of a port that failed; `shared` gives the host and the time limit."""
    limit, code = f"{shared.timeout:g}", result.diagnosis_code
    reason = failure_detail(exc).removeprefix("certificate: ").removeprefix("TLS: ")
    reason = reason.replace("on port None", f"on port {result.port}")  # we gave a socket
    if result.status == "refused":
        return _("Nothing accepts connections on this port (connection refused).")
    if result.status == "timeout":
        return _("No answer within {limit} s: the connection attempt was silently dropped, "
                 "as a firewall does.").format(limit=limit)
    if result.status == "no_greeting":
        if code == "disconnected":
            return _("The server closed the connection without a greeting.")
        if result.security is Security.TLS:
            return _("Encrypted, but no greeting came within {limit} s.").format(limit=limit)
        return _("Connected, but no greeting within {limit} s: this port may expect implicit "
                 "TLS from the first byte.").format(limit=limit)
    if code == "tls_on_plain_port":
        return _("The server answered in plain text (WRONG_VERSION_NUMBER): this port expects "
                 "STARTTLS, not implicit TLS.")
    if code == "certificate_expired":
        return _("The certificate is not valid: {reason}.").format(reason=reason)
    if code == "certificate_untrusted":
        return _("The certificate is not trusted ({reason}); a private CA's certificate can "
                 "be given as the CA file.").format(reason=reason)
    if code == "certificate_hostname_mismatch":
        if names:
            return _("The certificate is not valid for {host}; it is for {names}.").format(
                host=shared.host, names=", ".join(names))
        return _("The certificate is not valid for {host}.").format(host=shared.host)
    if result.status == "tls_failed" and isinstance(exc, TimeoutError):
        return _("Connected, but the TLS handshake did not finish within {limit} s.").format(
            limit=limit)
    if result.status == "tls_failed":  # its own words for a refusal we can name
        return _("{title} ({reason}).").format(title=title, reason=reason)
    if result.status == "no_starttls":
        return _("The server answers but does not offer STARTTLS, so a login here would not "
                 "be encrypted.")
    if result.status == "not_smtp":
        return _("Another service answers on this port, not SMTP ({reason}).").format(
            reason=reason)
    return _("{title}: {reason}.").format(title=title, reason=reason)
