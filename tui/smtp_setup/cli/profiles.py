"""Profiles on the command line: list, show, the provider catalog, the wizard (and edit),
and upkeep: delete, rename, default.

The work is done by core (profiles.upkeep, catalog); this module asks for confirmation
only on a terminal, and reports. Nothing heavy is imported at the top: `list` and `show`
stay free of Textual and aiosmtplib.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smtp_setup.cli.output import (
    UsageError,
    interactive,
    marks,
    one_line_errors,
    print_json,
    report,
    table,
    warn,
)
from smtp_setup.core.profiles.broken import BrokenProfile
from smtp_setup.core.profiles.config_store import Config, ConfigStore
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import _, pgettext


def _short_security(security: str) -> str:
    """The encryption in `providers`' short port list ("465 TLS*, 587 STARTTLS")."""
    return {"tls": pgettext("short encryption", "TLS"), "starttls": "STARTTLS",
            "none": pgettext("short encryption", "plain")}[security]


def _provider_name(provider_id: str) -> str:
    """A profile's provider as `providers` names it, in the current language (the JSON
    keeps the id); an id the catalog does not know (a newer version's) as it is."""
    from smtp_setup.core.catalog.loader import load_catalog

    catalog = load_catalog()
    return catalog.get(provider_id).name if provider_id in catalog else provider_id


def _store(args: argparse.Namespace) -> ConfigStore:
    return ConfigStore(args.config)


def _summary(profile: Profile, config: Config) -> dict[str, Any]:
    """What `list --json` says about a profile: no secret, only where it lives."""
    return {
        "name": profile.name,
        "default": profile.name == config.default_profile,
        "provider": profile.provider,
        "host": profile.host,
        "port": profile.port,
        "server": profile.server,
        "security": str(profile.security),
        "username": profile.username,
        "from_email": profile.from_email,
        "password": profile.password.kind if profile.password else None,
    }


def _broken_summary(broken: BrokenProfile, config: Config) -> dict[str, Any]:
    """What `list --json` says about a profile that cannot be used, and why."""
    return {
        "name": broken.name,
        "default": broken.name == config.default_profile,
        "broken": True,
        "problem": {"field": broken.error.field, "message": broken.error.message,
                    "line": broken.line, "column": broken.column},
    }


def cmd_list(args: argparse.Namespace) -> int:
    config = _store(args).load()
    if args.json:
        print_json([_broken_summary(config.broken[n], config) if n in config.broken
                    else {**_summary(config.profiles[n], config), "broken": False}
                    for n in config.names])
        return 0
    if not config.names:
        print(_("No profiles yet. Run {command} to create one.").format(command=next_command()))
        return 0
    fail = marks()[1]
    # TRANSLATORS: column headings of `smtp-setup list`
    rows = [["", _("NAME"), _("PROVIDER"), _("SERVER"), _("SECURITY")]]
    for name in config.names:
        mark = "*" if name == config.default_profile else ""
        if name in config.broken:
            rows.append([mark, name, "", "", _("{mark} broken (below)").format(mark=fail)])
            continue
        p = config.profiles[name]
        rows.append([mark, p.name, _provider_name(p.provider), p.server, p.security.label])
    print("\n".join(table(rows)))
    if config.default_profile in config.names:
        print("\n" + _("* default profile"))
    for broken in config.broken.values():
        fix = (next_command("edit", broken.name) if broken.salvage() is not None
               else _("a text editor ({path})").format(path=config.path))
        text = (_("{mark} {name} is broken ({reason}, line {line}); the other profiles still "
                  "work. Fix it with: {fix}") if broken.line else
                _("{mark} {name} is broken ({reason}); the other profiles still work. "
                  "Fix it with: {fix}"))
        print("\n" + text.format(mark=fail, name=broken.name, reason=broken.reason,
                                  line=broken.line, fix=fix))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    config = _store(args).load()
    profile = config.profile(args.name)
    ref = profile.password
    if args.json:
        data = _summary(profile, config)
        data.update(
            from_name=profile.from_name,
            verify_certificates=profile.verify_certificates,
            ca_file=profile.ca_file,
            timeout=profile.timeout,
            password=None
            if ref is None
            else {
                "kind": ref.kind,
                "source": None if ref.kind == "inline" else ref.value,
                "description": ref.describe(),
            },
            auth=profile.auth,
            oauth=None if profile.oauth is None else {
                "flow_provider": profile.oauth.flow_provider,
                "client_id": profile.oauth.client_id, "tenant": profile.oauth.tenant},
            other_keys=sorted(profile.extra),
            config=str(config.path),
        )
        print_json(data)
        return 0
    not_set, none = _("(not set)"), _("(none)")
    rows = [
        [_("Provider"), _provider_name(profile.provider)],
        [_("Server"), profile.server],
        [_("Security"), profile.security.label],
        [_("Username"), profile.username or _("(none: no login)")],
        *(
            [[_("Login"), _("OAuth sign-in ({flow}, client {client})").format(
                flow=profile.oauth.flow_provider, client=profile.oauth.client_id)
              if profile.oauth else _("OAuth sign-in")],
             [_("Sign-in kept in"), ref.describe() if ref else _("(none: sign in again)")]]
            if profile.uses_oauth else [[_("Password"), ref.describe() if ref else none]]
        ),
        [_("From address"), profile.from_email or not_set],
        [_("From name"), profile.from_name or not_set],
        [_("Verify certificates"),
         _("yes") if profile.verify_certificates else _("NO (checks turned off)")],
        [_("Extra CA file"), profile.ca_file or none],
        [_("Time limit"), _("{seconds} s").format(seconds=f"{profile.timeout:g}")],
    ]
    if profile.extra:  # names only: a newer version's values might be sensitive
        rows.append([_("Other settings"), ", ".join(sorted(profile.extra))])
    rows.append([_("Config file"), str(config.path)])
    print(_("Profile {name} (default)").format(name=profile.name)
          if profile.name == config.default_profile else
          _("Profile {name}").format(name=profile.name))
    print("\n".join("  " + line for line in table(rows)))
    return 0


def cmd_providers(args: argparse.Namespace) -> int:
    from smtp_setup.core.catalog.loader import load_catalog

    groups = load_catalog().groups()
    if args.json:
        print_json(
            [
                {
                    "group": title,
                    "providers": [
                        {
                            "id": p.id,
                            "name": p.name,
                            "summary": p.summary,
                            "host": p.default_host,
                            "hosts": dict(p.hosts),
                            "ports": [
                                {"port": o.port, "security": str(o.security)} for o in p.ports
                            ],
                            "recommended_port": p.recommended_port,
                        }
                        for p in providers
                    ],
                }
                for title, providers in groups
            ]
        )
        return 0
    from smtp_setup.text_width import wrap

    for index, (title, providers) in enumerate(groups):
        print(("\n" if index else "") + title)
        rows = [[p.id, p.name, _port_summary(p), p.default_host] for p in providers]
        print("\n".join(_provider_lines(rows)))

    print("\n" + "\n".join(wrap(_("* recommended; +N more ports. Details: {command}").format(
        command="smtp-setup providers --json"), 79)))
    return 0


def _provider_lines(rows: list[list[str]], width: int = 79) -> list[str]:
    """`providers`' table, indented: a row too wide for `width` cells gives its host (the
    last column) a line of its own under the name, whole, never cut or broken."""
    from smtp_setup.text_width import cells

    lines = []
    under_name = 2 + max(cells(row[0]) for row in rows) + 2
    for row, line in zip(rows, table(rows), strict=True):
        host = row[-1]
        if cells("  " + line) <= width or not host:
            lines.append("  " + line)
            continue
        lines.append("  " + line.removesuffix(host).rstrip())
        indent = under_name if under_name + cells(host) <= width else 4
        lines.append(" " * indent + host)
    return lines


def _port_summary(provider: Any, most: int = 1) -> str:
    """`465 TLS* +3`: the recommended port, marked, and how many more there are."""
    options = sorted(provider.ports, key=lambda o: o is not provider.recommended)
    shown = [
        f"{o.port} {_short_security(str(o.security))}" + ("*" if o is provider.recommended else "")
        for o in options[:most]
    ]
    more = f" +{len(options) - most}" if len(options) > most else ""
    return ", ".join(shown) + more


def cmd_wizard(args: argparse.Namespace) -> int:
    store = _store(args)
    config = store.load()  # a broken file is reported here, before the UI starts
    if args.name is not None and config.saved(args.name) is None:  # broken ones open to be fixed
        config.profile(args.name)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(_(
            "The setup wizard needs an interactive terminal; in scripts use "
            "smtp-setup list, show NAME or test NAME."
        ))
    from smtp_setup.app import run_wizard

    return run_wizard(config_path=store.path, edit=args.name, debug=args.debug,
                      nameserver=args.nameserver)


# -- delete, rename, default ---------------------------------------------------------


@one_line_errors
def cmd_delete(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.upkeep import delete_profile

    store = ConfigStore(args.config)
    config = store.load()
    config.profile(args.name)
    if not args.yes:
        if not interactive():
            raise UsageError(_(
                "Deleting profile {name} needs a yes; there is no terminal to ask, "
                "so add --yes."
            ).format(name=repr(args.name)))
        print(_("Delete profile {name}? [y/N] ").format(name=repr(args.name)), end="",
              file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print(_("Nothing was deleted."), file=sys.stderr)
            return 1
    result = delete_profile(store, args.name, expected=config)
    if args.json:
        print_json(report(result, deleted=args.name))
        return 0
    print(_("Deleted profile {name}.").format(name=repr(args.name)))
    for ref in result.keyring_removed:
        print(_("Removed its password from the system keyring ({entry}).").format(entry=ref))
    if result.default and config.default_profile == args.name:
        print(_("The default profile is now {name}.").format(name=repr(result.default)))
    warn(result.warnings)
    return 0


@one_line_errors
def cmd_rename(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.upkeep import rename_profile

    store = ConfigStore(args.config)
    result = rename_profile(store, args.old, args.new)
    if args.json:
        print_json(report(result, renamed={"from": args.old, "to": args.new}))
        return 0
    print(_("Renamed profile {old} to {new}.").format(old=repr(args.old), new=repr(args.new)))
    if result.keyring_removed:
        print(_("Its password moved in the system keyring to {entry}.").format(
            entry=f"smtp-setup/{args.new}"))
    warn(result.warnings)
    return 0


@one_line_errors
def cmd_default(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.upkeep import set_default

    result = set_default(ConfigStore(args.config), args.name)
    if args.json:
        print_json(report(result))
    else:
        print(_("Profile {name} is now the default.").format(name=repr(args.name)))
    return 0


# -- export --------------------------------------------------------------------------


