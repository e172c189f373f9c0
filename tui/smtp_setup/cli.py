"""The smtp-setup command line.

Only argparse and the config store load up front, so `--help`, `--version`, `list` and
`show` stay fast; Textual, aiosmtplib and keyring are imported by the commands that
need them. Exit status: 0 fine, 1 the check ran and failed, 2 usage, config or input
error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from smtp_setup import __version__
from smtp_setup.core.config_store import Config, ConfigError, ConfigStore, UnknownProfileError
from smtp_setup.core.profile import Profile

PROG = "smtp-setup"
SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT = 2525
_SHORT_SECURITY = {"tls": "TLS", "starttls": "STARTTLS", "none": "plain"}


class UsageError(Exception):
    """A mistake the person can fix; printed as one line, exit status 2."""


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.debug = args.debug or os.environ.get("SMTP_SETUP_DEBUG", "") not in ("", "0")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Set up, test and keep settings for sending email (SMTP). "
        "Without a command, the setup wizard opens.",
        parents=[_shared_options(on_command=False)],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.set_defaults(handler=_cmd_wizard, name=None, json=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler, help: str, *, reports: bool = True):
        sub = commands.add_parser(
            name, help=help, description=help, parents=[_shared_options(on_command=True)]
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
        "name", metavar="NAME"
    )
    test = command("test", _cmd_test, "send a test message with a profile, stage by stage")
    test.add_argument("name", metavar="NAME")
    test.add_argument("--to", metavar="ADDR", help="recipient (default: the profile's From)")
    command("providers", _cmd_providers, "list the providers the wizard knows")
    sandbox = command(
        "sandbox", _cmd_sandbox, "run a local test SMTP server and print what it gets"
    )
    sandbox.add_argument(
        "--port", type=int, default=SANDBOX_PORT, help=f"port to listen on (default {SANDBOX_PORT})"
    )
    return parser


def _shared_options(*, on_command: bool) -> argparse.ArgumentParser:
    """--config and --debug, accepted before or after the command name.

    On commands the defaults are SUPPRESS, so a value given before the command is not
    overwritten by the command's own default.
    """
    shared = argparse.ArgumentParser(add_help=False)
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
    return shared


# -- helpers -------------------------------------------------------------------


def _store(args: argparse.Namespace) -> ConfigStore:
    return ConfigStore(args.config)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _marks() -> tuple[str, str, str]:
    """✓ ✗ - where the terminal's encoding can show them, plain ASCII otherwise."""
    try:
        "✓✗–".encode(sys.stdout.encoding or "ascii")
        return "✓", "✗", "–"
    except (UnicodeEncodeError, LookupError):
        return "OK", "X", "-"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


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


def _cmd_list(args: argparse.Namespace) -> int:
    config = _store(args).load()
    profiles = list(config.profiles.values())
    if args.json:
        _print_json([_summary(p, config) for p in profiles])
        return 0
    if not profiles:
        print("No profiles yet. Run smtp-setup to create one.")
        return 0
    rows = [["", "NAME", "PROVIDER", "SERVER", "SECURITY"]]
    for p in profiles:
        mark = "*" if p.name == config.default_profile else ""
        rows.append([mark, p.name, p.provider, p.server, p.security.label])
    print("\n".join(_table(rows)))
    if config.default_profile in config.profiles:
        print("\n* default profile")
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
            other_keys=sorted(profile.extra),
            config=str(config.path),
        )
        _print_json(data)
        return 0
    default = " (default)" if profile.name == config.default_profile else ""
    rows = [
        ["Provider", profile.provider],
        ["Server", profile.server],
        ["Security", profile.security.label],
        ["Username", profile.username or "(none: no login)"],
        ["Password", ref.describe() if ref else "(none)"],
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
    print("\n".join("  " + line for line in _table(rows)))
    return 0


# -- providers -------------------------------------------------------------------


def _cmd_providers(args: argparse.Namespace) -> int:
    from smtp_setup.core.catalog import load_catalog

    groups = load_catalog().groups()
    if args.json:
        _print_json(
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
        print("\n".join("  " + line for line in _table(rows)))
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
    if args.name is not None:
        config.profile(args.name)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "The setup wizard needs an interactive terminal; in scripts use "
            "smtp-setup list, show NAME or test NAME."
        )
    from smtp_setup.app import run_wizard

    return run_wizard(config_path=store.path, edit=args.name)


# -- test ----------------------------------------------------------------------------


def _cmd_test(args: argparse.Namespace) -> int:
    import asyncio

    from smtp_setup.core import validation

    config = _store(args).load()
    profile = config.profile(args.name)
    problems = profile.problems()
    if problems:
        raise UsageError(
            f"Profile {profile.name!r} has an invalid setting ({problems[0]}); "
            f"run: smtp-setup edit {profile.name}"
        )
    if args.to is not None and (problem := validation.email_address(args.to)):
        raise UsageError(f"--to {args.to!r}: {problem}")
    password = _password_for(profile)
    from smtp_setup.core.sending import send_test_message

    printer = _StagePrinter(live=not args.json)
    result = asyncio.run(send_test_message(profile, password, to=args.to, on_event=printer))
    if args.debug:
        _write_debug_log(result, password)
    if args.json:
        _print_json(result.to_json())
    else:
        _print_outcome(result, profile, args.to or profile.from_email)
    return 0 if result.ok else 1


def _password_for(profile: Profile) -> str | None:
    """The password, only when the profile logs in (no keyring prompt otherwise)."""
    if not profile.username or profile.password is None:
        return None
    from smtp_setup.core.secrets import SecretError, resolve_secret

    try:
        return resolve_secret(profile.password, profile.name)
    except SecretError as exc:
        raise UsageError(str(exc)) from None


class _StagePrinter:
    """Prints each stage as it finishes: `✓ connect     12 ms  127.0.0.1:587`."""

    def __init__(self, *, live: bool) -> None:
        self.live = live
        self.ok, self.fail, self.skip = _marks()
        self.tty = live and sys.stdout.isatty()

    def __call__(self, event: Any) -> None:
        if not self.live:
            return
        if event.status == "start":
            if self.tty:  # shown until the stage ends, then overwritten
                print(f"  {event.name} ...", end="", flush=True)
            return
        mark = {"ok": self.ok, "fail": self.fail}.get(event.status, self.skip)
        timing = "skipped" if event.status == "skip" else f"{event.ms:5.0f} ms"
        line = f"{mark} {event.name:<10} {timing:>8}  {event.detail}".rstrip()
        print(("\r\033[K" if self.tty else "") + line, flush=True)


def _print_outcome(result: Any, profile: Profile, recipient: str) -> None:
    if result.ok:
        print(f"\nAccepted by the server: {result.response}")
        print(f"Look for the message in {recipient}'s inbox (and its spam folder).")
        return
    diagnosis = result.diagnosis
    if diagnosis is None:
        print(f"\n{_marks()[1]} The test did not pass.")
        return
    print(f"\n{_marks()[1]} {diagnosis.title}")
    print(diagnosis.explanation)
    if diagnosis.causes:
        print("\nLikely causes:")
        print("\n".join(f"  - {cause}" for cause in diagnosis.causes))
    if diagnosis.next_steps:
        print("\nNext steps:")
        print("\n".join(f"  {n}. {step}" for n, step in enumerate(diagnosis.next_steps, 1)))
    if diagnosis.suggestion:
        change = ", ".join(f"{key} = {value}" for key, value in diagnosis.suggestion.items())
        print(f"\nSuggested change: {change} (smtp-setup edit {profile.name})")


def _write_debug_log(result: Any, password: str | None) -> None:
    """Transcript and timings (already redacted by sending) to the user log folder."""
    import time

    import platformdirs

    from smtp_setup.core.transcript import redact

    folder = platformdirs.user_log_path("smtp-setup")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"test-{result.profile}-{stamp}.log"
    lines = [
        f"{PROG} {__version__} test of profile {result.profile!r} at {stamp}",
        f"server {result.server}, security {result.security}, ok {result.ok}",
        "",
        "stages:",
        *(f"  {e.name:<10} {e.status:<5} {e.ms:8.1f} ms  {e.detail}" for e in result.stages),
        "",
        "transcript:",
        *result.transcript,
    ]
    if result.diagnosis is not None:
        lines += ["", f"diagnosis: {result.diagnosis.code}: {result.diagnosis.title}"]
    text = redact("\n".join(lines) + "\n", (password,) if password else ())
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        print(f"Could not write the debug log to {path}: {exc.strerror}", file=sys.stderr)
        return
    print(f"Debug log written to {path}", file=sys.stderr)


# -- sandbox -------------------------------------------------------------------------


def _cmd_sandbox(args: argparse.Namespace) -> int:
    raise UsageError("The sandbox is not available yet.")
