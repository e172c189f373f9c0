"""git send-email: a gitconfig snippet with the [sendemail] keys, one identity section per
profile when there are several, and a credential helper for the password.

git-config syntax: every string value is written inside double quotes, where git keeps
spaces, `#` and `;` and unescapes only \\\\, \\", \\t, \\n and \\b. git send-email asks
`git credential` for the password when smtpUser is set and smtpPass is not (protocol smtp,
host "server:port"), so a password kept by reference becomes a helper scoped to that
server instead of a secret in the file.
"""

from __future__ import annotations

import ipaddress
import shlex

from smtp_setup.core.exports.values import (
    PasswordSource,
    bare_host,
    check_profile,
    display_address,
    password_source,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a git configuration file")  # in refusal sentences: "... which {tool} cannot hold"


def quote(value: str) -> str:
    """A git-config value (or subsection name) that git reads back unchanged."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return f'"{escaped}"'


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).version == 6
    except ValueError:
        return False


def credential_helper(command: str) -> str:
    """A `!` helper that answers git's `get` with the output of `command` (run by sh, as
    smtp-setup runs it) and ignores `store` and `erase`: the secret stays where it is."""
    return ("!f() { test \"$1\" = get || return 0; "
            f"p=$(sh -c {shlex.quote(command)}) || return 1; "
            "printf 'password=%s\\n' \"$p\"; }; f")


def _settings(profile: Profile, source: PasswordSource | None) -> list[str]:
    lines = [f"\tsmtpServer = {quote(bare_host(profile))}",
             f"\tsmtpServerPort = {profile.port}"]
    if profile.security is Security.TLS:
        lines.append("\tsmtpEncryption = ssl")
    elif profile.security is Security.STARTTLS:
        lines.append("\tsmtpEncryption = tls")
    else:
        lines.append("\t# No smtpEncryption: plain SMTP with no encryption, as the profile "
                     "chose.")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            lines += ["\t# WARNING: the profile does not check the server's certificate "
                      "(verify_certificates = false);",
                      "\t# an empty smtpSSLCertPath does the same in git. Remove it once the "
                      "certificate is trusted.",
                      '\tsmtpSSLCertPath = ""']
        elif profile.ca_file:
            lines += ["\t# Only this CA file is trusted (it replaces the system's "
                      "certificates).",
                      f"\tsmtpSSLCertPath = {quote(profile.ca_file)}"]
    if source is not None and source.oauth:
        lines += ["\t# OAuth sign-in: the SASL library git uses (Authen::SASL) must know "
                  "XOAUTH2.",
                  "\tsmtpAuth = XOAUTH2"]
    if source is not None:
        lines.append(f"\tsmtpUser = {quote(profile.username or '')}")
        if source.secret is not None:
            lines += ["\t# The password is in this file: keep it private (chmod 600).",
                      f"\tsmtpPass = {quote(source.secret)}"]
    if profile.from_email:
        lines.append(f"\tfrom = {quote(display_address(profile.from_name, profile.from_email))}")
    return lines


def _credential(profile: Profile, source: PasswordSource | None) -> list[str]:
    if source is None or source.secret is not None:
        return []
    if source.command is None or _is_ipv6(profile.host):
        return [f"# The password for profile {profile.name} is not exported: it comes from "
                f"{source.where}.",
                "# git send-email will ask for it (and a git credential helper can keep it)."]
    what = "an access token" if source.oauth else "the password"
    note = [f"# git send-email gets {what} for profile {profile.name} from {source.where}:"]
    if source.needs:
        note.append(f"# this needs {source.needs}.")
    url = f"smtp://{profile.host.strip()}:{profile.port}"
    return [*note, f"[credential {quote(url)}]",
            f"\thelper = {quote(credential_helper(source.command))}"]


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """A gitconfig snippet: [sendemail] for one profile; for several, one
    [sendemail "NAME"] identity each, with `identity = DEFAULT` when a default is given."""
    sources = {}
    for profile in profiles:
        source = password_source(profile, secrets)
        check_profile(profile, TOOL, source.secret if source else None)
        sources[profile.name] = source
    names = [p.name for p in profiles]
    out = [f"# git send-email settings written by smtp-setup from the profile(s) "
           f"{', '.join(names)}.",
           "# Keep this file and include it from ~/.gitconfig with:",
           "#   git config --global include.path /path/to/sendemail.gitconfig",
           "# or copy the sections into ~/.gitconfig (git config --list --show-origin shows "
           "what git reads)."]
    if len(profiles) == 1:
        out += ["", "[sendemail]", *_settings(profiles[0], sources[names[0]])]
    else:
        out += ["# Choose an identity with: git send-email --identity=NAME ..."]
        if default in names:
            out += ["", "[sendemail]", f"\tidentity = {quote(default or '')}"]
        for profile in profiles:
            out += ["", f"[sendemail {quote(profile.name)}]",
                    *_settings(profile, sources[profile.name])]
    for profile in profiles:
        credential = _credential(profile, sources[profile.name])
        if credential:
            out += ["", *credential]
    return "\n".join(out) + "\n"
