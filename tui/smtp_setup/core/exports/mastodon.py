"""Mastodon: the SMTP_* variables of .env.production (read by config/mail.yml or, before
4.3, config/environments/production.rb, into ActionMailer's smtp_settings).

Mastodon's semantics: SMTP_TLS=true is implicit TLS; SMTP_ENABLE_STARTTLS is `always`
(STARTTLS required), `auto` or `never`; SMTP_AUTH_METHOD is plain, login or none;
SMTP_CA_FILE names the trust file (default the system's) and SMTP_OPENSSL_VERIFY_MODE=none
skips the check. Its dotenv reader expands ${NAME} from the environment.
"""

from __future__ import annotations

from smtp_setup.core.exports.env_files import assign, password_lines
from smtp_setup.core.exports.values import (
    bare_host,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a .env.production file")  # in refusal sentences: "... which {tool} cannot hold"
_STARTTLS = {Security.TLS: "never", Security.STARTTLS: "always", Security.NONE: "never"}


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The SMTP_* lines for one profile."""
    profile, source = checked_profile(profiles, "mastodon", TOOL, secrets,
                                      oauth_refused_by="Mastodon")
    out = [f"# Mastodon outgoing mail written by smtp-setup from the profile {profile.name}.",
           "# Add these lines to .env.production and restart the web and sidekiq services.",
           "SMTP_DELIVERY_METHOD=smtp",
           *assign("SMTP_SERVER", bare_host(profile), "Mastodon"),
           f"SMTP_PORT={profile.port}",
           "# SMTP_TLS=true is implicit TLS; SMTP_ENABLE_STARTTLS=always requires STARTTLS.",
           f"SMTP_TLS={'true' if profile.security is Security.TLS else 'false'}",
           f"SMTP_ENABLE_STARTTLS={_STARTTLS[profile.security]}"]
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out += ["# WARNING: the profile does not check the server's certificate.",
                    "SMTP_OPENSSL_VERIFY_MODE=none"]
        else:
            out.append("SMTP_OPENSSL_VERIFY_MODE=peer")
            if profile.ca_file:
                out += assign("SMTP_CA_FILE", profile.ca_file, "Mastodon")
    if source is not None:
        out.append("SMTP_AUTH_METHOD=plain")
        out += assign("SMTP_LOGIN", profile.username or "", "Mastodon")
        out += password_lines("SMTP_PASSWORD", source, "Mastodon")
    else:
        out.append("SMTP_AUTH_METHOD=none")
    if profile.from_email:
        out += assign("SMTP_FROM_ADDRESS",
                      display_address(profile.from_name, profile.from_email), "Mastodon")
    return "\n".join(out) + "\n"
