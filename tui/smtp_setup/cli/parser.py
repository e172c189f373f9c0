"""The parser of every command and the dispatch to the module that runs it.

Each handler is named "module:function" in this package and imported only when its command
runs (hatch's cli/lazy.py idea), so `--help` loads no command module. Help texts marked
N_() are translated when help is shown, so building the parser loads no catalog.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

from smtp_setup import __version__
from smtp_setup.cli.output import PORTABLE, UsageError
from smtp_setup.i18n import (
    N_,
    LazyText,
    _,
    available_languages,
    gettext,
    language_from_argv,
    set_language,
)
from smtp_setup.text_width import cells, wrap

PROG = "smtp-setup"
SANDBOX_PORT = 2525


# argparse asks the standard gettext for its own words ("usage:", "options", its errors),
# which searches the disk for a catalog on every call (88 calls, ~6 ms per run): they go
# through our catalog instead, where a language may translate them.
argparse._ = gettext  # type: ignore[attr-defined]


def run(argv: list[str]) -> int:
    """Parse `argv`, run its command and return the exit status."""
    set_language(language_from_argv(argv))  # before argparse speaks (help, errors)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.json and not args.reports:
        parser.error(_("--json needs a command that reports, e.g. {example}").format(
            example="smtp-setup --json list"))
    if args.lang:  # an abbreviation (--la ja) only argparse understood
        set_language(args.lang)
    args.debug = args.debug or os.environ.get("SMTP_SETUP_DEBUG", "") not in ("", "0")
    from smtp_setup.core.profiles.config_store import ConfigError, UnknownProfileError
    from smtp_setup.core.profiles.next_command import use_config_option

    if args.config is not None:  # a Path only now: pathlib is not paid by --help
        from pathlib import Path

        args.config = Path(args.config)
    use_config_option(args.config)  # every suggested next command repeats it
    try:
        return _handler(args.handler)(args)
    except (UsageError, ConfigError, UnknownProfileError) as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)  # always exactly one line
        return 2
    except KeyboardInterrupt:
        print(_("Stopped."), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `smtp-setup providers | head`: the reader left; stay quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter with the width found without shutil (whose import, with bz2 and
    lzma, argparse otherwise pays on every run, even when no help is printed)."""

    def __init__(self, prog: str, **kwargs: object) -> None:
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

    # argparse wraps by characters; a Japanese character takes two cells. The usage line's
    # prefix ("usage: ", translated) is measured as spaces of its width, then put back.
    def _format_usage(self, usage, actions, groups, prefix) -> str:  # noqa: ANN001
        prefix = gettext("usage: ") if prefix is None else prefix
        if prefix.isascii():
            return super()._format_usage(usage, actions, groups, prefix)
        spaces = " " * cells(prefix)
        return prefix + super()._format_usage(usage, actions, groups, spaces)[len(spaces):]

    def _split_lines(self, text: str, width: int) -> list[str]:
        return (super()._split_lines(text, width) if text.isascii()
                else wrap(" ".join(text.split()), width))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.isascii():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap(" ".join(text.split()), width - len(indent)))


def build_parser() -> argparse.ArgumentParser:
    """Every command and its arguments. A handler is named "module:function" in this
    package and imported only when its command runs (hatch's cli/lazy.py idea)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=N_("Set up, test and keep settings for sending email (SMTP). "
                       "Without a command, the setup wizard opens."),
        formatter_class=_Formatter,
    )
    _add_shared_options(parser, on_command=False)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                        help=N_("show program's version number and exit"))
    # --json too is taken before the command or after it; a command without JSON refuses it
    parser.add_argument("--json", action="store_true",
                        help=N_("print JSON instead of text (commands that report)"))
    parser.set_defaults(handler="profiles:cmd_wizard", name=None, reports=False)
    # prog= spares argparse a HelpFormatter (and its shutil import) on every run
    commands = parser.add_subparsers(title=_("commands"), metavar="COMMAND", prog=PROG)

    def command(name: str, handler: str, help: str, *, reports: bool = True):
        sub = commands.add_parser(name, help=help, description=help, formatter_class=_Formatter)
        _add_shared_options(sub, on_command=True)
        if reports:
            sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                             help=N_("print JSON instead of text"))
        sub.set_defaults(handler=handler, reports=reports)
        return sub

    _profile_commands(command)
    _smtp_commands(command)
    _dns_commands(command)
    command("token", "oauth:cmd_token",
            N_("print a fresh OAuth access token for a profile (for msmtp, git send-email)"),
            reports=False).add_argument("name", metavar="NAME")
    _transfer_commands(command)
    return parser


def _profile_commands(command) -> None:
    command("edit", "profiles:cmd_wizard", N_("open the wizard on a saved profile"),
            reports=False).add_argument("name", metavar="NAME")
    command("list", "profiles:cmd_list", N_("list the saved profiles"))
    command("show", "profiles:cmd_show",
            N_("show every setting of a profile (never the password)")).add_argument(
        "name", metavar="NAME", nargs="?", help=N_("the profile (default: the default profile)"))
    command("providers", "profiles:cmd_providers", N_("list the providers the wizard knows"))
    delete = command("delete", "profiles:cmd_delete", N_("delete a profile and its keyring entry"))
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", "-y", action="store_true", help=N_("do not ask to confirm"))
    rename = command("rename", "profiles:cmd_rename",
                     N_("rename a profile (its keyring entry moves with it)"))
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    command("default", "profiles:cmd_default", N_("make a profile the default")).add_argument(
        "name", metavar="NAME")


def _smtp_commands(command) -> None:
    test = command("test", "smtp:cmd_test", N_("send a test message with a profile, stage by stage"))
    test.add_argument("name", metavar="NAME", nargs="?",
                      help=N_("the profile (default: the default profile)"))
    test.add_argument("--to", metavar="ADDR", help=N_("recipient (default: the profile's From)"))
    probe = command("probe", "smtp:cmd_probe",
                    N_("check which ports of a mail server answer, and with what encryption"))
    probe.add_argument("host", metavar="HOST")
    probe.add_argument(
        "--ports", metavar="LIST",
        help=N_("ports to try, e.g. 465,587,2525/tls,1025/starttls (default: the provider's "
        "documented ports, else 465, 587, 2525 and 25)"),
    )
    probe.add_argument(
        "--timeout", type=float, default=5.0, metavar="S",
        help=N_("seconds allowed per port; all ports are checked at once (default 5)"),
    )
    probe.add_argument("--ca-file", metavar="PEM", help=N_("an extra trusted CA certificate file"))
    sandbox = command("sandbox", "smtp:cmd_sandbox",
                      N_("run a local test SMTP server and print what it gets"))
    sandbox.add_argument("--port", type=int, default=SANDBOX_PORT,
                         help=N_("port on 127.0.0.1 (default 2525; 0 picks a free one)"))


def _dns_commands(command) -> None:
    discover = command("discover", "dns:cmd_discover",
                       N_("find the SMTP settings for an email address (DNS, autoconfig, guesses)"))
    discover.add_argument("address", metavar="ADDRESS")
    discover.add_argument("--timeout", type=float, default=8.0, metavar="S",
                          help=N_("one limit for all sources together (default 8)"))
    discover.add_argument("--allow-http", action="store_true",
                          help=N_("also fetch autoconfig over plain HTTP, as Thunderbird does"))
    check = command("check-domain", "dns:cmd_check_domain",
                    N_("check a sender domain's MX, SPF, DKIM and DMARC records"))
    check.add_argument("domain", metavar="DOMAIN")
    check.add_argument("--dkim-selector", metavar="S", help=N_("the DKIM selector to look up"))
    check.add_argument("--provider", metavar="ID",
                       help=N_("the provider that sends (for its SPF include and DKIM selectors)"))
    check.add_argument("--timeout", type=float, default=8.0, metavar="S")
    doctor = command("doctor", "dns:cmd_doctor",
                     N_("port check + test send + domain check of a profile, one verdict"))
    doctor.add_argument("name", metavar="NAME", nargs="?",
                        help=N_("the profile (default: the default profile)"))
    doctor.add_argument("--to", metavar="ADDR", help=N_("recipient (default: the profile's From)"))


def _transfer_commands(command) -> None:
    export = command("export", "transfer:cmd_export",
                     N_("write profiles for another machine or another program"))
    export.add_argument("name", metavar="NAME", nargs="?", help=N_("the profile (or use --all)"))
    export.add_argument("--all", action="store_true", help=N_("every profile"))
    export.add_argument(
        "--format", default=PORTABLE, metavar="F",
        help=N_("the program to write for (see --list-formats; default toml: for "
        "smtp-setup import)"),
    )
    export.add_argument("--list-formats", action="store_true",
                        help=N_("list every format and the file it is for, then exit"))
    export.add_argument("--fallback", metavar="PROFILE",
                        help=N_("a second profile as backup relay (postfix, nullmailer)"))
    export.add_argument("-o", "--output", metavar="FILE", help=N_("file to write (0600), - for stdout"))
    export.add_argument(
        "--include-secrets", action="store_true",
        help=N_("include passwords; toml seals them with a passphrase (SMTP_SETUP_PASSPHRASE)"),
    )
    imp = command("import", "transfer:cmd_import",
                  N_("add the profiles of an export file to this machine"))
    imp.add_argument("file", metavar="FILE", help=N_("an export file, or - for stdin"))
    imp.add_argument("--as", dest="as_name", metavar="NAME", help=N_("import one profile as NAME"))
    imp.add_argument("--replace", action="store_true", help=N_("overwrite profiles of the same name"))
    imp.add_argument(
        "--store", metavar="WHERE",
        help=N_("where passwords go here: keyring, file, env:VAR or command:CMD "
        "(default: the keyring when usable)"),
    )


def _add_shared_options(shared: argparse.ArgumentParser, *, on_command: bool) -> None:
    """--config, --debug, --nameserver and --lang, accepted before or after the command name.

    On commands the defaults are SUPPRESS, so a value given before the command is not
    overwritten by the command's own default. (Added in place rather than through parent
    parsers: each parser argparse builds costs start-up time on every run.)
    """
    shared.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS if on_command else None,
        help=N_("config file (default: $SMTP_SETUP_CONFIG or the user config folder)"),
    )
    shared.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if on_command else False,
        help=N_("write a log with the transcript and timings (also SMTP_SETUP_DEBUG=1)"),
    )
    shared.add_argument(
        "--nameserver",
        metavar="HOST[:PORT]",
        default=argparse.SUPPRESS if on_command else None,
        help=N_("send every DNS question to this server (discovery, domain checks, and the "
                "address of every server connected to)"),
    )
    shared.add_argument(
        "--lang",
        choices=available_languages(),
        default=argparse.SUPPRESS if on_command else None,
        help=N_("language of the messages (default: $SMTP_SETUP_LANG, else LANGUAGE, LC_ALL, "
                "LC_MESSAGES or LANG)"),
    )


def _handler(name: str):
    """The function behind "module:function", imported now that its command runs."""
    module, function = name.split(":")
    return getattr(import_module(f"smtp_setup.cli.{module}"), function)
