"""msmtp: one `account` block per profile, in the syntax msmtp reads (checked against
msmtp 1.8.23 and its src/conf.c).

The rules that matter for quoting: a line is a command, then the rest of the line as its
argument with blanks trimmed; one pair of surrounding double quotes is removed and nothing
else is unescaped (a backslash or an inner quote is taken literally, so escaping would
corrupt a value); a line holds at most 500 bytes, comments included; and `from` replaces
%U, %H, %C and %M with the user and host names, with no way to write them literally.
"""

from __future__ import annotations

import math
import re

from smtp_setup.core.exports.values import (
    ExportProblem,
    PasswordSource,
    bare_host,
    check_profile,
    password_source,
    value_word,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import N_, _

TOOL = N_("an msmtp configuration file")  # in refusal sentences: "... which {tool} cannot hold"
MAX_LINE_BYTES = 499  # msmtp reads a line into 501 bytes: the text, its newline, a NUL
_SUBSTITUTED = re.compile(r"%[UHCM]")


def quote(value: str) -> str:
    """An argument as msmtp reads it back: bare when it has no blanks and does not start
    or end with a double quote, else inside one pair of double quotes (never escaped)."""
    if value and not any(c.isspace() for c in value) and value[0] != '"' and value[-1] != '"':
        return value
    return f'"{value}"'


def _trust_file(path: str) -> str:
    # `tls_trust_file system` means the system's list, quoted or not: name the file itself.
    return "./system" if path == "system" else path


def _setting(profile: Profile, command: str, value: str, what: str) -> str:
    line = f"{command} {quote(value)}"
    if len(line.encode()) > MAX_LINE_BYTES:
        raise ExportProblem(_(
            "The {what} of profile {name} is too long for msmtp, which reads at "
            "most 500 bytes per line; shorten it ({command}) or write that line by hand."
        ).format(what=value_word(what), name=repr(profile.name),
                 command=next_command("edit", profile.name)))
    return line


def _password_lines(profile: Profile, source: PasswordSource) -> list[str]:
    if source.oauth and source.command is not None:
        return ["# OAuth sign-in: msmtp asks smtp-setup for a fresh access token each time "
                "(smtp-setup renews it",
                f"# with the refresh token it keeps); this needs {source.needs}.",
                _setting(profile, "passwordeval", source.command, "token command")]
    if source.secret is not None:
        return ["# The password is in this file: keep it private (chmod 600).",
                _setting(profile, "password", source.secret, "password")]
    if source.command is not None:
        if source.env:
            note = [f"# The password is read from the environment variable {source.env} "
                    "when msmtp runs."]
        elif source.needs:
            note = [f"# The password is read from {source.where} with libsecret's "
                    "secret-tool;", f"# this needs {source.needs}."]
        else:
            note = ["# The password is the output of this command (msmtp runs it with "
                    "/bin/sh)."]
        return [*note, _setting(profile, "passwordeval", source.command, "password command")]
    return [f"# The password is not exported: it comes from {source.where}.",
            "# Add a line `passwordeval \"your-password-command\"` (or msmtp will ask "
            "for it on a terminal)."]


def _account(profile: Profile, secrets: dict[str, str] | None) -> list[str]:
    source = password_source(profile, secrets)
    check_profile(profile, TOOL, source.secret if source else None)
    if _SUBSTITUTED.search(profile.from_email):
        raise ExportProblem(_(
            "The From address of profile {name} contains {codes}, which "
            "msmtp replaces with the user or host name and cannot write literally; use "
            "another format, or write the from line by hand."
        ).format(name=repr(profile.name), codes="%U, %H, %C or %M"))
    lines = [f"account {profile.name}",
             _setting(profile, "host", bare_host(profile), "host name"),
             f"port {profile.port}"]
    if profile.security is Security.NONE:
        lines.append("tls off")
    else:
        lines += ["tls on",
                  "tls_starttls " + ("on" if profile.security is Security.STARTTLS else "off")]
        if profile.ca_file:
            lines += ["# Only this CA file is trusted for this account (it replaces the "
                      "system's trust).",
                      _setting(profile, "tls_trust_file", _trust_file(profile.ca_file),
                               "CA file path")]
        else:
            lines.append("tls_trust_file system")
        if not profile.verify_certificates:
            lines += ["# WARNING: the profile does not check the server's certificate "
                      "(verify_certificates = false),",
                      "# so an attacker on the network path could read the password. Remove "
                      "this line once the certificate is trusted.",
                      "tls_certcheck off"]
    lines.append(f"timeout {math.ceil(profile.timeout)}")
    if source is None:
        lines.append("auth off")
    elif source.oauth:  # msmtp 1.8 speaks XOAUTH2 (and OAUTHBEARER, which Outlook lacks)
        lines += ["auth xoauth2",
                  _setting(profile, "user", profile.username or "", "user name"),
                  *_password_lines(profile, source)]
    else:
        if profile.security is Security.NONE:
            lines += ["# No encryption, as the profile chose: msmtp sends a password in the "
                      "clear only with a named method",
                      "# (use `auth login` if the server offers only LOGIN).",
                      "auth plain"]
        else:
            lines.append("auth on")
        lines.append(_setting(profile, "user", profile.username or "", "user name"))
        lines += _password_lines(profile, source)
    if profile.from_email:
        lines.append(_setting(profile, "from", profile.from_email, "From address"))
    if profile.from_name:
        lines.append(f"# From name: {profile.from_name} (set by the program that writes the "
                     "message; msmtp sets only the address)")
    return lines


def _fit(line: str) -> str:
    """Shorten an over-long comment so that msmtp can still read the file."""
    if not line.startswith("#") or len(line.encode()) <= MAX_LINE_BYTES:
        return line
    return line.encode()[: MAX_LINE_BYTES - 3].decode(errors="ignore") + "..."


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """An msmtprc with an account per profile and, when `default` is one of them,
    `account default : NAME`."""
    names = [p.name for p in profiles]
    first = names[0]
    out = [f"# msmtp configuration written by smtp-setup from the profile(s) {', '.join(names)}.",
           "# Save it as ~/.msmtprc (or ~/.config/msmtp/config) and make it private:",
           "#   chmod 600 ~/.msmtprc",
           "# (msmtp refuses a configuration file that others can read when it holds a "
           "password.)",
           f"# Send with: msmtp -a {first} recipient@example.com < message.eml"]
    for profile in profiles:
        out += ["", *_account(profile, secrets)]
    if default in names and default != "default":
        if "default" in names:  # msmtp refuses a second account of that name
            out += ["", f"# msmtp uses the account named default when -a is not given; "
                        f"the default profile is {default}."]
        else:
            out += ["", "# The account msmtp uses when -a is not given:",
                    f"account default : {default}"]
    return "\n".join(_fit(line) for line in out) + "\n"
