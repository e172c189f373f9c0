"""Values for the ini files of Go programs (Gitea, Forgejo, Grafana), which read them with
go-ini (gopkg.in/ini.v1): a value is trimmed, cut at an inline `#` or `;` unless quoted,
and kept literally between backticks or between triple double quotes."""

from __future__ import annotations

from smtp_setup.core.exports.values import ExportProblem
from smtp_setup.core.profiles.model import Profile


def ini_value(profile: Profile, value: str, what: str, program: str) -> str:
    """`value` as go-ini reads it back unchanged: in backticks, else triple quotes."""
    if "`" not in value:
        return f"`{value}`"
    if '"""' not in value and not value.endswith('"'):
        return f'"""{value}"""'
    raise ExportProblem(
        f"The {what} of profile {profile.name!r} contains both a backtick and triple double "
        f"quotes, which {program}'s ini file cannot hold; set it by hand.")


def refuse_password_in_clear(profile: Profile, has_login: bool, host: str, program: str) -> None:
    """Go's net/smtp sends PLAIN credentials only over TLS or to localhost: a profile with
    a login and no encryption cannot work in a Go program."""
    if profile.security.value == "none" and has_login and host not in (
            "localhost", "127.0.0.1", "::1"):
        raise ExportProblem(
            f"{program} will not send the password of profile {profile.name!r} over a "
            "connection without encryption (Go's SMTP client refuses); choose STARTTLS or "
            f"implicit TLS with: smtp-setup edit {profile.name}")
