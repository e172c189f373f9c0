"""Gitea and Forgejo: the [mailer] section of app.ini (Gitea 1.18+, every Forgejo).

Their semantics: PROTOCOL = smtps is implicit TLS, smtp+starttls requires STARTTLS, smtp is
no encryption, and Go's SMTP client then refuses to send a password (except to
localhost). FORCE_TRUST_SERVER_CERT = true skips the certificate check; there is no CA
setting: Go reads extra trust from the SSL_CERT_FILE environment variable. A password kept
outside the file goes in the environment as GITEA__mailer__PASSWD (FORGEJO__mailer__PASSWD),
which the container images write into app.ini at start (environment-to-ini).
"""

from __future__ import annotations

from smtp_setup.core.exports.go_ini import ini_value, refuse_password_in_clear
from smtp_setup.core.exports.values import (
    bare_host,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("an app.ini file")  # in refusal sentences: "... which {tool} cannot hold"
_PROTOCOL = {Security.TLS: "smtps", Security.STARTTLS: "smtp+starttls", Security.NONE: "smtp"}


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The [mailer] section for one profile."""
    profile, source = checked_profile(profiles, "gitea", TOOL, secrets,
                                      oauth_refused_by="Gitea")
    host = bare_host(profile)
    refuse_password_in_clear(profile, source is not None, host, "Gitea")

    def value(text: str, what: str) -> str:
        return ini_value(profile, text, what, "Gitea")

    out = [f"; Gitea / Forgejo mail settings written by smtp-setup from the profile "
           f"{profile.name}.",
           "; Replace the [mailer] section of app.ini (custom/conf/app.ini, or /etc/gitea/"
           "app.ini) and restart.",
           "[mailer]", "ENABLED = true",
           "; smtps = implicit TLS, smtp+starttls = STARTTLS required, smtp = no encryption.",
           f"PROTOCOL = {_PROTOCOL[profile.security]}",
           f"SMTP_ADDR = {value(host, 'host name')}",
           f"SMTP_PORT = {profile.port}"]
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out += ["; WARNING: the profile does not check the server's certificate.",
                    "FORCE_TRUST_SERVER_CERT = true"]
        elif profile.ca_file:
            out.append("; The profile trusts an extra CA: start Gitea with SSL_CERT_FILE "
                       "pointing at a bundle that includes it.")
    if profile.from_email:
        sender = display_address(profile.from_name, profile.from_email)
        out.append(f"FROM = {value(sender, 'From address')}")
    if source is not None:
        out.append(f"USER = {value(profile.username or '', 'user name')}")
        if source.secret is not None:
            out += ["; The password is in this file: keep app.ini private.",
                    f"PASSWD = {value(source.secret, 'password')}"]
        else:
            out += [f"; The password is not in this file: it comes from {source.where}.",
                    "; Give it to Gitea as the environment variable GITEA__mailer__PASSWD "
                    "(Forgejo: FORGEJO__mailer__PASSWD),",
                    "; or fill it in here: PASSWD = `...`"]
    return "\n".join(out) + "\n"
