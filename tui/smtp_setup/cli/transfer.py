"""`smtp-setup import`: add the profiles of an export file to this machine.

The whole file is checked first (core.portable), then the passwords are gathered: from
the file, from its sealed table (one passphrase), or asked for on a terminal. Only then
is anything written, in one go (core.profile_upkeep.save_imported).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from smtp_setup.cli.output import UsageError, print_json
from smtp_setup.cli.profiles import ask_passphrase, interactive, one_line_errors, report, warn
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.next_command import next_command


@one_line_errors
def run_import(args: argparse.Namespace) -> int:
    """`smtp-setup import FILE [--as NAME] [--replace] [--store WHERE] [--json]`."""
    from smtp_setup.core.profiles import validation
    from smtp_setup.core.profiles.portable import read_export_file
    from smtp_setup.core.profiles.upkeep import (
        Incoming,
        check_import_names,
        parse_secret_store,
        save_imported,
    )

    store = ConfigStore(args.config)
    config = store.load()
    export = read_export_file(args.file)
    incoming = export.profiles
    if args.as_name is not None:
        if len(incoming) != 1:
            names = ", ".join(p.profile.name for p in incoming)
            raise UsageError(
                f"--as renames one profile, and {export.source} holds {len(incoming)} "
                f"({names}); import them all, or export one at a time."
            )
        problem = validation.profile_name(args.as_name)
        if problem:
            raise UsageError(f"--as {args.as_name!r}: {problem}")
    final = {p.profile.name: args.as_name or p.profile.name for p in incoming}
    if not args.replace:
        check_import_names(config, list(final.values()))
    try:
        secret_store = parse_secret_store(args.store) if args.store else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    wanted = [p for p in incoming if p.needs_secret or p.file_secret is not None]
    if secret_store is None:
        secret_store = _default_store(bool(wanted))
    secrets: dict[str, str] = {}
    if secret_store[0] in ("keyring", "file"):
        secrets = _gather_secrets(export, final)
    items = [
        Incoming(p.profile.copy(name=final[p.profile.name]), secrets.get(p.profile.name))
        for p in incoming
    ]
    result = save_imported(
        store, items, secret_store=secret_store, replace=args.replace, expected=config
    )
    replaced = [n for n in result.names if n in config.names]
    for p in incoming:
        if note := validation.address_note(p.profile.from_email):
            print(f"Note: profile {final[p.profile.name]!r} sends from {p.profile.from_email}; "
                  f"{note}", file=sys.stderr)
    saved = store.load()
    if args.json:
        print_json(
            report(
                result,
                imported=[
                    {
                        "name": final[p.profile.name],
                        "from": p.profile.name,
                        "password": _kind(saved.profiles[final[p.profile.name]]),
                    }
                    for p in incoming
                ],
                replaced=replaced,
            )
        )
        return 0
    for p in incoming:
        name = final[p.profile.name]
        ref = saved.profiles[name].password
        where = f"password: {ref.describe()}" if ref else "no login"
        verb = "Replaced" if name in replaced else "Imported"
        renamed = f" (as {name!r})" if name != p.profile.name else ""
        print(f"{verb} profile {p.profile.name!r}{renamed}; {where}.")
    print(f"Config: {result.path}. Try it: {next_command('test', result.names[0])}")
    warn(result.warnings)
    return 0


def _kind(profile: Any) -> str | None:
    return profile.password.kind if profile.password else None


def _default_store(needed: bool) -> tuple[str, str]:
    """The keyring when usable; otherwise the config file if the person says so here."""
    if not needed:
        return ("keyring", "")
    from smtp_setup.core.profiles.secrets import keyring_status

    usable, why = keyring_status()
    if usable:
        return ("keyring", "")
    advice = (
        f"There is no usable system keyring here ({why}); choose where the passwords go: "
        "--store file (the config file, readable only by you), --store env:VAR or "
        "--store command:CMD."
    )
    if not interactive():
        raise UsageError(advice)
    print(f"{advice}\nKeep them in the config file? [y/N] ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise UsageError("Nothing was imported.")
    return ("file", "")


def _gather_secrets(export: Any, final: dict[str, str]) -> dict[str, str]:
    """Passwords by name in the file: written in it, sealed in it, else asked for."""
    secrets = {p.profile.name: p.file_secret for p in export.profiles if p.file_secret}
    missing = [p for p in export.profiles if p.needs_secret]
    if missing and export.sealed is not None:
        secrets.update(export.unseal(ask_passphrase(confirm=False)))
    for p in missing:
        name = p.profile.name
        if name in secrets:
            continue
        if not interactive():
            raise UsageError(
                f"Profile {final[name]!r} needs its password and there is no terminal to ask "
                "for it; run the import in a terminal, or use --store env:VAR or "
                "--store command:CMD to read it from there."
            )
        secret = getpass.getpass(
            f"Password for {p.profile.username} at {p.profile.host} (profile {final[name]}): "
        )
        if not secret:
            raise UsageError(f"No password given for profile {final[name]!r}; nothing was imported.")
        secrets[name] = secret
    return secrets
