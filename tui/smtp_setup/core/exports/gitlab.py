"""GitLab (Omnibus package): the gitlab_rails['smtp_*'] settings of /etc/gitlab/gitlab.rb,
which GitLab hands to ActionMailer and the `mail` gem.

GitLab's semantics: smtp_tls = true is implicit TLS and must not be combined with
smtp_enable_starttls_auto (GitLab 15.10+ refuses both); smtp_enable_starttls_auto uses
STARTTLS when the server offers it; both false is no encryption. smtp_ca_file trusts a
private CA, smtp_openssl_verify_mode 'none' skips the check. gitlab.rb is Ruby, so a
password can be read from ENV or a file when `gitlab-ctl reconfigure` runs; GitLab's own
way to keep it out of the file is `gitlab-rake gitlab:smtp:secret:edit`.
"""

from __future__ import annotations

from smtp_setup.core.exports.rails import ruby_password, ruby_string
from smtp_setup.core.exports.values import (
    ExportProblem,
    bare_host,
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a gitlab.rb file")  # in refusal sentences: "... which {tool} cannot hold"


def _set(key: str, value: str) -> str:
    return f"gitlab_rails['{key}'] = {value}"


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The gitlab_rails SMTP lines for one profile."""
    profile, source = checked_profile(profiles, "gitlab", TOOL, secrets,
                                      oauth_refused_by="GitLab")
    if source is not None and source.secret is not None and any(c in source.secret
                                                                for c in "'\"\\"):
        raise ExportProblem(_(
            "The password of profile {name} has a quote or backslash, which GitLab "
            "warns breaks its config processing; store it with {command} "
            "instead of --include-secrets.").format(
                name=repr(profile.name), command="gitlab-rake gitlab:smtp:secret:edit"))
    tls = profile.security is Security.TLS
    out = [f"# GitLab SMTP settings written by smtp-setup from the profile {profile.name}.",
           "# Add to /etc/gitlab/gitlab.rb, then run: sudo gitlab-ctl reconfigure",
           _set("smtp_enable", "true"),
           _set("smtp_address", ruby_string(bare_host(profile))),
           _set("smtp_port", str(profile.port)),
           "# smtp_tls = implicit TLS; smtp_enable_starttls_auto = STARTTLS when offered.",
           _set("smtp_tls", "true" if tls else "false"),
           _set("smtp_enable_starttls_auto",
                "true" if profile.security is Security.STARTTLS else "false")]
    if profile.security is Security.STARTTLS:
        out.append("# GitLab sends without TLS if the server stops offering STARTTLS.")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out += ["# WARNING: the profile does not check the server's certificate.",
                    _set("smtp_openssl_verify_mode", "'none'")]
        else:
            out.append(_set("smtp_openssl_verify_mode", "'peer'"))
            if profile.ca_file:
                out.append(_set("smtp_ca_file", ruby_string(profile.ca_file)))
    timeout = max(1, round(profile.timeout))
    out += [_set("smtp_open_timeout", str(timeout)), _set("smtp_read_timeout", str(timeout))]
    if source is not None:
        out += [_set("smtp_user_name", ruby_string(profile.username or "")),
                _set("smtp_authentication", "'plain'")]
        note, expression = ruby_password(source)
        out.append(f"# {note}")
        if expression:
            out.append(_set("smtp_password", expression))
        else:
            out.append("# Store it with: sudo gitlab-rake gitlab:smtp:secret:edit "
                       "EDITOR=editor")
    if profile.from_email:
        out.append(_set("gitlab_email_from", ruby_string(profile.from_email)))
    if profile.from_name:
        out.append(_set("gitlab_email_display_name", ruby_string(profile.from_name)))
    return "\n".join(out) + "\n"
