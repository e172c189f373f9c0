"""nullmailer: the line of /etc/nullmailer/remotes for a profile, and a second line for a
fallback profile (nullmailer-send tries each remote in turn until one takes the message).

remotes syntax (nullmailer 2.x): `HOST PROTOCOL OPTIONS...`, split at blanks with no
quoting, lines starting with # ignored. The smtp module's options: --port, --tls (implicit
TLS), --starttls, --user, --pass, --x509cafile (replaces the system's trust), --insecure
(no certificate check). nullmailer cannot read a password from anywhere but this file, so
without --include-secrets the line is written commented out for the password to be filled
in.
"""

from __future__ import annotations

from smtp_setup.core.exports.values import (
    ExportProblem,
    PasswordSource,
    bare_host,
    check_profile,
    one_profile,
    password_source,
    refuse_oauth,
    value_word,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a nullmailer remotes file")  # in refusal sentences: "... which {tool} cannot hold"


def _word(profile: Profile, value: str, what: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise ExportProblem(_(
            "The {what} of profile {name} is empty or has blanks, which a "
            "nullmailer remotes line cannot hold (it splits at blanks); use --format msmtp."
        ).format(what=value_word(what), name=repr(profile.name)))
    return value


def remote_line(profile: Profile, source: PasswordSource | None) -> tuple[list[str], str]:
    """Comments and the remotes line (commented out when the password is missing)."""
    notes = []
    words = [_word(profile, bare_host(profile), "host name"), "smtp",
             f"--port={profile.port}"]
    if profile.security is Security.TLS:
        words.append("--tls")
    elif profile.security is Security.STARTTLS:
        words.append("--starttls")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            notes.append("# WARNING: the profile does not check the server's certificate "
                         "(--insecure).")
            words.append("--insecure")
        elif profile.ca_file:
            words.append("--x509cafile=" + _word(profile, profile.ca_file, "CA file path"))
    if source is None:
        return notes, " ".join(words)
    words.append("--user=" + _word(profile, profile.username or "", "user name"))
    if source.secret is not None:
        notes.append("# This line holds the password: keep the file private (chmod 600, "
                     "owned by the mail user).")
        return notes, " ".join([*words, "--pass=" + _word(profile, source.secret, "password")])
    notes += [f"# The password is not exported: it comes from {source.where}.",
              "# Put it after --pass= and remove the leading #:"]
    return notes, "#" + " ".join([*words, "--pass="])


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None, fallback: Profile | None = None) -> str:
    """The remotes file for one profile (and a fallback profile after it)."""
    profile = one_profile(profiles, "nullmailer")
    out = [f"# nullmailer remotes written by smtp-setup from the profile {profile.name}"
           + (f", with {fallback.name} as the fallback." if fallback else "."),
           "# Save as /etc/nullmailer/remotes (chmod 600, owned by mail); nullmailer tries "
           "the lines in order."]
    for each in [profile, fallback] if fallback else [profile]:
        refuse_oauth(each, "nullmailer")
        source = password_source(each, secrets)
        check_profile(each, TOOL, source.secret if source else None)
        notes, line = remote_line(each, source)
        if each is fallback:
            out.append(f"# Fallback: used when {profile.name} does not take the message.")
        out += [*notes, line]
    return "\n".join(out) + "\n"
