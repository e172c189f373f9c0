"""s-nail (the POSIX mailx of Debian and others): the mta URL and TLS settings of a mailrc.

s-nail's semantics (v14.9, with v15-compat): mta=smtps://USER@HOST:PORT is implicit TLS;
smtp:// with smtp-use-starttls requires STARTTLS; plain smtp:// sends in the clear. The
password is the variable password-USER@HOST:PORT (USER as it is, not percent-encoded). Every
line is a `wysh set`, parsed like sh words: single quotes are literal (a quote itself is
'\\'' as in sh) and "$NAME" expands an environment variable, which keeps a password that
lives in the environment out of the file.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote as url_quote

from smtp_setup.core.exports.values import (
    ExportProblem,
    PasswordSource,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import N_, _

TOOL = N_("a mailrc")  # in refusal sentences: "... which {tool} cannot hold"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def wysh(value: str) -> str:
    """A word that s-nail's sh-like parser reads back literally."""
    return "'" + value.replace("'", "'\\''") + "'"


def _password(variable: str, source: PasswordSource) -> list[str]:
    if source.secret is not None:
        return ["# The password is in this file: keep it private (chmod 600).",
                f"wysh set {variable}={wysh(source.secret)}"]
    if source.env and source.env.isidentifier():
        return [f"# The password is read from the environment variable {source.env}.",
                f'wysh set {variable}="${source.env}"']
    return [f"# The password is not exported: it comes from {source.where}.",
            "# s-nail asks for it on a terminal; or add: wysh set "
            f"{variable}='your-password'"]


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """mailrc lines for one profile."""
    profile, source = checked_profile(profiles, "s-nail", TOOL, secrets,
                                      oauth_refused_by="s-nail")
    host = profile.host.strip()
    if any(c in host for c in "/@?#% '\"\\"):
        raise ExportProblem(_("The host name of profile {name} has characters an "
                              "mta URL cannot hold; correct it with: {command}").format(
            name=repr(profile.name), command=next_command("edit", profile.name)))
    user = url_quote(profile.username or "", safe="")
    login = f"{user}@" if source is not None else ""
    scheme = "smtps" if profile.security is Security.TLS else "smtp"
    out = [f"# s-nail (mailx) outgoing mail written by smtp-setup from the profile "
           f"{profile.name}.",
           "# Add these lines to ~/.mailrc (s-nail reads it; MAILRC=FILE names another).",
           "wysh set v15-compat",
           f"wysh set mta={wysh(f'{scheme}://{login}{profile.server}')}"]
    if profile.security is Security.STARTTLS:
        out += ["# STARTTLS, and stop if the server does not offer it.",
                "wysh set smtp-use-starttls"]
    elif profile.security is Security.NONE:
        out.append("# No encryption, as the profile chose.")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out += ["# WARNING: the profile does not check the server's certificate.",
                    "wysh set tls-verify=ignore"]
        elif _is_ip(host):
            out.append("# s-nail matches certificates against host names only: use the "
                       "server's name rather than its IP address.")
        if profile.verify_certificates and profile.ca_file:
            out += ["# Only this CA file is trusted for this server.",
                    f"wysh set tls-ca-file={wysh(profile.ca_file)}",
                    "wysh set tls-ca-no-defaults"]
    if source is not None:
        out.append("wysh set smtp-auth=plain")
        out += _password(wysh(f"password-{profile.username}@{profile.server}"), source)
    else:
        out.append("wysh set smtp-auth=none")
    if profile.from_email:
        out.append(
            f"wysh set from={wysh(display_address(profile.from_name, profile.from_email))}")
    return "\n".join(out) + "\n"
