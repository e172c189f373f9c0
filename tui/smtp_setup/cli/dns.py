"""The commands that ask DNS: `discover`, `check-domain` and `doctor` (imported only when one
of them runs). Each takes `--nameserver HOST[:PORT]`, which receives every DNS question."""

from __future__ import annotations

import argparse

from smtp_setup.cli.output import UsageError, invalid_setting, print_json


def cmd_discover(args: argparse.Namespace) -> int:
    return run_discover(args)


def cmd_check_domain(args: argparse.Namespace) -> int:
    return run_check_domain(args)


def cmd_doctor(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.config_store import ConfigStore

    return run_doctor(args, ConfigStore(args.config).load())


def _run_and_report(args: argparse.Namespace, coroutine, format_report) -> object:
    """Run one DNS-using check; print its JSON or its text lines; return the report.
    A ValueError from the check is the user's input (bad address, nameserver...): exit 2."""
    import asyncio

    try:
        report = asyncio.run(coroutine)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(report.to_json())
    else:
        print("\n".join(format_report(report)))
    return report


def run_discover(args: argparse.Namespace) -> int:
    """`smtp-setup discover ADDRESS`: 0 when something was suggested, 1 when nothing was."""
    from smtp_setup.core.discovery.search import discover, format_report

    report = _run_and_report(args, discover(
        args.address, nameserver=args.nameserver, timeout=args.timeout,
        allow_http=args.allow_http), format_report)
    return 0 if report.suggestions else 1


def run_check_domain(args: argparse.Namespace) -> int:
    """`smtp-setup check-domain DOMAIN`: 0 when no check fails, 1 otherwise (offline too)."""
    from smtp_setup.core.dns.domain_check import check_domain, format_report

    report = _run_and_report(args, check_domain(
        args.domain, provider_id=args.provider, dkim_selector=args.dkim_selector,
        nameserver=args.nameserver, timeout=args.timeout), format_report)
    return 0 if report.ok else 1


def run_doctor(args: argparse.Namespace, config) -> int:
    """`smtp-setup doctor NAME`: port check + test send + domain check; 0 healthy, 1 not."""
    from smtp_setup.cli.sending import check_recipient, note_recipient, password_for
    from smtp_setup.core.doctor import format_report
    from smtp_setup.core.doctor import run_doctor as doctor

    profile = config.profile(args.name)
    problems = profile.problems(check_address=False)
    if problems:
        raise UsageError(invalid_setting(profile, problems[0]))
    check_recipient(args.to)
    password = password_for(profile)  # for OAuth: the refresh token
    note_recipient(args.to)
    from smtp_setup.cli.sending import print_warnings, token_saver
    from smtp_setup.core.profiles.config_store import ConfigStore

    saver = token_saver(profile, ConfigStore(config.path))  # a rotated refresh token goes back
    report = _run_and_report(args, doctor(profile, password, nameserver=args.nameserver,
                                          to=args.to, store_rotated=saver), format_report)
    print_warnings(saver)
    return 0 if report.ok else 1
