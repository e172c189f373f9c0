"""Profiles written for other tools (`smtp-setup export --format F`): MTAs and MUAs (msmtp,
Postfix, nullmailer, dma, neomutt, s-nail), frameworks and libraries (Django, Laravel,
Rails, nodemailer, PHPMailer, WordPress), servers (Gitea, Grafana, GitLab, Nextcloud,
Alertmanager, Mastodon), git send-email and ready-to-run swaks and curl commands. Each
output is what that program reads; FORMAT_FILES says which file it belongs in.

Secrets: a password is written only when the caller passes it in `secrets` (the user asked
to include secrets). Otherwise it is written by reference where the tool can follow one (a
command msmtp or git runs, an environment variable PHP reads) or left out with a comment
that says where it lives and what to fill in. Each format's rules live in core/exports/.
"""

from __future__ import annotations

from importlib import import_module

from smtp_setup.core.exports.values import ExportProblem
from smtp_setup.core.profiles.model import Profile
from smtp_setup.i18n import N_, LazyText, _

__all__ = ["FALLBACK_FORMATS", "FORMATS", "FORMAT_FILES", "ExportProblem", "render_export",
           "suggested_filename"]

# name: (what it is for, the file it belongs in, the module in core/exports/)
_REGISTRY: dict[str, tuple[LazyText, str, str]] = {
    "msmtp": (N_("msmtprc accounts for msmtp (and mutt, git, cron through msmtp)"),
              "~/.msmtprc", "msmtp"),
    "git": (N_("gitconfig [sendemail] settings for git send-email"), "sendemail.gitconfig", "git"),
    "env": (N_(".env variables for Django (EMAIL_HOST, EMAIL_PORT, ...), one profile"), ".env",
            "dotenv"),
    "wp-config": (N_("WP Mail SMTP constants for WordPress wp-config.php, one profile"),
                  "wp-config-smtp.php", "wp_config"),
    "postfix": (N_("Postfix relayhost, SASL and TLS lines for main.cf plus sasl_passwd, one "
                "profile (--fallback adds smtp_fallback_relay)"),
                "/etc/postfix/main.cf + sasl_passwd", "postfix"),
    "laravel": (N_("Laravel .env MAIL_* variables, one profile"), ".env", "laravel"),
    "nodemailer": (N_("nodemailer transport options (a CommonJS module), one profile"),
                   "smtp-transport.js", "nodemailer"),
    "phpmailer": (N_("PHPMailer settings (a PHP file returning a configure function), one "
                  "profile"), "phpmailer-smtp.php", "phpmailer"),
    "rails": (N_("Rails ActionMailer smtp_settings, one profile"),
              "config/environments/production.rb", "rails"),
    "swaks": (N_("the swaks command that sends a test message, one profile"), "swaks-test.sh",
              "swaks"),
    "curl": (N_("the curl command that sends a test message, one profile"), "curl-test.sh",
             "curl"),
    "neomutt": (N_("neomutt/mutt smtp_url and TLS settings, one profile"), "~/.neomuttrc",
                "neomutt"),
    "s-nail": (N_("s-nail (mailx) mta URL and TLS settings, one profile"), "~/.mailrc", "s_nail"),
    "nullmailer": (N_("nullmailer remotes line, one profile (--fallback adds a second remote)"),
                   "/etc/nullmailer/remotes", "nullmailer"),
    "dma": (N_("DragonFly Mail Agent dma.conf and auth.conf, one profile"),
            "/etc/dma/dma.conf + auth.conf", "dma"),
    "gitea": (N_("Gitea and Forgejo app.ini [mailer] section, one profile"), "app.ini", "gitea"),
    "grafana": (N_("Grafana grafana.ini [smtp] section, one profile"), "grafana.ini", "grafana"),
    "gitlab": (N_("GitLab Omnibus gitlab_rails['smtp_*'] settings, one profile"),
               "/etc/gitlab/gitlab.rb", "gitlab"),
    "nextcloud": (N_("Nextcloud mail_* settings, one profile"), "config/smtp.config.php",
                  "nextcloud"),
    "alertmanager": (N_("Prometheus Alertmanager global smtp_* settings, one profile"),
                     "alertmanager.yml", "alertmanager"),
    "mastodon": (N_("Mastodon .env.production SMTP_* variables, one profile"), ".env.production",
                 "mastodon"),
}
FORMATS: dict[str, LazyText] = {name: about for name, (about, _, _) in _REGISTRY.items()}
FORMAT_FILES: dict[str, str] = {name: file for name, (_, file, _) in _REGISTRY.items()}
FALLBACK_FORMATS = ("postfix", "nullmailer")

_MODULES = {name: module for name, (_, _, module) in _REGISTRY.items()}
_FILENAMES = {"msmtp": "msmtprc", "postfix": "main.cf+sasl_passwd", "neomutt": "neomuttrc",
              "s-nail": "mailrc", "nullmailer": "remotes", "dma": "dma.conf+auth.conf",
              "gitlab": "gitlab.rb", "rails": "smtp_settings.rb",
              "nextcloud": "smtp.config.php"}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportProblem(_("There is no export format {format}; choose one of: {names}.")
                            .format(format=repr(fmt), names=", ".join(FORMATS)))


def suggested_filename(fmt: str) -> str:
    """A file name for the output, as the tool usually calls it."""
    _check_format(fmt)
    return _FILENAMES.get(fmt) or FORMAT_FILES[fmt]


def render_export(profiles: list[Profile], fmt: str, *, secrets: dict[str, str] | None = None,
                  default: str | None = None, fallback: Profile | None = None) -> str:
    """The text of `profiles` in format `fmt`.

    `secrets` maps a profile name to its plain password, only when the user asked to
    include secrets; without it no secret is ever written. `default` names the default
    profile (msmtp's `account default`, git's `sendemail.identity`). `fallback` is a second
    profile used as the program's backup relay (FALLBACK_FORMATS). Raises ExportProblem
    with a sentence to show when a profile cannot be expressed in this format.
    """
    _check_format(fmt)
    if not profiles:
        raise ExportProblem(_("There is no profile to export; create one first (smtp-setup)."))
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ExportProblem(_("The same profile name appears twice; export each profile once."))
    _check_fallback(fmt, names, fallback)
    module = import_module(f"smtp_setup.core.exports.{_MODULES[fmt]}")
    if fallback is None:
        return module.render(list(profiles), secrets=secrets, default=default)
    return module.render(list(profiles), secrets=secrets, default=default, fallback=fallback)


def _check_fallback(fmt: str, names: list[str], fallback: Profile | None) -> None:
    if fallback is None:
        return
    if fmt not in FALLBACK_FORMATS:
        raise ExportProblem(_(
            "The {format} format has no backup relay, so --fallback cannot be used with it; "
            "use {options}, or leave --fallback out."
        ).format(format=fmt, options=" or ".join(f"--format {f}" for f in FALLBACK_FORMATS)))
    if fallback.name in names:
        raise ExportProblem(_(
            "Profile {name} cannot be its own fallback; choose another profile."
        ).format(name=repr(fallback.name)))
