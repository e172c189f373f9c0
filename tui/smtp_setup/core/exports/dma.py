"""dma, the DragonFly Mail Agent: /etc/dma/dma.conf to relay every message through the
profile's server, and the /etc/dma/auth.conf line with the login.

dma's semantics (0.13): SECURETRANSFER alone is implicit TLS on PORT; with STARTTLS it
upgrades a plain connection and refuses to go on without TLS; neither is plain SMTP, where
INSECURE allows the login without encryption. dma checks no certificate against a CA (it
can only pin one with FINGERPRINT), so the export says so. dma.conf is `KEYWORD value`
lines; auth.conf is `user|smarthost:password`, read only from that file.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    ExportProblem,
    bare_host,
    checked_profile,
    value_word,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a dma configuration")  # in refusal sentences: "... which {tool} cannot hold"


def _value(profile: Profile, value: str, what: str) -> str:
    if not value or any(c.isspace() for c in value) or "#" in value:
        raise ExportProblem(_(
            "The {what} of profile {name} is empty or has blanks or #, which "
            "dma.conf cannot hold; use --format msmtp or --format postfix.").format(
                what=value_word(what), name=repr(profile.name)))
    return value


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """dma.conf and auth.conf for one profile."""
    profile, source = checked_profile(profiles, "dma", TOOL, secrets,
                                      oauth_refused_by="dma")
    host = _value(profile, bare_host(profile), "host name")
    out = [f"# dma (DragonFly Mail Agent) relay through {host}:{profile.port}, written by "
           f"smtp-setup from the profile {profile.name}.",
           "", "# --- /etc/dma/dma.conf ---",
           f"SMARTHOST {host}", f"PORT {profile.port}",
           "# Every message goes to the smarthost, local ones too.", "NULLCLIENT",
           "AUTHPATH /etc/dma/auth.conf"]
    if profile.security is Security.TLS:
        out += ["# Implicit TLS: TLS from the first byte.", "SECURETRANSFER"]
    elif profile.security is Security.STARTTLS:
        out += ["# STARTTLS, and no delivery without it.", "SECURETRANSFER", "STARTTLS"]
    else:
        out.append("# No encryption, as the profile chose.")
        if source is not None:
            out += ["# Allow the login without encryption (the password travels in clear).",
                    "INSECURE"]
    if profile.security is not Security.NONE:
        out.append("# WARNING: dma does not check the server's certificate against a CA"
                   + (" (not even the profile's CA file)" if profile.ca_file else "")
                   + "; pin it with FINGERPRINT <sha256> if you can.")
    if profile.from_email:
        out += ["# The sender of every message (envelope and From).",
                f"MASQUERADE {_value(profile, profile.from_email, 'From address')}"]
    if source is not None:
        user = profile.username or ""
        if any(c in user for c in "|:") or user != user.strip():
            raise ExportProblem(_(
                "The user name of profile {name} contains | or : or blanks at an "
                "end, which a dma auth.conf line cannot hold; use --format msmtp.").format(
                    name=repr(profile.name)))
        out += ["", "# --- /etc/dma/auth.conf (chmod 640, group mail) ---"]
        if source.secret is not None:
            out.append(f"{user}|{host}:{source.secret}")
        else:
            out += [f"# The password is not exported: it comes from {source.where}.",
                    "# Put it after the colon and remove the leading #:",
                    f"#{user}|{host}:"]
    return "\n".join(out) + "\n"
