"""curl: the command line that sends a test message the way the profile would.

curl's own semantics: an smtps:// URL is implicit TLS; smtp:// with --ssl-reqd requires
STARTTLS (without it curl sends in the clear); --cacert replaces the system's trust and
--insecure turns off the certificate check. --user is "name:password", split at the first
colon; curl blanks it from its command line once it has read it. An OAuth profile logs in
with --oauth2-bearer and a fresh token from `smtp-setup token`.
"""

from __future__ import annotations

from shlex import quote

from smtp_setup.core.exports.shell_commands import header, password_assignment
from smtp_setup.core.exports.values import (
    ExportProblem,
    checked_profile,
    display_address,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a curl command")  # in refusal sentences: "... which {tool} cannot hold"


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """A sh script running curl for one profile."""
    profile, source = checked_profile(profiles, "curl", TOOL, secrets)
    scheme = "smtps" if profile.security is Security.TLS else "smtp"
    out = header(profile, "curl", "curl-test.sh")
    args = ["--silent --show-error", f"--url {quote(f'{scheme}://{profile.server}')}",
            f"--connect-timeout {max(1, round(profile.timeout))}"]
    if profile.security is Security.STARTTLS:
        args.append("--ssl-reqd")
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            out.append("# WARNING: the profile does not check the server's certificate.")
            args.append("--insecure")
        elif profile.ca_file:
            args.append(f"--cacert {quote(profile.ca_file)}")
    if source is not None and source.oauth:
        out += [f"# OAuth sign-in: a fresh access token from smtp-setup (this needs "
                f"{source.needs}).", f'token="$({source.command})"']
        args += [f"--user {quote(profile.username or '')}", '--oauth2-bearer "$token"']
    elif source is not None:
        if ":" in (profile.username or ""):
            raise ExportProblem(_(
                "The user name of profile {name} contains a colon, which curl's "
                "--user cannot hold (it splits name and password there); use --format swaks."
            ).format(name=repr(profile.name)))
        out += password_assignment("password", source)
        args.append(f"--user {quote((profile.username or '') + ':')}\"$password\"")
    sender = display_address(profile.from_name, profile.from_email) or "smtp-setup"
    if profile.from_email:
        args.append(f"--mail-from {quote(profile.from_email)}")
    args += ['--mail-rcpt "$recipient"', "--upload-file -"]
    out += ["printf '%s\\r\\n' " + quote(f"From: {sender}") + ' "To: $recipient" '
            + quote(f"Subject: smtp-setup test of the profile {profile.name}") + " '' "
            + quote("This test message was sent with curl.") + " |",
            "curl " + " \\\n  ".join(args)]
    return "\n".join(out) + "\n"
