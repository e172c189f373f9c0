"""WordPress: the WP Mail SMTP constants for wp-config.php ("Other SMTP" mailer).

The plugin reads them only when WPMS_ON is true. WPMS_SSL is '' (none), 'ssl' (implicit
TLS) or 'tls', which PHPMailer treats as STARTTLS. Strings are PHP single-quoted literals,
where only \\\\ and \\' are escapes; values never go into a // comment, since `?>` there
would end the PHP code.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a PHP file")  # in refusal sentences: "... which {tool} cannot hold"
_SSL = {Security.TLS: "ssl", Security.STARTTLS: "tls", Security.NONE: ""}


def php_string(value: str) -> str:
    """A PHP single-quoted string literal that PHP reads back as `value`."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _define(name: str, php_value: str) -> str:
    return f"define( '{name}', {php_value} );"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """A small PHP file of define() lines for one profile."""
    profile, source = checked_profile(profiles, "wp-config", TOOL, secrets,
                                      oauth_refused_by="WordPress")
    out = ["<?php",
           f"// WP Mail SMTP settings written by smtp-setup from the profile {profile.name}.",
           "// Load this file from wp-config.php, above the line \"That's all, stop editing!\":",
           "//   require_once __DIR__ . '/wp-config-smtp.php';",
           "// or paste the define() lines there. Constants lock the plugin's settings page.",
           _define("WPMS_ON", "true"),
           _define("WPMS_MAILER", php_string("smtp")),
           _define("WPMS_SMTP_HOST", php_string(profile.host.strip())),
           _define("WPMS_SMTP_PORT", str(profile.port)),
           "// '' = no encryption, 'ssl' = implicit TLS, 'tls' = STARTTLS.",
           _define("WPMS_SSL", php_string(_SSL[profile.security])),
           "// AutoTLS would upgrade an unencrypted connection when the server offers it; "
           "off when the profile chose no encryption.",
           _define("WPMS_SMTP_AUTOTLS", _bool(profile.security is not Security.NONE)),
           _define("WPMS_SMTP_AUTH", _bool(source is not None))]
    if profile.security is not Security.NONE and not profile.verify_certificates:
        out.append("// WARNING: the profile does not check the server's certificate, but "
                   "PHPMailer does: sending fails until the certificate is trusted.")
    elif profile.security is not Security.NONE and profile.ca_file:
        out.append("// The profile trusts an extra CA file; PHP uses the system's trust "
                   "(openssl.cafile in php.ini), so add that CA there.")
    if source is not None:
        out.append(_define("WPMS_SMTP_USER", php_string(profile.username or "")))
        if source.secret is not None:
            out += ["// The password is in this file: keep it readable only by the web "
                    "server's user.",
                    _define("WPMS_SMTP_PASS", php_string(source.secret))]
        elif source.env is not None:
            out += ["// The password is read from an environment variable of the PHP "
                    "process (getenv returns false when it is not set).",
                    _define("WPMS_SMTP_PASS", f"getenv( {php_string(source.env)} )")]
        else:
            kind = profile.password.kind if profile.password else "none"
            out += [f"// The password is not exported (its source in smtp-setup: {kind}); "
                    "fill it in and remove the // below.",
                    "// " + _define("WPMS_SMTP_PASS", "'...'")]
    if profile.from_email:
        out += [_define("WPMS_MAIL_FROM", php_string(profile.from_email)),
                "// Send every message from this address, whatever the plugin or theme asks.",
                _define("WPMS_MAIL_FROM_FORCE", "true")]
    if profile.from_name:
        out.append(_define("WPMS_MAIL_FROM_NAME", php_string(profile.from_name)))
    return "\n".join(out) + "\n"
