""".env for Django settings read with python-decouple (or django-environ, python-dotenv):
EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS / EMAIL_USE_SSL, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD, DEFAULT_FROM_EMAIL, EMAIL_TIMEOUT.

Quoting: readers of .env files disagree. A POSIX shell (`set -a; . ./.env`) unescapes
nothing in single quotes and expands `$` in double quotes; python-decouple removes one pair
of surrounding quotes and nothing else; python-dotenv unescapes \\\\ and \\' in single
quotes, backslash escapes in double quotes, and expands ${VAR}. A value goes in single
quotes when all three read that alike, else in double quotes when they read that alike,
else in shell quoting with a note that the other readers may differ.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    bare_host,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a .env file")  # in refusal sentences: "... which {tool} cannot hold"


def quote(value: str) -> tuple[str, bool]:
    """The value as written after `KEY=`, and whether every common reader gets it back."""
    if "'" not in value and "\\" not in value and "${" not in value:
        return f"'{value}'", True
    if not any(c in value for c in '"\\$`'):
        return f'"{value}"', True
    return "'" + value.replace("'", "'\\''") + "'", False


def _assign(key: str, value: str) -> list[str]:
    text, portable = quote(value)
    note = [] if portable else [
        f"# {key} holds quote or backslash characters: this line is in shell quoting "
        "(set -a; . ./.env). python-decouple and python-dotenv may read it differently; "
        "check it, or set the variable in the environment instead."]
    return [*note, f"{key}={text}"]


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The .env lines for one profile; several profiles are an ExportProblem."""
    profile, source = checked_profile(profiles, "env", TOOL, secrets,
                                      oauth_refused_by="Django")
    timeout = int(profile.timeout) if float(profile.timeout).is_integer() else profile.timeout
    out = [f"# Outgoing mail settings written by smtp-setup from the profile {profile.name},",
           "# for Django (settings.py reads them with python-decouple or django-environ).",
           "# Keep this file private (chmod 600) and out of version control.",
           *_assign("EMAIL_HOST", bare_host(profile)),
           f"EMAIL_PORT={profile.port}",
           "# STARTTLS and implicit TLS: Django refuses both at once.",
           f"EMAIL_USE_TLS={profile.security is Security.STARTTLS}",
           f"EMAIL_USE_SSL={profile.security is Security.TLS}"]
    if profile.security is not Security.NONE and not profile.verify_certificates:
        out.append("# WARNING: the profile does not check the server's certificate, but Django "
                   "always does: sending fails until the certificate is trusted.")
    elif profile.security is not Security.NONE and profile.ca_file:
        out.append(f"# The profile trusts the extra CA file {profile.ca_file}; Django uses the "
                   "system's trust, so add that CA there (or point SSL_CERT_FILE at a bundle "
                   "that includes it).")
    if source is not None:
        out += _assign("EMAIL_HOST_USER", profile.username or "")
        if source.secret is not None:
            out += _assign("EMAIL_HOST_PASSWORD", source.secret)
        else:
            out += [f"# The password is not in this file: it comes from {source.where}.",
                    "# Set EMAIL_HOST_PASSWORD in the environment of the app (or fill it in "
                    "here, quoted):",
                    "# EMAIL_HOST_PASSWORD="]
    if profile.from_email:
        out += _assign("DEFAULT_FROM_EMAIL",
                       display_address(profile.from_name, profile.from_email))
    out.append(f"EMAIL_TIMEOUT={timeout}")
    return "\n".join(out) + "\n"
