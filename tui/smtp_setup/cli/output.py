"""What every command shares: the one-line error, and plain or JSON output."""

from __future__ import annotations

import argparse
import functools
import os
import sys

from smtp_setup.i18n import _
from smtp_setup.text_width import cells, pad

TYPE_CHECKING = False  # typing itself costs start-up time on every command
if TYPE_CHECKING:
    from typing import Any


class UsageError(Exception):
    """A mistake the person can fix; printed as one line, exit status 2."""


def print_json(data: Any) -> None:
    import json  # only the --json runs pay for it

    print(json.dumps(data, indent=2, ensure_ascii=False))


def marks() -> tuple[str, str, str]:
    """✓ ✗ - where the terminal's encoding can show them, plain ASCII otherwise."""
    try:
        "✓✗–".encode(sys.stdout.encoding or "ascii")
        return "✓", "✗", "–"
    except (UnicodeEncodeError, LookupError):
        return "OK", "X", "-"


def table(rows: list[list[str]]) -> list[str]:
    """Columns aligned by terminal cells (a Japanese character takes two)."""
    widths = [max(cells(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True))
        .rstrip()
        for row in rows
    ]


def option_problem(option: str, problem: object, value: str | None = None) -> str:
    """`--to 'x': the problem`: what is wrong with an option's value, on one line."""
    if value is None:
        # TRANSLATORS: an option and what is wrong with it: "--ports: 70000 is not a port"
        return _("{option}: {problem}").format(option=option, problem=problem)
    # TRANSLATORS: an option, its value and what is wrong: "--to 'x': not an address"
    return _("{option} {value}: {problem}").format(option=option, value=repr(value),
                                                   problem=problem)


def invalid_setting(profile: Any, problem: Any) -> str:
    """The one line for a profile that cannot be used as it is, and the command to fix it."""
    from smtp_setup.core.profiles.next_command import next_command

    return _("Profile {name} has an invalid setting ({problem}); run: {command}").format(
        name=repr(profile.name), problem=problem, command=next_command("edit", profile.name))


PORTABLE = "toml"  # smtp-setup's own export format, for `smtp-setup import`
PASSPHRASE_ENV = "SMTP_SETUP_PASSPHRASE"


def one_line_errors(handler):
    """Errors a person can cause become UsageError: one line, exit 2."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from smtp_setup.core.profiles.model import ProfileError
        from smtp_setup.core.profiles.portable import ImportProblem
        from smtp_setup.core.profiles.secrets import SecretError
        from smtp_setup.core.profiles.upkeep import NameTakenError

        try:
            return handler(args)
        except ProfileError as exc:
            raise UsageError(exc.message if exc.field == "name" else str(exc)) from None
        except (ImportProblem, NameTakenError, SecretError) as exc:
            raise UsageError(str(exc)) from None

    return run


def warn(warnings: list[str]) -> None:
    for line in warnings:
        print(f"! {line}", file=sys.stderr)


def interactive() -> bool:
    # getpass would open /dev/tty even with stdin redirected; a script must never block.
    return sys.stdin.isatty()


def report(result: Any, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "profiles": result.names,
        "default": result.default,
        "keyring_removed": result.keyring_removed,
        "warnings": result.warnings,
        "config": str(result.path),
    }


def ask_passphrase(*, confirm: bool) -> str:
    """From SMTP_SETUP_PASSPHRASE, else asked on the terminal (twice when sealing)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        if not value:
            raise UsageError(_("{variable} is empty; an empty passphrase protects nothing.")
                             .format(variable=PASSPHRASE_ENV))
        return value
    if not interactive():
        raise UsageError(_(
            "A passphrase is needed and there is no terminal to ask for it; set {variable}."
        ).format(variable=PASSPHRASE_ENV))
    import getpass

    first = getpass.getpass(_("Passphrase to seal the passwords: ") if confirm else
                            _("Passphrase the export was sealed with: "))
    if not first:
        raise UsageError(_("An empty passphrase protects nothing; nothing was written."))
    if confirm and getpass.getpass(_("The same passphrase again: ")) != first:
        raise UsageError(_("The two passphrases differ; nothing was written."))
    return first
