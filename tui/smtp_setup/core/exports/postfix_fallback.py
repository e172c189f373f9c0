"""Postfix's backup relay: `smtp_fallback_relay` names a second relay that Postfix uses when
the relayhost does not answer or defers, and the sasl_passwd table gets that relay's login
on a line of its own (the table is looked up by the relay that is being tried).

main.cf's TLS settings (wrapper mode, security level, CA file) apply to every relay, so the
fallback must be secured the same way as the main profile; otherwise the export refuses
and says what to change.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    ExportProblem,
    check_profile,
    password_source,
    refuse_oauth,
)
from smtp_setup.core.profiles.model import Profile
from smtp_setup.i18n import N_, _

TOOL = N_("a Postfix configuration")  # in refusal sentences: "... which {tool} cannot hold"


def relayhost(profile: Profile) -> str:
    """`[host]:port`: the brackets turn off the MX look-up, as a submission server wants."""
    return f"[{profile.host.strip().strip('[]')}]:{profile.port}"



def add_fallback(lines: list[str], profile: Profile, fallback: Profile,
                 secrets: dict[str, str] | None) -> list[str]:
    """`lines` of the postfix export for `profile`, with `fallback` added as backup relay."""
    refuse_oauth(fallback, "Postfix")
    source = password_source(fallback, secrets)
    check_profile(fallback, TOOL, source.secret if source else None)
    same = (profile.security, profile.verify_certificates, profile.ca_file) == (
        fallback.security, fallback.verify_certificates, fallback.ca_file)
    if not same:
        raise ExportProblem(_(
            "Postfix applies one TLS setting to every relay, but {fallback} is "
            "secured differently from {name}; choose a fallback with the same "
            "encryption and certificate settings, or write smtp_tls_policy_maps by hand."
        ).format(fallback=repr(fallback.name), name=repr(profile.name)))
    if source is not None and password_source(profile, secrets) is None:
        raise ExportProblem(_(
            "The fallback {fallback} logs in but {name} does not; export "
            "{fallback_bare} as the main profile with {name_bare} as its fallback instead."
        ).format(fallback=repr(fallback.name), name=repr(profile.name),
                 fallback_bare=fallback.name, name_bare=profile.name))
    relay = relayhost(fallback)
    at = lines.index(next(line for line in lines if line.startswith("relayhost = "))) + 1
    lines = [*lines[:at], f"# When {profile.name} does not answer or defers, Postfix tries "
             f"{fallback.name}:", f"smtp_fallback_relay = {relay}", *lines[at:]]
    if source is None:
        return lines
    if ":" in (fallback.username or "") or (source.secret or "x").strip() != (
            source.secret or "x"):
        raise ExportProblem(_(
            "The user name or password of profile {name} has a colon or blanks "
            "at an end, which a Postfix sasl_passwd line cannot hold; use another format."
        ).format(name=repr(fallback.name)))
    at = lines.index("# --- then run, as root ---") - 1
    if source.secret is not None:
        extra = [f"{relay} {fallback.username}:{source.secret}"]
    else:
        extra = [f"# The password of {fallback.name} comes from {source.where}:",
                 f"#{relay} {fallback.username}:"]
    return [*lines[:at], *extra, *lines[at:]]
