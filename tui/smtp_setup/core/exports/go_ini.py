"""Values for the ini files of Go programs (Gitea, Forgejo, Grafana), which read them with
go-ini (gopkg.in/ini.v1): a value is trimmed, cut at an inline `#` or `;` unless quoted,
and kept literally between backticks or between triple double quotes."""

from __future__ import annotations

from smtp_setup.core.exports.values import ExportProblem, value_word
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import _


def ini_value(profile: Profile, value: str, what: str, program: str) -> str:
    """`value` as go-ini reads it back unchanged: in backticks, else triple quotes."""
    if "`" not in value:
        return f"`{value}`"
    if '"""' not in value and not value.endswith('"'):
        return f'"""{value}"""'
    raise ExportProblem(_(
        "The {what} of profile {name} contains both a backtick and triple double "
        "quotes, which {program}'s ini file cannot hold; set it by hand.").format(
            what=value_word(what), name=repr(profile.name), program=program))


def refuse_password_in_clear(profile: Profile, has_login: bool, host: str, program: str) -> None:
    """Go's net/smtp sends PLAIN credentials only over TLS or to localhost: a profile with
    a login and no encryption cannot work in a Go program."""
    if profile.security.value == "none" and has_login and host not in (
            "localhost", "127.0.0.1", "::1"):
        raise ExportProblem(_(
            "{program} will not send the password of profile {name} over a "
            "connection without encryption (Go's SMTP client refuses); choose STARTTLS or "
            "implicit TLS with: {command}").format(
                program=program, name=repr(profile.name),
                command=next_command("edit", profile.name)))


def refuse_implicit_tls_off_465(profile: Profile, program: str) -> None:
    """Grafana and Alertmanager choose implicit TLS by the port number (465), not by a
    setting: any other pairing of port and encryption cannot be written for them."""
    if (profile.security is Security.TLS) != (profile.port == 465):
        raise ExportProblem(_(
            "{program} uses implicit TLS on port 465 and only there, so profile "
            "{name} ({security} on port {port}) cannot be "
            "expressed; use port 465 for implicit TLS or STARTTLS on another port.").format(
                program=program, name=repr(profile.name),
                security=profile.security.value, port=profile.port))
