"""nodemailer: the transport options for nodemailer.createTransport(), as a CommonJS module
(`nodemailer.createTransport(options, options.defaults)`).

nodemailer's own semantics: `secure: true` only for implicit TLS (port 465 style);
`secure: false` with `requireTLS: true` for STARTTLS, which then fails when the server does
not offer it; `ignoreTLS: true` for no encryption. `tls` goes to Node's tls.connect, whose
`ca` is the PEM text (read from the file here) and `rejectUnauthorized: false` turns off
the certificate check. Values are JSON literals, which JavaScript reads as they are; the
password is read from the environment or a command when node loads the module.
"""

from __future__ import annotations

import json

from smtp_setup.core.exports.values import (
    PasswordSource,
    bare_host,
    checked_profile,
)
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

TOOL = N_("a nodemailer options file")  # in refusal sentences: "... which {tool} cannot hold"


def js(value: object) -> str:
    """A JavaScript literal (JSON, with the two line separators JavaScript once refused
    inside strings escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def _password(source: PasswordSource) -> tuple[list[str], str | None]:
    if source.secret is not None:
        return (["    // The password is in this file: keep it private (chmod 600)."],
                js(source.secret))
    if source.env:
        return ([f"    // The password is read from the environment variable {source.env}."],
                f"process.env[{js(source.env)}]")
    if source.command:
        needs = f" (this needs {source.needs})" if source.needs else ""
        return ([f"    // The password is the output of a command, run when this file is "
                 f"loaded{needs}."],
                f'require("child_process").execSync({js(source.command)}, '
                '{ encoding: "utf8" }).replace(/\\r?\\n$/, "")')
    return ([f"    // The password is not exported: it comes from {source.where}; fill it in."],
            None)


def render(profiles: list[Profile], *, secrets: dict[str, str] | None = None,
           default: str | None = None) -> str:
    """A CommonJS module exporting the transport options for one profile."""
    profile, source = checked_profile(profiles, "nodemailer", TOOL, secrets,
                                      oauth_refused_by=_("nodemailer (with a fixed access token)"))
    out = [f"// nodemailer transport options written by smtp-setup from the profile "
           f"{profile.name}.",
           "// Save as smtp-transport.js and use it with:",
           '//   const options = require("./smtp-transport.js");',
           "//   const transport = nodemailer.createTransport(options, options.defaults);",
           "module.exports = {",
           f"  host: {js(bare_host(profile))},",
           f"  port: {profile.port},"]
    if profile.security is Security.TLS:
        out.append("  secure: true, // implicit TLS: TLS from the first byte")
    elif profile.security is Security.STARTTLS:
        out += ["  secure: false,",
                "  requireTLS: true, // STARTTLS, and fail if the server does not offer it"]
    else:
        out += ["  secure: false,",
                "  ignoreTLS: true, // no encryption, as the profile chose"]
    tls = []
    if profile.security is not Security.NONE:
        if not profile.verify_certificates:
            tls.append("    // WARNING: the profile does not check the server's certificate.")
            tls.append("    rejectUnauthorized: false,")
        elif profile.ca_file:
            tls.append("    // Only this CA file is trusted for this server.")
            tls.append(f'    ca: require("fs").readFileSync({js(profile.ca_file)}),')
    if tls:
        out += ["  tls: {", *tls, "  },"]
    timeout = round(profile.timeout * 1000)
    out += [f"  connectionTimeout: {timeout},", f"  greetingTimeout: {timeout},"]
    if source is not None:
        notes, password = _password(source)
        out += ["  auth: {", f"    user: {js(profile.username or '')},", *notes,
                f"    pass: {password}," if password else '    // pass: "...",', "  },"]
    out.append("};")
    if profile.from_email:
        sender = {"name": profile.from_name, "address": profile.from_email} \
            if profile.from_name else profile.from_email
        out += ["// The From of every message, given to createTransport as its defaults.",
                f"module.exports.defaults = {{ from: {js(sender)} }};"]
    return "\n".join(out) + "\n"
