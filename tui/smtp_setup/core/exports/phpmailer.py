"""PHPMailer: a PHP file that returns a function setting up a PHPMailer object for SMTP
(`$configure = require 'phpmailer-smtp.php'; $configure($mail);`).

PHPMailer's own semantics: SMTPSecure = ENCRYPTION_SMTPS is implicit TLS, ENCRYPTION_STARTTLS
is STARTTLS (and fails when the server does not offer it); with no encryption SMTPAutoTLS
must be false or PHPMailer upgrades anyway. SMTPOptions are PHP stream context options, so
a private CA is `cafile` and an unchecked certificate is `verify_peer` false. Strings are
PHP single-quoted literals; the password is read with getenv() or shell_exec() when the
function runs, unless it was asked to be included.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    PasswordSource,
    checked_profile,
)
from smtp_setup.core.exports.wp_config import php_string
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a PHP file")  # in refusal sentences: "... which {tool} cannot hold"
_SECURE = {Security.TLS: "PHPMailer::ENCRYPTION_SMTPS",
           Security.STARTTLS: "PHPMailer::ENCRYPTION_STARTTLS", Security.NONE: "''"}


def php_ssl_options(profile: Profile) -> tuple[str | None, list[str]]:
    """PHP's `ssl` stream context options for the profile's certificate check (PHPMailer's
    SMTPOptions, Nextcloud's mail_smtpstreamoptions), with the comment that explains them."""
    if profile.security is Security.NONE:
        return None, []
    if not profile.verify_certificates:
        return ("WARNING: the profile does not check the server's certificate.",
                ["'verify_peer' => false", "'verify_peer_name' => false"])
    if profile.ca_file:
        return ("Only this CA file is trusted for this server.",
                [f"'cafile' => {php_string(profile.ca_file)}"])
    return None, []


def php_password(source: PasswordSource) -> tuple[str, str | None]:
    """A comment and the PHP expression for the password (None: not exported)."""
    if source.secret is not None:
        return ("The password is in this file: keep it readable only by the web server's "
                "user.", php_string(source.secret))
    if source.env:
        return (f"The password is read from the environment variable {source.env}.",
                f"(string) getenv({php_string(source.env)})")
    if source.command:
        needs = f"; this needs {source.needs}" if source.needs else ""
        return (f"The password is the output of a command, run by the shell{needs}.",
                f"rtrim((string) shell_exec({php_string(source.command)}), \"\\r\\n\")")
    return (f"The password is not exported: it comes from {source.where}; fill it in.", None)


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """A PHP file returning function (PHPMailer $mail): void for one profile."""
    profile, source = checked_profile(profiles, "phpmailer", TOOL, secrets,
                                      oauth_refused_by=_("this PHPMailer file"))
    out = ["<?php",
           f"// PHPMailer SMTP settings written by smtp-setup from the profile {profile.name}.",
           "// Use it on a PHPMailer object:",
           "//   $configure = require __DIR__ . '/phpmailer-smtp.php';",
           "//   $configure($mail);",
           "use PHPMailer\\PHPMailer\\PHPMailer;",
           "",
           "return static function (PHPMailer $mail): void {",
           "    $mail->isSMTP();",
           f"    $mail->Host = {php_string(profile.host.strip())};",
           f"    $mail->Port = {profile.port};",
           "    // ENCRYPTION_SMTPS = implicit TLS, ENCRYPTION_STARTTLS = STARTTLS, '' = none.",
           f"    $mail->SMTPSecure = {_SECURE[profile.security]};",
           f"    $mail->SMTPAutoTLS = {'false' if profile.security is Security.NONE else 'true'};",
           f"    $mail->Timeout = {max(1, round(profile.timeout))};"]
    note, options = php_ssl_options(profile)
    if note:
        out.append(f"    // {note}")
    if options:
        out.append(f"    $mail->SMTPOptions = ['ssl' => [{', '.join(options)}]];")
    out.append(f"    $mail->SMTPAuth = {'true' if source else 'false'};")
    if source is not None:
        out.append(f"    $mail->Username = {php_string(profile.username or '')};")
        note, expression = php_password(source)
        out.append(f"    // {note}")
        out.append(f"    $mail->Password = {expression};" if expression
                   else "    // $mail->Password = '...';")
    if profile.from_email:
        out.append(f"    $mail->setFrom({php_string(profile.from_email)}, "
                   f"{php_string(profile.from_name)});")
    out.append("};")
    return "\n".join(out) + "\n"
