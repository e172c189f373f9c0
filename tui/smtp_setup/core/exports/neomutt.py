"""neomutt (and mutt): the smtp_url and TLS settings of a muttrc.

Their semantics: an smtps:// URL is implicit TLS; smtp:// with ssl_starttls and
ssl_force_tls requires STARTTLS; ssl_force_tls off and ssl_starttls off send in the clear.
The user name in the URL is percent-encoded. muttrc quoting: inside single quotes nothing
is interpreted (no single quote can appear); inside double quotes a backslash escapes the
next character, `$NAME` is an environment variable and `...` in backticks is the output of
a command, which is how the password stays where it is kept.
"""

from __future__ import annotations

import re
from urllib.parse import quote as url_quote

from smtp_setup.core.exports.values import (
    ExportProblem,
    PasswordSource,
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import N_, _

TOOL = N_("a muttrc")  # in refusal sentences: "... which {tool} cannot hold"


def muttrc_string(value: str) -> str:
    """A muttrc value that neomutt and mutt read back literally."""
    if "'" not in value:
        return f"'{value}'"
    return '"' + re.sub(r'([\\"$`])', r"\\\1", value) + '"'


def _password(profile: Profile, source: PasswordSource) -> list[str]:
    if source.oauth and source.command:
        return [f"# OAuth sign-in: neomutt asks smtp-setup for a fresh access token (this "
                f"needs {source.needs}).",
                "set smtp_authenticators = 'xoauth2'",
                f"set smtp_oauth_refresh_command = {muttrc_string(source.command)}"]
    if source.secret is not None:
        return ["# The password is in this file: keep it private (chmod 600).",
                f"set smtp_pass = {muttrc_string(source.secret)}"]
    if source.command and "`" not in source.command:
        needs = [f"# This needs {source.needs}."] if source.needs else []
        where = f"the environment variable {source.env}" if source.env else "this command"
        return [f"# The password is read from {where} when neomutt starts.", *needs,
                f'set smtp_pass = "`{source.command}`"']
    return [f"# The password is not exported: it comes from {source.where}.",
            "# neomutt asks for it when it sends (or add: set smtp_pass = \"`your-command`\")."]


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """muttrc lines for one profile."""
    profile, source = checked_profile(profiles, "neomutt", TOOL, secrets)
    host = profile.host.strip()
    if any(c in host for c in "/@?#% '\"\\"):
        raise ExportProblem(_("The host name of profile {name} has characters a "
                              "smtp_url cannot hold; correct it with: {command}").format(
            name=repr(profile.name), command=next_command("edit", profile.name)))
    user = f"{url_quote(profile.username, safe='')}@" if source is not None else ""
    scheme = "smtps" if profile.security is Security.TLS else "smtp"
    out = [f"# neomutt/mutt outgoing mail written by smtp-setup from the profile "
           f"{profile.name}.",
           "# Add these lines to ~/.neomuttrc (or ~/.muttrc, ~/.config/neomutt/neomuttrc).",
           f"set smtp_url = {muttrc_string(f'{scheme}://{user}{profile.server}/')}"]
    if profile.security is Security.NONE:
        out += ["# No encryption, as the profile chose.",
                "set ssl_force_tls = no", "set ssl_starttls = no"]
    else:
        out += ["# Never send without TLS" + (" (STARTTLS on this port)." if profile.security
                                             is Security.STARTTLS else "."),
                "set ssl_force_tls = yes",
                f"set ssl_starttls = {'yes' if profile.security is Security.STARTTLS else 'no'}"]
        if not profile.verify_certificates:
            out.append("# WARNING: the profile does not check the server's certificate; "
                       "neomutt cannot skip the check and asks you to accept it.")
        elif profile.ca_file:
            out += ["# The server's certificate is checked against this CA file.",
                    f"set ssl_ca_certificates_file = {muttrc_string(profile.ca_file)}"]
    if source is not None:
        out += _password(profile, source)
    if profile.from_email:
        out.append(f"set from = {muttrc_string(profile.from_email)}")
    if profile.from_name:
        out.append(f"set realname = {muttrc_string(profile.from_name)}")
    return "\n".join(out) + "\n"
