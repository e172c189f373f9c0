"""The port check's sentences that depend on a result: each one whole, chosen by the facts it
states (how many ports, which status), so a translation never joins sentence parts."""

from __future__ import annotations

from typing import Any

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


def join(items: list[Any], word: str = "and") -> str:
    """"465", "465 and 587", "25, 465 and 587" (or "or")."""
    texts = [str(item) for item in items]
    if len(texts) == 1:
        return texts[0]
    rest, last = ", ".join(texts[:-1]), texts[-1]
    if word == "or":
        return _("{items} or {last}").format(items=rest, last=last)
    return _("{items} and {last}").format(items=rest, last=last)
