"""What the quick commands import, and how long they take next to `python -c pass`.

    .venv/bin/python benchmarks/cli_imports.py [--runs 7] [--imports] [--strict]

Each command runs as a user runs it (the `smtp-setup` console script, under this
interpreter) against a temporary config with one profile. Wall time is measured around
the whole process; the commands and the baseline alternate, N runs each. One extra run
per command under `python -X importtime` lists which heavy packages it loaded.
Budget (design.md): `list`, `show` and `export` import neither textual nor aiosmtplib;
`--version` and `--help` answer instantly.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import budget
import import_times

HEAVY = ("textual", "rich", "aiosmtplib", "aiosmtpd", "keyring", "email_validator")
# design.md: these must stay off the fast path's imports.
FORBIDDEN = {
    "list": ("textual", "aiosmtplib"),
    "show": ("textual", "aiosmtplib"),
    "export": ("textual", "aiosmtplib"),
}


def smtp_setup_command() -> list[str]:
    """This interpreter running the console script, or `-m smtp_setup` if none is installed."""
    script = Path(sys.executable).parent / "smtp-setup"
    if script.exists():
        return [sys.executable, str(script)]
    found = shutil.which("smtp-setup")
    return [sys.executable, found] if found else [sys.executable, "-m", "smtp_setup"]


def run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time in ms of one run, its exit status and its stderr."""
    start = time.perf_counter()
    done = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    return (time.perf_counter() - start) * 1000, done.returncode, done.stderr


def commands(base: list[str], config: Path) -> dict[str, list[str]]:
    cmds = {
        "--version": [*base, "--version"],
        "--help": [*base, "--help"],
        "list": [*base, "--config", str(config), "list"],
        "show": [*base, "--config", str(config), "show", "bench"],
    }
    # export is in the design but may not be built yet; measure it once it exists.
    if " export " in subprocess.run([*base, "--help"], capture_output=True, text=True).stdout:
        cmds["export"] = [*base, "--config", str(config), "export", "bench"]
    return cmds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    parser.add_argument(
        "--imports", action="store_true", help="also list each command's costliest imports"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a rule is broken")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="smtp-setup-bench-") as tmp:
        config = budget.write_config(
            Path(tmp) / "config" / "config.toml",
            username="bench",
            password_env="SMTP_SETUP_BENCH_PASSWORD",
        )
        env = budget.child_env(config, Path(tmp) / "pycache")
        cmds = {"python -c pass": [sys.executable, "-c", "pass"]}
        cmds.update(commands(smtp_setup_command(), config))
        samples = {name: budget.Samples(name) for name in cmds}
        failures: dict[str, str] = {}
        for cmd in cmds.values():  # warm-up: fills the bytecode cache
            run_timed(cmd, env)
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                ms, status, stderr = run_timed(cmd, env)
                samples[name].add(ms)
                if status != 0:
                    failures[name] = f"exit {status}: {stderr.strip()[-300:]}"
        costs = {name: import_times.profile(cmd, env, runs=1) for name, cmd in cmds.items()}

    base = samples["python -c pass"]
    print(f"command start-up: wall time of the whole process ({args.runs} runs each, interleaved)")
    print(f"  {'':<16} {'best':>9} {'median':>9} {'vs pass':>8} {'extra':>9}  heavy imports")
    ok = True
    for name, sample in samples.items():
        loaded = sorted({import_times.top_level(m) for m in costs[name]} & set(HEAVY))
        extra = sample.median - base.median
        print(
            f"  {name:<16} {sample.best:6.1f} ms {sample.median:6.1f} ms"
            f" {sample.median / base.median:7.2f}x {extra:+7.1f} ms  {', '.join(loaded) or '-'}"
        )
    for name in FORBIDDEN:
        if name not in costs:
            print(f"rule: {name} is not a command yet (skipped)")
            continue
        bad = [
            m for m in FORBIDDEN[name] if any(import_times.top_level(k) == m for k in costs[name])
        ]
        verdict = f"imports {', '.join(bad)}: OVER BUDGET" if bad else "ok"
        print(f"rule: {name} imports neither {' nor '.join(FORBIDDEN[name])} -> {verdict}")
        ok = ok and not bad
    for name, reason in failures.items():
        print(f"warning: {name} failed ({reason})")
        ok = False
    if args.imports:
        for name in cmds:
            if name == "python -c pass":
                continue
            print(f"\n{name}: costliest imports beyond python -c pass (exclusive, one run)")
            for cost, exclusive_us in import_times.extra_costs(
                costs[name], costs["python -c pass"]
            )[:6]:
                print(f"  {exclusive_us / 1000:7.1f} ms  {cost.module}")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
