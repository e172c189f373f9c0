"""What the .env exports of web applications share (Laravel's phpdotenv, Mastodon's Ruby
dotenv): a `KEY=value` line in the quoting that the shell and those readers all read alike,
and a password that is the value itself, a `${VAR}` reference to the process environment,
or a comment saying where it lives.

Both readers expand `${VAR}` inside double quotes from the environment the application
starts with, so a password kept in an environment variable stays out of the file.
"""

from __future__ import annotations

import re

from smtp_setup.core.exports.dotenv import quote
from smtp_setup.core.exports.values import PasswordSource

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def assign(key: str, value: str, program: str) -> list[str]:
    """`KEY='value'`, with a note when only a POSIX shell is sure to read it back."""
    text, portable = quote(value)
    note = [] if portable else [
        f"# {key} holds quote, backslash or $ characters: this line is in shell quoting, "
        f"which {program} may read differently; check it, or set {key} in the environment."]
    return [*note, f"{key}={text}"]


def password_lines(key: str, source: PasswordSource, program: str) -> list[str]:
    """The password line: included, a ${VAR} reference, or a comment with what to do."""
    if source.secret is not None:
        return ["# The password is in this file: keep it private (chmod 600).",
                *assign(key, source.secret, program)]
    if source.env and _ENV_NAME.fullmatch(source.env):
        return [f"# The password is read from the environment variable {source.env} when "
                f"{program} starts.",
                f'{key}="${{{source.env}}}"']
    return [f"# The password is not in this file: it comes from {source.where}.",
            f"# Set {key} in the environment of {program} (or fill it in here, quoted):",
            f"# {key}="]
