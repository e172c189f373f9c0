"""The smtp-setup command line.

Only argparse and the config store load up front, so `--help`, `--version`, `list` and
`show` stay fast; Textual, aiosmtplib and keyring are imported by the commands that
need them. Exit status: 0 fine, 1 the check ran and failed, 2 usage, config or input
error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from smtp_setup import __version__
from smtp_setup.cli.output import UsageError, marks, print_json, table, wrap
from smtp_setup.core.profiles.broken import BrokenProfile
from smtp_setup.core.profiles.config_store import (
    Config,
    ConfigError,
    ConfigStore,
    UnknownProfileError,
)
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command, use_config_option
from smtp_setup.i18n import (
    N_,
    LazyText,
    _,
    available_languages,
    language_from_argv,
    set_language,
)

PROG = "smtp-setup"
SANDBOX_PORT = 2525
_SHORT_SECURITY = {"tls": "TLS", "starttls": "STARTTLS", "none": "plain"}


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status (the console script exits with it)."""
    argv = sys.argv[1:] if argv is None else argv
    set_language(language_from_argv(argv))  # before argparse speaks (help, errors)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:  # an abbreviation (--la ja) only argparse understood
        set_language(args.lang)
    args.debug = args.debug or os.environ.get("SMTP_SETUP_DEBUG", "") not in ("", "0")
    use_config_option(args.config)  # every suggested next command repeats it
    try:
        return args.handler(args)
    except (UsageError, ConfigError, UnknownProfileError) as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)  # always exactly one line
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `smtp-setup providers | head`: the reader left; stay quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter with the width found without shutil (whose import, with bz2 and
    lzma, argparse otherwise pays on every run, even when no help is printed)."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        try:
            columns = os.get_terminal_size().columns
        except OSError:
            columns = 80
        kwargs.setdefault("width", max(40, min(columns, 100) - 2))
        super().__init__(prog, **kwargs)

    # Help texts marked N_() are translated here, when help is shown: building the parser
    # loads no catalog, so --version and every command stay fast in every language.
    def add_text(self, text: str | LazyText | None) -> None:
        super().add_text(text if text is None else str(text))

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action.help, LazyText):
            action.help = str(action.help)
        return super()._format_action(action)

    # argparse wraps by characters; a Japanese character takes two cells.
    def _split_lines(self, text: str, width: int) -> list[str]:
        return super()._split_lines(text, width) if text.isascii() else wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.isascii():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Set up, test and keep settings for sending email (SMTP). "
        "Without a command, the setup wizard opens.",
        parents=[_shared_options(on_command=False)],
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.set_defaults(handler=_cmd_wizard, name=None, json=False)
    # prog= spares argparse a HelpFormatter (and its shutil import) on every run
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", prog=PROG)

    def command(name: str, handler, help: str, *, reports: bool = True):
        sub = commands.add_parser(
            name, help=help, description=help, parents=[_shared_options(on_command=True)],
            formatter_class=_Formatter,
        )
        if reports:
            sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        sub.set_defaults(handler=handler)
        return sub

    command("edit", _cmd_wizard, "open the wizard on a saved profile", reports=False).add_argument(
        "name", metavar="NAME"
    )
    command("list", _cmd_list, "list the saved profiles")
    command("show", _cmd_show, "show every setting of a profile (never the password)").add_argument(
        "name", metavar="NAME", nargs="?", help="the profile (default: the default profile)"
    )
    test = command("test", _cmd_test, "send a test message with a profile, stage by stage")
    test.add_argument("name", metavar="NAME", nargs="?",
                      help="the profile (default: the default profile)")
    test.add_argument("--to", metavar="ADDR", help="recipient (default: the profile's From)")
    probe = command(
        "probe", _cmd_probe, "check which ports of a mail server answer, and with what encryption"
    )
    probe.add_argument("host", metavar="HOST")
    probe.add_argument(
        "--ports",
        metavar="LIST",
        help="ports to try, e.g. 465,587,2525/tls,1025/starttls (default: the provider's "
        "documented ports, else 465, 587, 2525 and 25)",
    )
    probe.add_argument(
        "--timeout", type=float, default=5.0, metavar="S",
        help="seconds allowed per port; all ports are checked at once (default 5)",
    )
    probe.add_argument("--ca-file", metavar="PEM", help="an extra trusted CA certificate file")
    command("providers", _cmd_providers, "list the providers the wizard knows")
    sandbox = command(
        "sandbox", _cmd_sandbox, "run a local test SMTP server and print what it gets"
    )
    sandbox.add_argument(
        "--port",
        type=int,
        default=SANDBOX_PORT,
        help=f"port on 127.0.0.1 (default {SANDBOX_PORT}; 0 picks a free one)",
    )
    from smtp_setup.cli.dns import register as register_dns  # discover, check-domain, doctor
    from smtp_setup.cli.profiles import register  # delete, rename, default, export, import

    register(command)
    register_dns(command)
    from smtp_setup.cli.oauth import register as register_oauth  # token
    register_oauth(command)
    return parser


def _shared_options(*, on_command: bool) -> argparse.ArgumentParser:
    """--config, --debug, --nameserver and --lang, accepted before or after the command name.

    On commands the defaults are SUPPRESS, so a value given before the command is not
    overwritten by the command's own default.
    """
    shared = argparse.ArgumentParser(add_help=False, formatter_class=_Formatter)
    shared.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS if on_command else None,
        help="config file (default: $SMTP_SETUP_CONFIG or the user config folder)",
    )
    shared.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if on_command else False,
        help="write a log with the transcript and timings (also SMTP_SETUP_DEBUG=1)",
    )
    shared.add_argument(
        "--nameserver",
        metavar="HOST[:PORT]",
        default=argparse.SUPPRESS if on_command else None,
        help="send every DNS question to this server (discovery, domain checks, and the "
        "address of every server connected to)",
    )
    shared.add_argument(
        "--lang",
        choices=available_languages(),
        default=argparse.SUPPRESS if on_command else None,
        help=N_("language of the messages (default: $SMTP_SETUP_LANG, else LANGUAGE, LC_ALL, "
                "LC_MESSAGES or LANG)"),
    )
    return shared


# -- helpers -------------------------------------------------------------------


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


# -- list, show ------------------------------------------------------------------


def _broken_summary(broken: BrokenProfile, config: Config) -> dict[str, Any]:
    """What `list --json` says about a profile that cannot be used, and why."""
    return {
        "name": broken.name,
        "default": broken.name == config.default_profile,
        "broken": True,
        "problem": {"field": broken.error.field, "message": broken.error.message,
                    "line": broken.line, "column": broken.column},
    }


def _cmd_list(args: argparse.Namespace) -> int:
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
        rows.append([mark, p.name, p.provider, p.server, p.security.label])
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


def _cmd_show(args: argparse.Namespace) -> int:
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
    default = " (default)" if profile.name == config.default_profile else ""
    rows = [
        ["Provider", profile.provider],
        ["Server", profile.server],
        ["Security", profile.security.label],
        ["Username", profile.username or "(none: no login)"],
        *(
            [["Login", f"OAuth sign-in ({profile.oauth.flow_provider}, client "
                       f"{profile.oauth.client_id})" if profile.oauth else "OAuth sign-in"],
             ["Sign-in kept in", ref.describe() if ref else "(none: sign in again)"]]
            if profile.uses_oauth else [["Password", ref.describe() if ref else "(none)"]]
        ),
        ["From address", profile.from_email or "(not set)"],
        ["From name", profile.from_name or "(not set)"],
        ["Verify certificates", "yes" if profile.verify_certificates else "NO (checks turned off)"],
        ["Extra CA file", profile.ca_file or "(none)"],
        ["Time limit", f"{profile.timeout:g} s"],
    ]
    if profile.extra:  # names only: a newer version's values might be sensitive
        rows.append(["Other settings", ", ".join(sorted(profile.extra))])
    rows.append(["Config file", str(config.path)])
    print(f"Profile {profile.name}{default}")
    print("\n".join("  " + line for line in table(rows)))
    return 0


# -- providers -------------------------------------------------------------------


def _cmd_providers(args: argparse.Namespace) -> int:
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
    for index, (title, providers) in enumerate(groups):
        print(("\n" if index else "") + title)
        rows = []
        for p in providers:
            ports = _port_summary(p)
            rows.append([p.id, p.name, p.default_host, ports])
        print("\n".join("  " + line for line in table(rows)))
    print("\n* recommended port. Details: smtp-setup providers --json")
    return 0


def _port_summary(provider: Any, most: int = 2) -> str:
    """`465 TLS*, 587 STARTTLS +3`: the recommended port first, marked."""
    options = sorted(provider.ports, key=lambda o: o is not provider.recommended)
    shown = [
        f"{o.port} {_SHORT_SECURITY[str(o.security)]}" + ("*" if o is provider.recommended else "")
        for o in options[:most]
    ]
    more = f" +{len(options) - most}" if len(options) > most else ""
    return ", ".join(shown) + more


# -- wizard ------------------------------------------------------------------------


def _cmd_wizard(args: argparse.Namespace) -> int:
    store = _store(args)
    config = store.load()  # a broken file is reported here, before the UI starts
    if args.name is not None and config.saved(args.name) is None:  # broken ones open to be fixed
        config.profile(args.name)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "The setup wizard needs an interactive terminal; in scripts use "
            "smtp-setup list, show NAME or test NAME."
        )
    from smtp_setup.app import run_wizard

    return run_wizard(config_path=store.path, edit=args.name, debug=args.debug,
                      nameserver=args.nameserver)


# -- commands that speak SMTP live in cli_smtp (imported only when used) ---------


def _cmd_test(args: argparse.Namespace) -> int:
    from smtp_setup.cli.smtp import run_test

    return run_test(args, _store(args).load())


def _cmd_probe(args: argparse.Namespace) -> int:
    from smtp_setup.cli.smtp import run_probe

    return run_probe(args)


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from smtp_setup.cli.smtp import run_sandbox

    return run_sandbox(args)
