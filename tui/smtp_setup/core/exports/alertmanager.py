"""Prometheus Alertmanager: the global smtp_* settings of alertmanager.yml, with a route
and an e-mail receiver so that the file is complete (amtool check-config accepts it).

Alertmanager's semantics: smtp_smarthost is host:port and implicit TLS is used exactly when
the port is 465; smtp_require_tls (default true) requires STARTTLS elsewhere and must be
false for no encryption; a private CA or an unchecked certificate goes in the receiver's
tls_config. The password is smtp_auth_password, or smtp_auth_password_file naming a file
that holds it. Strings are YAML double-quoted scalars (JSON strings are valid ones).
Alertmanager has no backup relay, so --fallback is refused.
"""

from __future__ import annotations

import json

from smtp_setup.core.exports.go_ini import refuse_implicit_tls_off_465, refuse_password_in_clear
from smtp_setup.core.exports.values import (
    bare_host,
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("an alertmanager.yml file")  # in refusal sentences: "... which {tool} cannot hold"
PASSWORD_FILE = "/etc/alertmanager/smtp_password"


def yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """alertmanager.yml for one profile."""
    profile, source = checked_profile(profiles, "alertmanager", TOOL, secrets,
                                      oauth_refused_by="Alertmanager")
    refuse_implicit_tls_off_465(profile, "Alertmanager")
    refuse_password_in_clear(profile, source is not None, bare_host(profile), "Alertmanager")
    out = [f"# Alertmanager e-mail settings written by smtp-setup from the profile "
           f"{profile.name}.",
           "# Merge into alertmanager.yml and check it with: amtool check-config "
           "alertmanager.yml",
           "global:",
           f"  smtp_smarthost: {yaml_string(profile.server)}",
           "  # Port 465 is implicit TLS; elsewhere smtp_require_tls requires STARTTLS.",
           f"  smtp_require_tls: {'true' if profile.security is Security.STARTTLS else 'false'}"]
    if profile.from_email:
        out.append(f"  smtp_from: {yaml_string(profile.from_email)}")
    if source is not None:
        out.append(f"  smtp_auth_username: {yaml_string(profile.username or '')}")
        if source.secret is not None:
            out += ["  # The password is in this file: keep it private.",
                    f"  smtp_auth_password: {yaml_string(source.secret)}"]
        else:
            out += [f"  # The password is read from {PASSWORD_FILE}; it comes from "
                    f"{source.where}:",
                    "  #   write it there, readable only by Alertmanager's user.",
                    f"  smtp_auth_password_file: {yaml_string(PASSWORD_FILE)}"]
    tls = []
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            tls = ["          # WARNING: the profile does not check the server's certificate.",
                   "          insecure_skip_verify: true"]
        elif profile.ca_file:
            tls = ["          # Only this CA file is trusted for this server.",
                   f"          ca_file: {yaml_string(profile.ca_file)}"]
    to = profile.from_email or "alerts@example.com"
    out += ["route:", "  receiver: email",
            "receivers:", "  - name: email", "    email_configs:",
            "      # Who gets the alerts: change this address.",
            f"      - to: {yaml_string(to)}"]
    if tls:
        out += ["        tls_config:", *tls]
    return "\n".join(out) + "\n"
