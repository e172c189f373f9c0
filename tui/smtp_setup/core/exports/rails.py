"""Rails: ActionMailer's smtp_settings for config/environments/production.rb, which Rails
hands to the `mail` gem's SMTP delivery method.

The mail gem's semantics: `tls: true` is implicit TLS; `enable_starttls: true` requires
STARTTLS (mail 2.7+; `enable_starttls_auto` only uses it when offered, and must be false
for no encryption); `ca_file` replaces the system's trust; `openssl_verify_mode: "none"`
turns off the certificate check. Strings are Ruby single-quoted literals (only \\\\ and \\'
are escapes); the password is read from ENV or a command when Rails boots.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    PasswordSource,
    bare_host,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a Ruby file")  # in refusal sentences: "... which {tool} cannot hold"


def ruby_string(value: str) -> str:
    """A Ruby single-quoted string literal that Ruby reads back as `value`."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ruby_password(source: PasswordSource) -> tuple[str, str | None]:
    """A comment and the Ruby expression for the password (None: not exported)."""
    if source.secret is not None:
        return "The password is in this file: keep it private.", ruby_string(source.secret)
    if source.env:
        return (f"The password is read from the environment variable {source.env}.",
                f"ENV.fetch({ruby_string(source.env)})")
    if source.command:
        needs = f"; this needs {source.needs}" if source.needs else ""
        return (f"The password is the output of a command, run by /bin/sh{needs}.",
                f"IO.popen(['/bin/sh', '-c', {ruby_string(source.command)}], &:read)"
                ".chomp")
    return f"The password is not exported: it comes from {source.where}; fill it in.", None


def smtp_settings(profile: Profile, source: PasswordSource | None, indent: str) -> list[str]:
    """The `key: value,` lines of the settings hash (shared with GitLab's comments)."""
    lines = [f"address: {ruby_string(bare_host(profile))},", f"port: {profile.port},"]
    if profile.security is Security.TLS:
        lines.append("tls: true, # implicit TLS: TLS from the first byte")
    elif profile.security is Security.STARTTLS:
        lines.append("enable_starttls: true, # STARTTLS, and fail if the server lacks it")
    else:
        lines.append("enable_starttls_auto: false, # no encryption, as the profile chose")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            lines += ["# WARNING: the profile does not check the server's certificate.",
                      "openssl_verify_mode: 'none',"]
        elif profile.ca_file:
            lines += ["# Only this CA file is trusted for this server.",
                      f"ca_file: {ruby_string(profile.ca_file)},"]
    timeout = max(1, round(profile.timeout))
    lines += [f"open_timeout: {timeout},", f"read_timeout: {timeout},"]
    if source is not None:
        note, expression = ruby_password(source)
        lines += [f"user_name: {ruby_string(profile.username or '')},",
                  "authentication: :plain,", f"# {note}",
                  f"password: {expression}," if expression else "# password: '...',"]
    return [indent + line for line in lines]


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The action_mailer lines for one profile."""
    profile, source = checked_profile(profiles, "rails", TOOL, secrets,
                                      oauth_refused_by="ActionMailer")
    out = [f"# ActionMailer SMTP settings written by smtp-setup from the profile "
           f"{profile.name}.",
           "# Put these lines inside `Rails.application.configure do ... end` in",
           "# config/environments/production.rb.",
           "config.action_mailer.delivery_method = :smtp",
           "config.action_mailer.raise_delivery_errors = true",
           "config.action_mailer.smtp_settings = {",
           *smtp_settings(profile, source, "  "),
           "}"]
    if profile.from_email:
        sender = display_address(profile.from_name, profile.from_email)
        out.append(f"config.action_mailer.default_options = {{ from: {ruby_string(sender)} }}")
    return "\n".join(out) + "\n"
