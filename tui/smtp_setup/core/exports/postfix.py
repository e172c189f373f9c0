"""Postfix as a relay: the main.cf lines that send all mail through the provider, and the
sasl_passwd table line with the login.

main.cf rules: `name = value`, a line starting with whitespace continues the one before,
`$` starts a parameter expansion (a literal `$` is `$$`). sasl_passwd is a lookup table:
the key is the first field (exactly the relayhost value), the value is the rest of the
line, `user:password` split at the first colon. Certificates: `secure` verifies the
server's certificate and name, `encrypt` only requires TLS; Postfix does not use the
system's CA list unless told where it is.
"""

from __future__ import annotations

import ipaddress
import os

from smtp_setup.core.exports.postfix_fallback import TOOL, add_fallback, relayhost
from smtp_setup.core.exports.values import (
    ExportProblem,
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import _

SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"  # Debian, Ubuntu, Alpine, Arch


def main_cf_value(value: str) -> str:
    """A main.cf value that Postfix reads literally (no $name expansion)."""
    return value.replace("$", "$$")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip().strip("[]"))
        return True
    except ValueError:
        return False


def _tls_lines(profile: Profile) -> list[str]:
    if profile.security is Security.NONE:
        return ["# The profile uses no encryption; 'may' still uses TLS when the server "
                "offers it.",
                "smtp_tls_security_level = may"]
    lines = []
    if not profile.verify_certificates:
        lines += ["# WARNING: the profile does not check the server's certificate; 'encrypt' "
                  "requires TLS but does not verify it either.",
                  "smtp_tls_security_level = encrypt"]
    elif _is_ip(profile.host):
        lines += ["# The server is an IP address, which Postfix cannot match against a "
                  "certificate: TLS is required, the name is not checked.",
                  "smtp_tls_security_level = encrypt"]
    else:
        lines += ["# 'secure' requires TLS and a certificate valid for the relay host name.",
                  "smtp_tls_security_level = secure"]
    if profile.security is Security.TLS:
        lines += ["# Implicit TLS (port 465 style): TLS from the first byte, no STARTTLS.",
                  "smtp_tls_wrappermode = yes"]
    if profile.ca_file:
        if profile.ca_file != profile.ca_file.strip():
            raise ExportProblem(_(
                "The CA file path of profile {name} starts or ends with a space, "
                "which main.cf cannot hold; rename the file or write that line by hand."
            ).format(name=repr(profile.name)))
        path = os.path.expanduser(profile.ca_file)  # Postfix does not expand ~
        lines += ["# Only this CA file is trusted; copy it to the server if it lives elsewhere.",
                  f"smtp_tls_CAfile = {main_cf_value(path)}"]
    else:
        lines += [f"# The system's CA list ({SYSTEM_CA_FILE} on Debian and Ubuntu; "
                  "/etc/pki/tls/certs/ca-bundle.crt on Fedora and RHEL).",
                  f"smtp_tls_CAfile = {SYSTEM_CA_FILE}"]
    return lines


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None, fallback: Profile | None = None) -> str:
    """main.cf lines, the sasl_passwd line and the commands to run, for one profile (and
    `fallback` as smtp_fallback_relay)."""
    profile, source = checked_profile(profiles, "postfix", TOOL, secrets,
                                      oauth_refused_by="Postfix")
    relay = relayhost(profile)
    out = [f"# Postfix relay through {relay}, written by smtp-setup from the profile "
           f"{profile.name}.",
           "",
           "# --- /etc/postfix/main.cf (add these lines, or replace the ones of the same "
           "name) ---",
           f"relayhost = {relay}"]
    if source is not None:
        username = profile.username or ""
        if ":" in username or username != username.strip():
            raise ExportProblem(_(
                "The user name of profile {name} contains a colon or spaces at an "
                "end, which a Postfix sasl_passwd line cannot hold; use another format."
            ).format(name=repr(profile.name)))
        if source.secret is not None and source.secret != source.secret.strip():
            raise ExportProblem(_(
                "The password of profile {name} starts or ends with a space, which "
                "a Postfix sasl_passwd line cannot hold; set the line by hand."
            ).format(name=repr(profile.name)))
        out += ["smtp_sasl_auth_enable = yes",
                "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
                "# Any mechanism but anonymous; 'noanonymous' also allows PLAIN and LOGIN.",
                "smtp_sasl_security_options = noanonymous",
                "smtp_sasl_tls_security_options = noanonymous"]
    out += _tls_lines(profile)
    if source is not None:
        out += ["", "# --- /etc/postfix/sasl_passwd ---"]
        if source.secret is not None:
            out += ["# This line holds the password: keep the file private (chmod 600).",
                    f"{relay} {profile.username}:{source.secret}"]
        else:
            out += [f"# The password is not exported: it comes from {source.where}.",
                    "# Put it after the colon and remove the leading #:",
                    f"#{relay} {profile.username}:"]
        out += ["", "# --- then run, as root ---",
                "# chmod 600 /etc/postfix/sasl_passwd",
                "# postmap hash:/etc/postfix/sasl_passwd",
                "# postfix reload"]
    else:
        out += ["", "# --- then run, as root ---", "# postfix reload"]
    if fallback is not None:
        out = add_fallback(out, profile, fallback, secrets)
    return "\n".join(out) + "\n"
