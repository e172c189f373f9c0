"""Grafana: the [smtp] section of grafana.ini.

Grafana's semantics: `host` is host:port; its mail library uses implicit TLS exactly when
the port is 465, so implicit TLS on another port cannot be expressed; startTLS_policy is
MandatoryStartTLS (STARTTLS required), OpportunisticStartTLS or NoStartTLS; skip_verify
turns off the certificate check and there is no CA setting (Go reads SSL_CERT_FILE).
Grafana expands $__env{NAME} and $__file{PATH} in any value, so a password kept in the
environment stays there.
"""

from __future__ import annotations

from smtp_setup.core.exports.go_ini import (
    ini_value,
    refuse_implicit_tls_off_465,
    refuse_password_in_clear,
)
from smtp_setup.core.exports.values import (
    ExportProblem,
    bare_host,
    checked_profile,
    value_word,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a grafana.ini file")  # in refusal sentences: "... which {tool} cannot hold"
_POLICY = {Security.TLS: "NoStartTLS", Security.STARTTLS: "MandatoryStartTLS",
           Security.NONE: "NoStartTLS"}


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """The [smtp] section for one profile."""
    profile, source = checked_profile(profiles, "grafana", TOOL, secrets,
                                      oauth_refused_by="Grafana")
    refuse_implicit_tls_off_465(profile, "Grafana")
    refuse_password_in_clear(profile, source is not None, bare_host(profile), "Grafana")

    def value(text: str, what: str) -> str:
        if "$__" in text:
            raise ExportProblem(_("The {what} of profile {name} contains $__, which "
                                  "Grafana would expand; set it by hand.").format(
                what=value_word(what), name=repr(profile.name)))
        return ini_value(profile, text, what, "Grafana")

    out = [f"# Grafana mail settings written by smtp-setup from the profile {profile.name}.",
           "# Replace the [smtp] section of grafana.ini (/etc/grafana/grafana.ini) and "
           "restart Grafana.",
           "[smtp]", "enabled = true",
           f"host = {value(profile.server, 'host name')}",
           "# Port 465 is implicit TLS; MandatoryStartTLS requires STARTTLS elsewhere.",
           f"startTLS_policy = {_POLICY[profile.security]}"]
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out += ["# WARNING: the profile does not check the server's certificate.",
                    "skip_verify = true"]
        else:
            out.append("skip_verify = false")
            if profile.ca_file:
                out.append("# The profile trusts an extra CA: start Grafana with "
                           "SSL_CERT_FILE pointing at a bundle that includes it.")
    if source is not None:
        out.append(f"user = {value(profile.username or '', 'user name')}")
        if source.secret is not None:
            out += ["# The password is in this file: keep it private.",
                    f"password = {value(source.secret, 'password')}"]
        elif source.env:
            out += [f"# The password is read from the environment variable {source.env}.",
                    f"password = $__env{{{source.env}}}"]
        else:
            out += [f"# The password is not in this file: it comes from {source.where}.",
                    "# Set GF_SMTP_PASSWORD in Grafana's environment, or use "
                    "password = $__file{/path/to/file}."]
    if profile.from_email:
        out.append(f"from_address = {value(profile.from_email, 'From address')}")
    if profile.from_name:
        out.append(f"from_name = {value(profile.from_name, 'From name')}")
    return "\n".join(out) + "\n"
