"""Profile upkeep on the command line: delete, rename, default and export, and the
arguments of import (whose work is in cli_import).

The work is done by core (profile_upkeep, portable, sealing); this module parses, asks
(confirmation, passphrase) only on a terminal, and reports. Nothing heavy is
imported at the top: `export` stays free of Textual and aiosmtplib.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path
from typing import Any

from smtp_setup.cli.output import UsageError, print_json
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.next_command import next_command

PASSPHRASE_ENV = "SMTP_SETUP_PASSPHRASE"
PORTABLE = "toml"


def register(command) -> None:
    """Add the upkeep commands through cli.build_parser's `command(name, handler, help)`."""
    delete = command("delete", _cmd_delete, "delete a profile and its keyring entry")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask to confirm")
    rename = command("rename", _cmd_rename, "rename a profile (its keyring entry moves with it)")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    command("default", _cmd_default, "make a profile the default").add_argument(
        "name", metavar="NAME"
    )
    export = command(
        "export", _cmd_export, "write profiles for another machine or another program"
    )
    export.add_argument("name", metavar="NAME", nargs="?", help="the profile (or use --all)")
    export.add_argument("--all", action="store_true", help="every profile")
    export.add_argument(
        "--format", default=PORTABLE, metavar="F",
        help=f"the program to write for (see --list-formats; default {PORTABLE}: for "
        "smtp-setup import)",
    )
    export.add_argument("--list-formats", action="store_true",
                        help="list every format and the file it is for, then exit")
    export.add_argument("--fallback", metavar="PROFILE",
                        help="a second profile as backup relay (postfix, nullmailer)")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (0600), - for stdout")
    export.add_argument(
        "--include-secrets", action="store_true",
        help=f"include passwords; {PORTABLE} seals them with a passphrase ({PASSPHRASE_ENV})",
    )
    imp = command("import", _cmd_import, "add the profiles of an export file to this machine")
    imp.add_argument("file", metavar="FILE", help="an export file, or - for stdin")
    imp.add_argument("--as", dest="as_name", metavar="NAME", help="import one profile as NAME")
    imp.add_argument("--replace", action="store_true", help="overwrite profiles of the same name")
    imp.add_argument(
        "--store", metavar="WHERE",
        help="where passwords go here: keyring, file, env:VAR or command:CMD "
        "(default: the keyring when usable)",
    )


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


# -- delete, rename, default ---------------------------------------------------------


@one_line_errors
def _cmd_delete(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.upkeep import delete_profile

    store = ConfigStore(args.config)
    config = store.load()
    config.profile(args.name)
    if not args.yes:
        if not interactive():
            raise UsageError(
                f"Deleting profile {args.name!r} needs a yes; there is no terminal to ask, "
                "so add --yes."
            )
        print(f"Delete profile {args.name!r}? [y/N] ", end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("Nothing was deleted.", file=sys.stderr)
            return 1
    result = delete_profile(store, args.name, expected=config)
    if args.json:
        print_json(report(result, deleted=args.name))
        return 0
    print(f"Deleted profile {args.name!r}.")
    for ref in result.keyring_removed:
        print(f"Removed its password from the system keyring ({ref}).")
    if result.default and config.default_profile == args.name:
        print(f"The default profile is now {result.default!r}.")
    warn(result.warnings)
    return 0


@one_line_errors
def _cmd_rename(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.upkeep import rename_profile

    store = ConfigStore(args.config)
    result = rename_profile(store, args.old, args.new)
    if args.json:
        print_json(report(result, renamed={"from": args.old, "to": args.new}))
        return 0
    print(f"Renamed profile {args.old!r} to {args.new!r}.")
    if result.keyring_removed:
        print(f"Its password moved in the system keyring to smtp-setup/{args.new}.")
    warn(result.warnings)
    return 0


@one_line_errors
def _cmd_default(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.upkeep import set_default

    result = set_default(ConfigStore(args.config), args.name)
    if args.json:
        print_json(report(result))
    else:
        print(f"Profile {args.name!r} is now the default.")
    return 0


def report(result: Any, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "profiles": result.names,
        "default": result.default,
        "keyring_removed": result.keyring_removed,
        "warnings": result.warnings,
        "config": str(result.path),
    }


# -- export --------------------------------------------------------------------------


@one_line_errors
def _cmd_export(args: argparse.Namespace) -> int:
    if args.list_formats:
        from smtp_setup.cli.export_formats import list_formats

        return list_formats(args.json)
    store = ConfigStore(args.config)
    config = store.load()
    if args.all == (args.name is not None):
        raise UsageError("Name one profile to export, or use --all (not both).")
    if args.all and not config.names:
        raise UsageError(f"There are no profiles to export yet; run {next_command()} to create one.")
    profiles = list(config.profiles.values()) if args.all else [config.profile(args.name)]
    skipped = [f"Profile {b.name!r} was left out: it is broken ({b.reason}); fix it with: "
               f"{next_command('edit', b.name)}" for b in config.broken.values()] if args.all else []
    if not profiles:
        raise UsageError(" ".join(skipped))
    _check_format(args.format)
    fallback = None
    if args.fallback is not None:
        if args.format == PORTABLE:
            raise UsageError("--fallback adds a backup relay to a program's settings; choose "
                             "--format postfix or --format nullmailer.")
        fallback = config.profile(args.fallback)
    to_stdout = args.output in (None, "-")
    if args.json and to_stdout:
        raise UsageError("--json reports on a written file; add -o FILE.")
    if args.include_secrets and args.format != PORTABLE and args.output is None:
        raise UsageError(
            f"--include-secrets with --format {args.format} writes passwords in plain text; "
            "name where with -o FILE (or -o - for stdout)."
        )
    target = None if to_stdout else Path(args.output).expanduser()
    if target is not None and _same_file(target, store.path):
        raise UsageError(f"{target} is the config file itself; choose another file for -o.")
    text, warnings = _render(args, profiles, config.default_profile, fallback)
    warnings = skipped + warnings
    if target is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        warn(warnings)
        return 0
    from smtp_setup.core.profiles.private_file import write_private_file

    try:
        write_private_file(target, text.encode("utf-8"), make_folder=False)
    except FileNotFoundError:
        raise UsageError(f"{target}: the folder does not exist; create it first.") from None
    except OSError as exc:
        raise UsageError(f"{target}: cannot write it ({exc.strerror}).") from None
    if args.json:
        print_json(
            {
                "path": str(target),
                "format": args.format,
                "profiles": [p.name for p in profiles],
                "includes_secrets": bool(args.include_secrets),
                "warnings": warnings,
            }
        )
        return 0
    count = f"{len(profiles)} profile{'s' if len(profiles) != 1 else ''}"
    print(f"Wrote {count} to {target} ({args.format}, readable only by you).")
    if args.format == PORTABLE:
        print(f"On the other machine: smtp-setup import {target.name}")
    warn(warnings)
    return 0


def _render(args: argparse.Namespace, profiles: list, default: str | None,
            fallback: Any = None) -> tuple[str, list]:
    from smtp_setup.core.profiles.portable import export_portable, stored_secrets

    secrets = stored_secrets(profiles) if args.include_secrets else None
    if args.format != PORTABLE:
        from smtp_setup.core.exports.formats import ExportProblem, render_export

        if args.include_secrets and fallback is not None:
            secrets = {**stored_secrets([fallback]), **(secrets or {})}
        try:
            return render_export(profiles, args.format, secrets=secrets, default=default,
                                 fallback=fallback), []
        except ExportProblem as exc:
            raise UsageError(str(exc)) from None
    warnings: list[str] = []
    passphrase = None
    if args.include_secrets:
        if secrets:
            passphrase = ask_passphrase(confirm=True)
        else:
            warnings.append(
                "No password is kept in the keyring or the config file, so there was nothing "
                "to seal; env and command references are exported as they are."
            )
    export = export_portable(profiles, secrets=secrets, passphrase=passphrase)
    return export.text, warnings + export.warnings


def _check_format(fmt: str) -> None:
    if fmt == PORTABLE:
        return
    from smtp_setup.core.exports.formats import FORMATS  # the other tools' formats

    if fmt not in FORMATS:
        names = ", ".join([PORTABLE, *FORMATS])
        raise UsageError(f"--format {fmt!r}: choose one of {names}.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def ask_passphrase(*, confirm: bool) -> str:
    """From SMTP_SETUP_PASSPHRASE, else asked on the terminal (twice when sealing)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        if not value:
            raise UsageError(f"{PASSPHRASE_ENV} is empty; an empty passphrase protects nothing.")
        return value
    if not interactive():
        raise UsageError(
            f"A passphrase is needed and there is no terminal to ask for it; set {PASSPHRASE_ENV}."
        )
    import getpass

    what = "to seal the passwords" if confirm else "the export was sealed with"
    first = getpass.getpass(f"Passphrase {what}: ")
    if not first:
        raise UsageError("An empty passphrase protects nothing; nothing was written.")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise UsageError("The two passphrases differ; nothing was written.")
    return first


def _cmd_import(args: argparse.Namespace) -> int:
    from smtp_setup.cli.transfer import run_import

    return run_import(args)
