"""What the swaks and curl exports share: a POSIX sh script that sends one test message,
the recipient from its first argument (the profile's From address when none is given),
and the password taken from where the profile keeps it when the script runs."""

from __future__ import annotations

import shlex

from smtp_setup.core.exports.values import PasswordSource
from smtp_setup.core.profiles.model import Profile


def header(profile: Profile, program: str, file: str) -> list[str]:
    default = f" (default: {profile.from_email})" if profile.from_email else ""
    return ["#!/bin/sh",
            f"# {program}: send one test message through the profile {profile.name}, written "
            "by smtp-setup.",
            f"# Save as {file} and run: sh {file} RECIPIENT{default}",
            "set -eu",
            f"recipient=\"${{1:-{profile.from_email}}}\"" if profile.from_email
            else 'recipient="$1"']


def password_assignment(variable: str, source: PasswordSource) -> list[str]:
    """`variable=...` lines that give the shell variable the password at run time."""
    if source.secret is not None:
        return ["# The password is in this file: keep it private (chmod 700).",
                f"{variable}={shlex.quote(source.secret)}"]
    if source.env:
        return [f"# The password is read from the environment variable {source.env}.",
                f'{variable}="${{{source.env}?set {source.env} to the password}}"'
                if source.env.isidentifier() else
                f"{variable}=\"$(printenv {shlex.quote(source.env)})\""]
    if source.command:
        needs = [f"# This needs {source.needs}."] if source.needs else []
        return ["# The password is the output of this command:", *needs,
                f"{variable}=\"$({source.command})\""]
    return [f"# The password is not exported: it comes from {source.where}.",
            f"{variable}=\"${{SMTP_PASSWORD?set SMTP_PASSWORD to the password}}\""]
