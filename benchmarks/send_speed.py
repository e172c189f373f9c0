"""How long a test send takes through a local server, next to a bare aiosmtplib script.

    .venv/bin/python benchmarks/send_speed.py [--runs 7] [--inproc-runs 21] [--imports] [--strict]

Two aiosmtpd servers run on 127.0.0.1 in this process: one plain without login, one that
requires STARTTLS and AUTH (a trustme certificate). For each, two processes are timed
from start to exit, alternating: `smtp-setup test bench --json` and bare_send.py, which
does the same session with aiosmtplib alone. Then the same two sessions run in this
process (`await send_test_message(...)` against the bare coroutine), which leaves out
the interpreter start-up and imports and shows the protocol cost alone.
Budget (design.md): within 1.3x of the bare script, on the median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import bare_send
import budget
import import_times
from cli_imports import smtp_setup_command
from smtp_servers import PASSWORD, USERNAME

PASSWORD_ENV = "SMTP_SETUP_BENCH_PASSWORD"
HERE = Path(__file__).resolve().parent
BARE = HERE / "bare_send.py"
SERVERS = HERE / "smtp_servers.py"


class Scenario:
    """One server and the two ways of sending through it."""

    def __init__(self, name: str, port: int, security: str, config: Path, ca_file: Path,
                 to: str | None = None):
        self.name, self.port, self.security = name, port, security
        self.login = security == "starttls"
        self.config = budget.write_config(
            config,
            port=port,
            security=security,
            username=USERNAME if self.login else None,
            password_env=PASSWORD_ENV if self.login else None,
            ca_file=ca_file if security != "none" else None,
        )
        self.ca_file = ca_file
        self.cli = [*smtp_setup_command(), "--config", str(config), "test", "bench", "--json"]
        if to:  # the recipient's check is part of what the command pays for
            self.cli += ["--to", to]
        self.bare = [sys.executable, str(BARE), "127.0.0.1", str(port), security]
        if self.login:
            self.bare += [USERNAME, str(ca_file)]


def run_checked(cmd: list[str], env: dict[str, str], is_cli: bool) -> float:
    """Wall time in ms of one send in a fresh process; stops the benchmark if it failed."""
    start = time.perf_counter()
    done = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    ms = (time.perf_counter() - start) * 1000
    ok = done.returncode == 0 and (not is_cli or json.loads(done.stdout).get("ok") is True)
    if not ok:
        raise SystemExit(
            f"send failed (exit {done.returncode}): {' '.join(cmd[1:4])}...\n"
            f"{done.stdout[-1500:]}{done.stderr[-1500:]}"
        )
    return ms


async def in_process(scenarios: list[Scenario], runs: int) -> dict[str, tuple]:
    """Both sessions in this event loop, alternating; one warm-up each first."""
    from smtp_setup.core.profiles.config_store import ConfigStore
    from smtp_setup.core.smtp.session import send_test_message

    async def product(profile, password: str | None) -> None:
        result = await send_test_message(profile, password)
        if not result.ok:
            raise SystemExit(f"in-process send failed: {result.to_json()}")

    async def baseline(sc: Scenario, password: str | None) -> None:
        context = bare_send.tls_context(str(sc.ca_file)) if sc.login else None
        await bare_send.bare_session(
            "127.0.0.1",
            sc.port,
            starttls=sc.login,
            username=USERNAME if sc.login else None,
            password=password,
            context=context,
        )

    results = {}
    for sc in scenarios:
        profile = ConfigStore(sc.config).load().profile("bench")
        password = PASSWORD if sc.login else None
        ours = budget.Samples(f"send_test_message ({sc.name})")
        bare = budget.Samples(f"bare coroutine ({sc.name})")
        pairs = [
            (ours, partial(product, profile, password)),
            (bare, partial(baseline, sc, password)),
        ]
        for _, send in pairs:  # warm-up
            await send()
        for round_no in range(runs):
            for samples, send in pairs if round_no % 2 == 0 else reversed(pairs):
                start = time.perf_counter()
                await send()
                samples.add((time.perf_counter() - start) * 1000)
        results[sc.name] = (ours, bare)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="process runs per side (default 7)")
    parser.add_argument(
        "--inproc-runs", type=int, default=21, help="in-process sends per side (default 21)"
    )
    parser.add_argument(
        "--imports", action="store_true", help="list the CLI's extra imports even if in budget"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)

    ok = True
    with tempfile.TemporaryDirectory(prefix="smtp-setup-bench-") as tmp:
        folder = Path(tmp)
        servers = subprocess.Popen(
            [sys.executable, str(SERVERS), str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            ok = _measure(args, folder, servers)
        finally:
            servers.stdin.close()
            counts = servers.stdout.read()
            servers.wait(timeout=30)
        plain = 2 * (1 + args.runs) + 2 * (1 + args.inproc_runs)
        starttls = plain + 2 * (1 + args.runs)  # the --to scenario sends there too
        if args.imports or not ok:
            plain, starttls = plain + 6, starttls + 12  # the -X importtime runs send too
        received = json.loads(counts.strip().splitlines()[-1])
        print(
            f"messages the servers accepted: plain {received['plain']} (expected {plain}), "
            f"starttls+auth {received['starttls']} (expected {starttls})"
        )
    return 1 if args.strict and not ok else 0


def _measure(args: argparse.Namespace, folder: Path, servers: subprocess.Popen) -> bool:
    line = servers.stdout.readline()
    if not line:
        raise SystemExit("the loopback SMTP servers did not start (see the error above)")
    info = json.loads(line)
    ca_file = Path(info["ca_file"])
    scenarios = [
        Scenario("plain", info["plain"], "none", folder / "plain.toml", ca_file),
        Scenario("starttls+auth", info["starttls"], "starttls", folder / "tls.toml", ca_file),
        # the realistic profile of issue 10, with a recipient given on the command line
        Scenario("starttls+auth --to", info["starttls"], "starttls", folder / "tls-to.toml",
                 ca_file, to="ops@example.org"),
    ]
    ok = True
    env = budget.child_env(folder / "unused.toml", folder / "pycache", **{PASSWORD_ENV: PASSWORD})

    print(f"test send, whole process: start -> exit ({args.runs} runs each, interleaved)")
    for sc in scenarios:
        ours = budget.Samples(f"smtp-setup test ({sc.name})", [])
        bare = budget.Samples(f"bare_send.py ({sc.name})", [])
        run_checked(sc.cli, env, True)  # warm-up: bytecode and page caches
        run_checked(sc.bare, env, False)
        for round_no in range(args.runs):
            pairs = [(ours, sc.cli, True), (bare, sc.bare, False)]
            for samples, cmd, is_cli in pairs if round_no % 2 == 0 else reversed(pairs):
                samples.add(run_checked(cmd, env, is_cli))
        print(ours.row(32))
        print(bare.row(32))
        lines, within = budget.ratio_lines(
            f"smtp-setup/bare ({sc.name})", ours, bare, budget.TEST_SEND_BUDGET
        )
        print("\n".join(lines))
        ok = ok and within

    inproc = asyncio.run(in_process(scenarios[:2], args.inproc_runs))
    print(f"\ntest send in this process: the session alone ({args.inproc_runs} runs each)")
    for name, (ours, bare) in inproc.items():
        print(ours.row(32))
        print(bare.row(32))
        print(
            f"ratio send_test_message/bare ({name}): best {ours.best / bare.best:.2f}x, "
            f"median {ours.median / bare.median:.2f}x, "
            f"difference {ours.median - bare.median:+.1f} ms (protocol cost; not the budget line)"
        )
    if not ok or args.imports:
        for sc in scenarios:
            _print_import_costs(sc, env)
    return ok


def _importer(cost: import_times.ImportCost) -> str:
    # Top level: imported by the script itself, or inside a function when it ran.
    return f"by {cost.parent}" if cost.parent else "top level"


def _print_import_costs(sc: Scenario, env: dict[str, str]) -> None:
    """What `smtp-setup test` imports that the bare script does not."""
    ours = import_times.profile(sc.cli, env)
    bare = import_times.profile(sc.bare, env)
    print(f"\nimports only `smtp-setup test` pays ({sc.name}; -X importtime, median of 3):")
    for cost, exclusive_us in import_times.extra_costs(ours, bare)[:15]:
        print(f"  {exclusive_us / 1000:7.1f} ms  {cost.module} ({_importer(cost)})")
    extra = sum(c.self_us for c in ours.values()) - sum(c.self_us for c in bare.values())
    print(f"  all imports: {extra / 1000:+.1f} ms against the bare script")


if __name__ == "__main__":
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    raise SystemExit(main())
