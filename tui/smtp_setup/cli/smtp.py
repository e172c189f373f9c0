"""The commands that speak SMTP: `test` sends through a profile, stage by stage, and
`sandbox` runs the local test server and prints what it receives.

Imported only when one of them runs, so the fast commands never load asyncio,
aiosmtplib or aiosmtpd.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import sys
from typing import Any

from smtp_setup.cli.output import UsageError, invalid_setting, marks, option_problem, print_json
from smtp_setup.cli.sending import check_nameserver, check_recipient, note_recipient, password_for
from smtp_setup.core.profiles.config_store import Config
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.smtp.stages import stage_name
from smtp_setup.i18n import _, listing, ngettext
from smtp_setup.text_width import cells, pad, wrap

SANDBOX_HOST = "127.0.0.1"


# -- test ------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.config_store import ConfigStore

    return run_test(args, ConfigStore(args.config).load())


def run_test(args: argparse.Namespace, config: Config) -> int:
    """`smtp-setup test NAME [--to ADDR] [--json]`: 0 accepted, 1 failed, 2 unusable input."""
    profile = config.profile(args.name)
    problems = profile.problems(check_address=False)  # the send itself rejects a bad address
    if problems:
        raise UsageError(invalid_setting(profile, problems[0]))
    check_recipient(args.to)
    check_nameserver(args.nameserver)
    password = password_for(profile)  # for OAuth: the refresh token
    note_recipient(args.to)
    from smtp_setup.cli.sending import print_warnings, token_saver
    from smtp_setup.core.profiles.config_store import ConfigStore
    from smtp_setup.core.smtp.session import send_test_message

    printer = _StagePrinter(live=not args.json)
    saver = token_saver(profile, ConfigStore(config.path))  # a rotated refresh token goes back
    result = asyncio.run(send_test_message(profile, password, to=args.to, on_event=printer,
                                           store_rotated=saver, nameserver=args.nameserver))
    printer.finish()
    print_warnings(saver)
    if args.debug:
        _write_debug_log(result, password)
    if args.json:
        print_json(result.to_json())
    else:
        _print_outcome(result, profile, args.to or profile.from_email)
    return 0 if result.ok else 1


class _StagePrinter:
    """Prints each stage as it finishes: `✓ connect     12 ms  127.0.0.1:587`; after a
    failure, `finish()` names the stages not reached on one line."""

    def __init__(self, *, live: bool) -> None:
        self.live = live
        self.ok, self.fail, self.skip = marks()
        self.tty = live and sys.stdout.isatty()
        self.failed = False
        self.unreached: list[str] = []

    def __call__(self, event: Any) -> None:
        if not self.live:
            return
        if event.status == "fail":
            self.failed = True
        elif event.status == "skip" and self.failed:  # a stage after the failed one
            self.unreached.append(event.name)
            return
        if event.status == "start":
            if self.tty:  # shown until the stage ends, then overwritten
                print(f"  {stage_name(event.name)} ...", end="", flush=True)
            return
        mark = {"ok": self.ok, "fail": self.fail}.get(event.status, self.skip)
        timing = _("skipped") if event.status == "skip" else f"{event.ms:5.0f} ms"
        line = (f"{mark} {pad(stage_name(event.name), 10)} {pad(timing, 8, right=True)}  "
                f"{event.detail}").rstrip()
        print(("\r\033[K" if self.tty else "") + line, flush=True)

    def finish(self) -> None:
        if self.unreached:
            # TRANSLATORS: under the stages of a failed test send, the stages after the
            # failed one: "Not reached: MAIL FROM, RCPT TO, DATA and QUIT."
            text = _("Not reached: {stages}.").format(
                stages=listing([stage_name(name) for name in self.unreached]))
            print("\n".join(wrap(text, 79, "", "  ")), flush=True)


def _print_outcome(result: Any, profile: Profile, recipient: str) -> None:
    if result.ok:
        print("\n" + "\n".join(wrap(_("Accepted by the server: {response}").format(
            response=result.response), 79, "", "  ")))
        if profile.provider == "sandbox":
            said = _("The sandbox captured it; nothing was delivered. Its terminal shows it.")
        else:
            said = _("Look for the message in {recipient}'s inbox (and its spam folder).").format(
                recipient=recipient)
        print("\n".join(wrap(said, 79)))
        return
    diagnosis = result.diagnosis
    if diagnosis is None:
        print(f"\n{marks()[1]} " + _("The test did not pass."))
        return
    # wrapped as every report is, at 79 cells (a terminal would cut a word or put 。 first)
    print(f"\n{marks()[1]} {diagnosis.title}")
    print("\n".join(wrap(diagnosis.explanation, 79)))
    if diagnosis.causes:
        print("\n" + _("Likely causes:"))
        print("\n".join(line for cause in diagnosis.causes
                        for line in wrap(cause, 79, "  - ", "    ")))
    if diagnosis.next_steps:
        print("\n" + _("Next steps:"))
        print("\n".join(line for n, step in enumerate(diagnosis.next_steps, 1)
                        for line in wrap(step, 79, f"  {n}. ", " " * (len(str(n)) + 4))))
    if diagnosis.suggestion:
        change = ", ".join(f"{key} = {value}" for key, value in diagnosis.suggestion.items())
        print("\n" + _("Suggested change: {change} ({command})").format(
            change=change, command=next_command("edit", profile.name)))


def _write_debug_log(result: Any, password: str | None) -> None:
    from smtp_setup.core.debug_log import write_send_log

    try:
        path = write_send_log(result, password)
    except OSError as exc:
        print(_("Could not write the debug log: {reason}").format(reason=exc.strerror or exc),
              file=sys.stderr)
        return
    print(_("Debug log written to {path}").format(path=path), file=sys.stderr)


# -- sandbox ---------------------------------------------------------------------------


def cmd_probe(args: argparse.Namespace) -> int:
    """`smtp-setup probe HOST [--ports ...] [--json]`: 0 when a port works, 1 when none does."""
    from smtp_setup.core.profiles import validation
    from smtp_setup.core.smtp.probe import (
        candidates_for_host,
        format_report,
        format_result,
        probe_host,
    )

    if problem := validation.host(args.host):
        raise UsageError(problem)
    try:
        candidates = candidates_for_host(args.host, args.ports)
    except ValueError as exc:
        raise UsageError(option_problem("--ports", exc)) from None

    def show(result: Any) -> None:
        for line in format_result(result):
            print(line, flush=True)

    if not args.json:
        print(ngettext("Checking {count} port on {host} at once ({seconds} s limit each)…",
                       "Checking {count} ports on {host} at once ({seconds} s limit each)…",
                       len(candidates)).format(count=len(candidates), host=args.host,
                                               seconds=f"{args.timeout:g}"), flush=True)
    try:
        report = asyncio.run(probe_host(
            args.host, candidates, timeout=args.timeout, ca_file=args.ca_file,
            on_result=None if args.json else show, nameserver=args.nameserver,
        ))
    except ValueError as exc:  # a bad host, limit or CA file: the probe says which
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(report.to_json())
    else:
        shown = 1 + sum(len(format_result(r)) for r in report.results)
        for line in format_report(report)[shown:]:  # the verdict after the live lines
            print(line)
    return 0 if report.ok else 1


def cmd_sandbox(args: argparse.Namespace) -> int:
    """`smtp-setup sandbox [--port N] [--json]`: serve until Ctrl-C, then exit 0."""
    if not 0 <= args.port <= 65535:
        raise UsageError(_("--port {port}: a port is a number from 1 to 65535.")
                         .format(port=args.port))
    try:
        asyncio.run(_serve_sandbox(args.port, as_json=args.json))
    except KeyboardInterrupt:
        print(_("Sandbox stopped."), file=sys.stderr)
    return 0


async def _serve_sandbox(port: int, *, as_json: bool) -> None:
    from smtp_setup.core.smtp.sandbox import Sandbox

    show = _print_json_message if as_json else _print_message
    sandbox = Sandbox()
    sandbox.on_message = lambda message: show(message, len(sandbox.messages))
    try:
        bound = await sandbox.start(SANDBOX_HOST, port)
    except OSError as exc:
        raise UsageError(_sandbox_start_problem(port, exc)) from None
    try:
        if as_json:
            print_json_line({"event": "listening", "host": SANDBOX_HOST, "port": bound})
        else:
            print(_("Sandbox SMTP server listening on {address} (no TLS; any login accepted). "
                    "Ctrl-C to stop.").format(address=f"{SANDBOX_HOST}:{bound}"), flush=True)
        await asyncio.Event().wait()  # until Ctrl-C cancels this task
    finally:
        await sandbox.stop()


def _sandbox_start_problem(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return _("Port {port} on {host} is already in use; choose another with --port, "
                 "e.g. {command}.").format(
            port=port, host=SANDBOX_HOST,
            command=f"smtp-setup sandbox --port {port + 1 if port < 65535 else 2526}")
    if exc.errno == errno.EACCES:
        return _("Port {port} needs administrator rights here; choose one above 1023 with "
                 "--port, e.g. {command}.").format(port=port,
                                                   command="smtp-setup sandbox --port 2525")
    return _("The sandbox could not listen on {address} ({reason}); try another --port.").format(
        address=f"{SANDBOX_HOST}:{port}", reason=exc.strerror or exc)


def _print_message(message: Any, number: int) -> None:
    # TRANSLATORS: the envelope's sender (MAIL FROM) and recipients (RCPT TO), as headings
    rows = [[_("From:"), message.mail_from or "<>"], [_("To:"), ", ".join(message.rcpt_tos)
                                                        or _("(nobody)")],
            # TRANSLATORS: a heading of the sandbox's report of a received message
            [_("Subject:"), message.subject],
            [_("Size:"), ngettext("{count} byte", "{count} bytes", message.size)
             .format(count=message.size)]]
    width = max(cells(label) for label, _value in rows) + 1
    print("\n" + _("Message {number}, {time}, from {peer}").format(
        number=number, time=f"{message.received_at:%H:%M:%S}", peer=message.peer) + "\n"
        + "\n".join(f"  {pad(label, width)}{value}" for label, value in rows), flush=True)


def _print_json_message(message: Any, number: int) -> None:
    print_json_line(
        {
            "event": "message",
            "number": number,
            "from": message.mail_from,
            "to": list(message.rcpt_tos),
            "subject": message.subject,
            "size": message.size,
            "received_at": message.received_at.isoformat(),
            "peer": message.peer,
        }
    )


def print_json_line(data: dict[str, Any]) -> None:
    """One JSON object per line (a stream a script can read as it comes)."""
    import json

    print(json.dumps(data, ensure_ascii=False), flush=True)

