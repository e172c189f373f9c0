"""What every export format needs: the error it raises, the one-line rule for values that
come from a config file someone may have edited by hand, the From address with its name,
and where a profile's password comes from (the secret itself only when the user asked)."""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.profiles.secrets import _split_ref
from smtp_setup.i18n import N_, _


class ExportProblem(ValueError):
    """A profile cannot be written in the chosen format. The message is one sentence that
    says why and what to do instead; it never contains a secret."""


# i18n: keys of _WORDS, which translates them
_LABELS = {
    "host": "host name",
    "username": "user name",
    "from_email": "From address",
    "from_name": "From name",
    "ca_file": "CA file path",
    "password": "password source",
    "secret": "password",
}
# The words for a profile's values in refusal sentences ("The {what} of profile ..."); each
# format names the value it refuses with one of these English words.
# i18n: the keys are those of _LABELS
_WORDS = {
    "host name": N_("host name"), "user name": N_("user name"),
    "From address": N_("From address"), "From name": N_("From name"),
    "CA file path": N_("CA file path"), "password source": N_("password source"),
    "password": N_("password"), "token command": N_("token command"),
    "password command": N_("password command"),
}


def value_word(what: str) -> str:
    """`what` ("host name") in the current language, for a refusal sentence."""
    word = _WORDS.get(what)
    return what if word is None else str(word)


def check_profile(profile: Profile, tool: str, secret: str | None = None) -> None:
    """Refuse values no line-based file can hold (CR, LF, NUL), a profile with no host, and
    a name that is not a profile name (account and section names are built from it).

    `tool` names the format in the message ("an msmtp file"). The secret is checked too,
    but only its label ever reaches the message."""
    if validation.profile_name(profile.name):
        raise ExportProblem(_(
            "{name} is not a valid profile name (letters, digits, dot, dash, "
            "underscore); rename it with: smtp-setup rename"
        ).format(name=repr(profile.name)))
    values = [
        ("host", profile.host),
        ("username", profile.username or ""),
        ("from_email", profile.from_email),
        ("from_name", profile.from_name),
        ("ca_file", profile.ca_file or ""),
    ]
    if profile.password is not None and profile.password.kind != "inline":
        values.append(("password", profile.password.value))
    if secret is not None:
        values.append(("secret", secret))
    for field, value in values:
        if any(c in value for c in "\r\n\0"):
            raise ExportProblem(_(
                "Profile {name} has a line break or NUL character in its "
                "{what}, which {tool} cannot hold; correct it with: {command}"
            ).format(name=repr(profile.name), what=value_word(_LABELS[field]), tool=tool,
                     command=next_command("edit", profile.name)))
    if not profile.host.strip():
        raise ExportProblem(_("Profile {name} has no host name; set one with: {command}").format(
            name=repr(profile.name), command=next_command("edit", profile.name)))


def one_profile(profiles: list[Profile], fmt: str) -> Profile:
    """The single profile a one-profile format (env, wp-config, postfix) can hold."""
    if len(profiles) != 1:
        raise ExportProblem(_(
            "The {format} format holds one profile, but {count} were given; export "
            "them one at a time, or use --format msmtp or --format git for several at once."
        ).format(format=fmt, count=len(profiles)))
    return profiles[0]


def checked_profile(profiles: list[Profile], fmt: str, tool: str,
                    secrets: dict[str, str] | None, *, oauth_refused_by: str | None = None,
                    ) -> tuple[Profile, PasswordSource | None]:
    """What every one-profile format does first: the single profile, refused when the
    program cannot renew an OAuth token (`oauth_refused_by` names it), its password source,
    and the values checked for `tool` (the file that must hold them)."""
    profile = one_profile(profiles, fmt)
    if oauth_refused_by is not None:
        refuse_oauth(profile, oauth_refused_by)
    source = password_source(profile, secrets)
    check_profile(profile, tool, source.secret if source else None)
    return profile, source


def bare_host(profile: Profile) -> str:
    """The host name, or an IPv6 address without the brackets of a URL."""
    host = profile.host.strip()
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return host


# RFC 5322 specials: a display name containing one of them must be a quoted string.
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')


def display_address(name: str, address: str) -> str:
    """`Name <address>` as a From header wants it (the rules of email.utils.formataddr,
    without encoding a non-ASCII name, which every reader of these files handles)."""
    if not name:
        return address
    # Unquoted, a name is a run of words whose whitespace readers fold: quote any other.
    if _SPECIALS.search(name) or " ".join(name.split()) != name:
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


@dataclass(frozen=True)
class PasswordSource:
    """How an exported file gets a profile's password. At most one of `secret`, `command`
    is set; `where` describes the source in words for a comment."""

    where: str
    secret: str | None = None  # the password itself: only when the user asked to include it
    command: str | None = None  # a shell command line that prints it
    env: str | None = None  # the environment variable that holds it (with `command`)
    needs: str | None = None  # what `command` needs on the machine that runs it
    oauth: bool = False  # `command` prints a fresh OAuth access token (log in with XOAUTH2)


def token_command(profile: Profile) -> str:
    """The command that prints a fresh access token for an OAuth profile. The name needs no
    quoting: check_profile has made sure it is a profile name."""
    return f"smtp-setup token {profile.name}"


def refuse_oauth(profile: Profile, tool: str) -> None:
    """Raise ExportProblem for an OAuth profile in a format whose tool takes only a fixed
    password: an access token expires within the hour and these tools cannot renew it."""
    if profile.uses_oauth:
        raise ExportProblem(_(
            "Profile {name} signs in with OAuth: its access tokens expire within "
            "the hour and {tool} cannot renew them. Export it with --format msmtp (or git, "
            "curl, neomutt), which ask `{command}` for a fresh token each time."
        ).format(name=repr(profile.name), tool=tool, command=token_command(profile)))


# i18n: a command to copy
def keyring_lookup_command(keyring_value: str) -> str:
    """The libsecret command that prints a secret python-keyring stored (its Secret
    Service backend files it under the attributes `service` and `username`)."""
    from smtp_setup.core.profiles.model import SecretRef

    service, key = _split_ref(SecretRef("keyring", keyring_value))
    return f"secret-tool lookup service {shlex.quote(service)} username {shlex.quote(key)}"


# i18n: file comments ("The password comes from ..."), English in every language
def password_source(profile: Profile, secrets: dict[str, str] | None) -> PasswordSource | None:
    """Where the password comes from in an export, or None when the profile signs in with
    no user name. A secret is used only when `secrets` holds one for this profile."""
    if not profile.username:
        return None
    if profile.uses_oauth:  # the refresh token is no password for any tool: never written
        return PasswordSource(
            f"`{token_command(profile)}`, which prints a fresh access token (renewed with "
            "the refresh token kept on this machine)",
            command=token_command(profile), oauth=True,
            needs="smtp-setup on the PATH, with this profile and its sign-in")
    if secrets and profile.name in secrets:
        return PasswordSource("included in this file", secret=secrets[profile.name])
    ref = profile.password
    if ref is None:
        return PasswordSource("nowhere yet: the profile has no password source")
    if ref.kind == "env":
        return PasswordSource(f"the environment variable {ref.value}",
                              command=f"printenv {shlex.quote(ref.value)}", env=ref.value)
    if ref.kind == "command":
        return PasswordSource(f"the output of the command {ref.value}", command=ref.value)
    if ref.kind == "keyring":
        return PasswordSource(
            f"the system keyring ({ref.value})", command=keyring_lookup_command(ref.value),
            needs="secret-tool (Debian/Ubuntu package libsecret-tools) and the desktop "
                  "keyring (Secret Service) unlocked, as on the machine that stored it")
    return PasswordSource("the smtp-setup config file (left out unless secrets are included)")
