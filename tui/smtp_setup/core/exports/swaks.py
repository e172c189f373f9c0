"""swaks: the command line that sends a test message the way the profile would.

swaks' own options: --tls-on-connect is implicit TLS; --tls requires STARTTLS (swaks stops
if the server does not offer it); neither means no encryption. swaks does not check the
server's certificate unless --tls-verify is given (--tls-ca-path names a private CA). The
password reaches swaks in its SWAKS_OPT_auth_password environment variable, never on the
command line where other users could see it.
"""

from __future__ import annotations

from shlex import quote

from smtp_setup.core.exports.shell_commands import header, password_assignment
from smtp_setup.core.exports.values import (
    bare_host,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_

TOOL = N_("a swaks command")  # in refusal sentences: "... which {tool} cannot hold"


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """A sh script running swaks for one profile."""
    profile, source = checked_profile(profiles, "swaks", TOOL, secrets,
                                      oauth_refused_by="swaks")
    out = header(profile, "swaks", "swaks-test.sh")
    args = [f"--server {quote(bare_host(profile))}", f"--port {profile.port}",
            f"--timeout {max(1, round(profile.timeout))}"]
    if profile.security is Security.TLS:
        args.append("--tls-on-connect")
    elif profile.security is Security.STARTTLS:
        args.append("--tls")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out.append("# WARNING: the profile does not check the server's certificate "
                       "(no --tls-verify).")
        else:
            args.append("--tls-verify")
            if profile.ca_file:
                args.append(f"--tls-ca-path {quote(profile.ca_file)}")
    if source is not None:
        out += password_assignment("SWAKS_OPT_auth_password", source)
        out.append("export SWAKS_OPT_auth_password")
        args.append(f"--auth-user {quote(profile.username or '')}")
    if profile.from_email:
        args.append(f"--from {quote(profile.from_email)}")
        if profile.from_name:
            args.append("--header " + quote(
                "From: " + display_address(profile.from_name, profile.from_email)))
    args += ['--to "$recipient"',
             "--header " + quote(f"Subject: smtp-setup test of the profile {profile.name}"),
             "--body " + quote("This test message was sent with swaks.")]
    out.append("swaks " + " \\\n  ".join(args))
    return "\n".join(out) + "\n"
