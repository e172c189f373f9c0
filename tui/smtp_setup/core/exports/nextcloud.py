"""Nextcloud: the mail_* settings as config/smtp.config.php, which Nextcloud merges into
config.php (every config/*.config.php is read).

Nextcloud's semantics (Symfony Mailer, Nextcloud 26+): mail_smtpsecure 'ssl' is implicit
TLS; '' is plain SMTP that is upgraded with STARTTLS whenever the server offers it (it
cannot be required). mail_smtpstreamoptions are PHP stream SSL options: `cafile` for a
private CA, verify_peer false to skip the check. The From address is split into
mail_from_address (the part before @) and mail_domain. config.php is PHP, so the password
can be read with getenv() or a command.
"""

from __future__ import annotations

from smtp_setup.core.exports.phpmailer import php_password, php_ssl_options
from smtp_setup.core.exports.values import (
    checked_profile,
)
from smtp_setup.core.exports.wp_config import php_string
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a PHP file")  # in refusal sentences: "... which {tool} cannot hold"


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """config/smtp.config.php for one profile."""
    profile, source = checked_profile(profiles, "nextcloud", TOOL, secrets,
                                      oauth_refused_by="Nextcloud")
    out = ["<?php",
           f"// Nextcloud mail settings written by smtp-setup from the profile {profile.name}.",
           "// Save as config/smtp.config.php in the Nextcloud folder (owned by the web "
           "server's user); Nextcloud merges it into config.php.",
           "$CONFIG = array (",
           "  'mail_smtpmode' => 'smtp',",
           f"  'mail_smtphost' => {php_string(profile.host.strip())},",
           f"  'mail_smtpport' => {profile.port},",
           "  // 'ssl' = implicit TLS; '' = STARTTLS whenever the server offers it.",
           f"  'mail_smtpsecure' => {php_string('ssl' if profile.security is Security.TLS else '')},",
           f"  'mail_smtptimeout' => {max(1, round(profile.timeout))},"]
    if profile.security is Security.STARTTLS:
        out.append("  // Nextcloud cannot require STARTTLS: it sends in clear if the server "
                   "stops offering it.")
    note, options = php_ssl_options(profile)
    if note:
        out.append(f"  // {note}")
    if options:
        out.append(f"  'mail_smtpstreamoptions' => array ('ssl' => array ({', '.join(options)})),")
    out.append(f"  'mail_smtpauth' => {'true' if source else 'false'},")
    if source is not None:
        out.append(f"  'mail_smtpname' => {php_string(profile.username or '')},")
        note, expression = php_password(source)
        out.append(f"  // {note}")
        out.append(f"  'mail_smtppassword' => {expression}," if expression
                   else "  // 'mail_smtppassword' => '...',")
    if profile.from_email:
        local, _, domain = profile.from_email.rpartition("@")
        out += ["  // The From address, split in two as Nextcloud keeps it.",
                f"  'mail_from_address' => {php_string(local)},",
                f"  'mail_domain' => {php_string(domain)},"]
    out.append(");")
    return "\n".join(out) + "\n"
