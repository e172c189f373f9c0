"""`smtp-setup export` and `import`: profiles written for another machine (smtp-setup's own
portable file, secrets sealed with a passphrase) or another program (core.exports), and
the profiles of an export file added to this machine.

Import checks the whole file first (core.profiles.portable), then gathers the passwords:
from the file, from its sealed table (one passphrase), or asked for on a terminal. Only
then is anything written, in one go (core.profiles.upkeep.save_imported). Nothing heavy is
imported at the top: `export` stays free of Textual and aiosmtplib.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from smtp_setup.cli.output import (
    PORTABLE,
    UsageError,
    ask_passphrase,
    interactive,
    one_line_errors,
    option_problem,
    print_json,
    report,
    table,
    warn,
)
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import N_, _, ngettext


@one_line_errors
def cmd_import(args: argparse.Namespace) -> int:
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
            raise UsageError(_(
                "--as renames one profile, and {source} holds {count} ({names}); import them "
                "all, or export one at a time.").format(source=export.source,
                                                        count=len(incoming), names=names))
        problem = validation.profile_name(args.as_name)
        if problem:
            raise UsageError(option_problem("--as", problem, args.as_name))
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
            print(_("Note: profile {name} sends from {address}; {note}").format(
                name=repr(final[p.profile.name]), address=p.profile.from_email, note=note),
                file=sys.stderr)
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
        where = (_("password: {where}").format(where=ref.describe()) if ref
                 else _("no login"))
        if name != p.profile.name:
            line = (_("Replaced profile {name} (as {new}); {password}.") if name in replaced
                    else _("Imported profile {name} (as {new}); {password}."))
        else:
            line = (_("Replaced profile {name}; {password}.") if name in replaced
                    else _("Imported profile {name}; {password}."))
        print(line.format(name=repr(p.profile.name), new=repr(name), password=where))
    print(_("Config: {path}. Try it: {command}").format(
        path=result.path, command=next_command("test", result.names[0])))
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
    advice = _(
        "There is no usable system keyring here ({why}); choose where the passwords go: "
        "--store file (the config file, readable only by you), --store env:VAR or "
        "--store command:CMD."
    ).format(why=why)
    if not interactive():
        raise UsageError(advice)
    print(advice + "\n" + _("Keep them in the config file? [y/N] "), end="", file=sys.stderr,
          flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise UsageError(_("Nothing was imported."))
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
            raise UsageError(_(
                "Profile {name} needs its password and there is no terminal to ask "
                "for it; run the import in a terminal, or use --store env:VAR or "
                "--store command:CMD to read it from there."
            ).format(name=repr(final[name])))
        secret = getpass.getpass(_("Password for {user} at {host} (profile {name}): ").format(
            user=p.profile.username, host=p.profile.host, name=final[name]))
        if not secret:
            raise UsageError(_("No password given for profile {name}; nothing was imported.")
                             .format(name=repr(final[name])))
        secrets[name] = secret
    return secrets


# -- export ---------------------------------------------------------------------




@one_line_errors
def cmd_export(args: argparse.Namespace) -> int:
    if args.list_formats:
        return list_formats(args.json)
    store = ConfigStore(args.config)
    config = store.load()
    if args.all == (args.name is not None):
        raise UsageError(_("Name one profile to export, or use --all (not both)."))
    if args.all and not config.names:
        raise UsageError(_("There are no profiles to export yet; run {command} to create one.")
                         .format(command=next_command()))
    profiles = list(config.profiles.values()) if args.all else [config.profile(args.name)]
    skipped = [_("Profile {name} was left out: it is broken ({reason}); fix it with: {command}")
               .format(name=repr(b.name), reason=b.reason, command=next_command("edit", b.name))
               for b in config.broken.values()] if args.all else []
    if not profiles:
        raise UsageError(" ".join(skipped))
    _check_format(args.format)
    fallback = None
    if args.fallback is not None:
        if args.format == PORTABLE:
            raise UsageError(_("--fallback adds a backup relay to a program's settings; choose "
                               "--format postfix or --format nullmailer."))
        fallback = config.profile(args.fallback)
    to_stdout = args.output in (None, "-")
    if args.json and to_stdout:
        raise UsageError(_("--json reports on a written file; add -o FILE."))
    if args.include_secrets and args.format != PORTABLE and args.output is None:
        raise UsageError(_(
            "--include-secrets with --format {format} writes passwords in plain text; "
            "name where with -o FILE (or -o - for stdout)."
        ).format(format=args.format))
    target = None if to_stdout else Path(args.output).expanduser()
    if target is not None and _same_file(target, store.path):
        raise UsageError(_("{path} is the config file itself; choose another file for -o.")
                         .format(path=target))
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
        raise UsageError(_("{path}: the folder does not exist; create it first.")
                         .format(path=target)) from None
    except OSError as exc:
        raise UsageError(_("{path}: cannot write it ({reason}).")
                         .format(path=target, reason=exc.strerror)) from None
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
    print(ngettext("Wrote {count} profile to {path} ({format}, readable only by you).",
                   "Wrote {count} profiles to {path} ({format}, readable only by you).",
                   len(profiles)).format(count=len(profiles), path=target, format=args.format))
    if args.format == PORTABLE:
        print(_("On the other machine: {command}").format(
            command=f"smtp-setup import {target.name}"))
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
            warnings.append(_(
                "No password is kept in the keyring or the config file, so there was nothing "
                "to seal; env and command references are exported as they are."
            ))
    export = export_portable(profiles, secrets=secrets, passphrase=passphrase)
    return export.text, warnings + export.warnings


def _check_format(fmt: str) -> None:
    if fmt == PORTABLE:
        return
    from smtp_setup.core.exports.formats import FORMATS  # the other tools' formats

    if fmt not in FORMATS:
        names = ", ".join([PORTABLE, *FORMATS])
        raise UsageError(_("--format {format}: choose one of {names}.")
                         .format(format=repr(fmt), names=names))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


PORTABLE_ROW = ("toml", "NAME.smtp-setup.toml",
                N_("smtp-setup's own portable file, for smtp-setup import on another machine "
                   "(the default)"))


def format_rows() -> list[tuple[str, str, str]]:
    """(name, the file it belongs in, what it holds) for every format, toml first."""
    from smtp_setup.core.exports.formats import FORMAT_FILES, FORMATS

    return [(name, file, str(about)) for name, file, about in
            [PORTABLE_ROW, *((name, FORMAT_FILES[name], about) for name, about in FORMATS.items())]]


def list_formats(as_json: bool) -> int:
    rows = format_rows()
    if as_json:
        from smtp_setup.core.exports.formats import FALLBACK_FORMATS

        print_json([{"format": name, "file": file, "about": about,
                     "fallback": name in FALLBACK_FORMATS} for name, file, about in rows])
        return 0
    # TRANSLATORS: column headings of `smtp-setup export --list-formats`
    for line in table([[_("FORMAT"), _("FILE"), _("WHAT IT HOLDS")], *map(list, rows)]):
        print(line)
    print("\n" + _("{command}; --fallback PROFILE adds a backup relay (postfix, nullmailer).")
          .format(command="smtp-setup export NAME --format FORMAT [-o FILE]"))
    return 0
