"""Profiles written for other tools (`smtp-setup export --format F`): msmtp, git send-email,
a .env for Django, WordPress's wp-config.php, Postfix. Each output is what that tool reads.

Secrets: a password is written only when the caller passes it in `secrets` (the user asked
to include secrets). Otherwise it is written by reference where the tool can follow one (a
command msmtp or git runs, an environment variable PHP reads) or left out with a comment
that says where it lives and what to fill in. Each format's rules live in core/exports/.
"""

from __future__ import annotations

from importlib import import_module

from smtp_setup.core.exports.values import ExportProblem
from smtp_setup.core.profile import Profile

__all__ = ["FORMATS", "ExportProblem", "render_export", "suggested_filename"]

FORMATS: dict[str, str] = {
    "msmtp": "msmtprc accounts for msmtp (and mutt, git, cron through msmtp)",
    "git": "gitconfig [sendemail] settings for git send-email",
    "env": ".env variables for Django (EMAIL_HOST, EMAIL_PORT, ...), one profile",
    "wp-config": "WP Mail SMTP constants for WordPress wp-config.php, one profile",
    "postfix": "Postfix relayhost, SASL and TLS lines for main.cf plus sasl_passwd, one profile",
}

_MODULES = {"msmtp": "msmtp", "git": "git", "env": "dotenv", "wp-config": "wp_config",
            "postfix": "postfix"}
_FILENAMES = {"msmtp": "msmtprc", "git": "sendemail.gitconfig", "env": ".env",
              "wp-config": "wp-config-smtp.php", "postfix": "main.cf+sasl_passwd"}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportProblem(
            f"There is no export format {fmt!r}; choose one of: {', '.join(FORMATS)}."
        )


def suggested_filename(fmt: str) -> str:
    """A file name for the output, as the tool usually calls it."""
    _check_format(fmt)
    return _FILENAMES[fmt]


def render_export(profiles: list[Profile], fmt: str, *, secrets: dict[str, str] | None = None,
                  default: str | None = None) -> str:
    """The text of `profiles` in format `fmt`.

    `secrets` maps a profile name to its plain password, only when the user asked to
    include secrets; without it no secret is ever written. `default` names the default
    profile (msmtp's `account default`, git's `sendemail.identity`). Raises ExportProblem
    with a sentence to show when a profile cannot be expressed in this format.
    """
    _check_format(fmt)
    if not profiles:
        raise ExportProblem("There is no profile to export; create one first (smtp-setup).")
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ExportProblem("The same profile name appears twice; export each profile once.")
    module = import_module(f"smtp_setup.core.exports.{_MODULES[fmt]}")
    return module.render(list(profiles), secrets=secrets, default=default)
