"""Laravel: the MAIL_* variables of `.env` for the smtp mailer (config/mail.php).

Laravel 11 and later read MAIL_SCHEME: `smtps` is implicit TLS, `smtp` is plain SMTP that
Symfony Mailer upgrades with STARTTLS whenever the server offers it. Laravel 9 and 10
derive the scheme from MAIL_ENCRYPTION and the port, and Laravel 8 and older (SwiftMailer)
read MAIL_ENCRYPTION as `ssl` (implicit TLS) or `tls` (STARTTLS): the classic mistake is
`tls` on port 465. Both are written, so an older config/mail.php reads the right one.
Secrets: phpdotenv expands `${VAR}` from the environment, so a reference stays a reference.
"""

from __future__ import annotations

from smtp_setup.core.exports.env_files import assign, password_lines
from smtp_setup.core.exports.values import (
    bare_host,
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a Laravel .env file")  # in refusal sentences: "... which {tool} cannot hold"
_ENCRYPTION = {Security.TLS: "ssl", Security.STARTTLS: "tls", Security.NONE: "null"}


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The MAIL_* lines for one profile."""
    profile, source = checked_profile(profiles, "laravel", TOOL, secrets,
                                      oauth_refused_by="Laravel")
    if profile.security is Security.TLS and profile.port != 465:
        note = ["# Implicit TLS on a port other than 465: Laravel 11+ follows MAIL_SCHEME; "
                "Laravel 9 and 10 use TLS from the first byte only on port 465."]
    else:
        note = []
    out = [f"# Outgoing mail for Laravel, written by smtp-setup from the profile {profile.name}.",
           "# Add these lines to the application's .env (keep it private and out of version "
           "control),",
           "# then run: php artisan config:clear",
           "MAIL_MAILER=smtp",
           *assign("MAIL_HOST", bare_host(profile), "Laravel"),
           f"MAIL_PORT={profile.port}",
           "# Laravel 11+: smtps = implicit TLS; smtp = STARTTLS whenever the server offers it.",
           f"MAIL_SCHEME={'smtps' if profile.security is Security.TLS else 'smtp'}",
           "# Laravel 10 and older read this instead: ssl = implicit TLS, tls = STARTTLS.",
           f"MAIL_ENCRYPTION={_ENCRYPTION[profile.security]}",
           *note]
    if profile.security is Security.STARTTLS:
        out.append("# Symfony Mailer uses STARTTLS when the server offers it; to refuse a "
                   "server that does not, add 'require_tls' => true to the smtp mailer in "
                   "config/mail.php.")
    elif profile.security is Security.NONE:
        out.append("# No encryption, as the profile chose (Symfony Mailer still uses STARTTLS "
                   "if the server offers it; 'auto_tls' => false in config/mail.php stops it).")
    if profile.security is not Security.NONE and not profile.verify_certificates:
        out.append("# WARNING: the profile does not check the server's certificate; Laravel "
                   "does unless config/mail.php sets 'verify_peer' => false for the mailer.")
    elif profile.security is not Security.NONE and profile.ca_file:
        out.append(f"# The profile trusts the extra CA file {profile.ca_file}; PHP uses the "
                   "system's trust (openssl.cafile in php.ini), so add that CA there.")
    if source is not None:
        out += assign("MAIL_USERNAME", profile.username or "", "Laravel")
        out += password_lines("MAIL_PASSWORD", source, "Laravel")
    if profile.from_email:
        out += assign("MAIL_FROM_ADDRESS", profile.from_email, "Laravel")
    if profile.from_name:
        out += assign("MAIL_FROM_NAME", profile.from_name, "Laravel")
    return "\n".join(out) + "\n"
