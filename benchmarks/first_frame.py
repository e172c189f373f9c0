"""How long the wizard takes to show its first frame, next to a hello-world Textual app.

    .venv/bin/python benchmarks/first_frame.py [--runs 7] [--headless] [--imports] [--strict]

Each run starts a fresh interpreter (frame_probe.py) on a pseudo-terminal of 80x24, as a
person would see it, and times process start -> first frame (Textual's Ready event).
The two apps alternate, and the order flips every round, so drift on the machine hits
both alike. Budget (design.md): the wizard within 1.3x of hello world, on the median.
When over budget (or with --imports), the imports that only the wizard pays are listed
from `python -X importtime`, largest first: that is what to trim or defer.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pstats
import pty
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import budget
import import_times

HERE = Path(__file__).resolve().parent
PROBE = HERE / "frame_probe.py"
APPS = {"hello": "hello world", "wizard": "smtp-setup wizard"}
PHASES = ("imported", "built", "frame")


def run_once(kind: str, env: dict[str, str], workdir: Path, *, headless: bool) -> dict:
    """One cold start of one app; returns its marks in ms since process start."""
    result = workdir / f"{kind}.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(PROBE), kind, str(result)]
    if headless:
        cmd.append("--headless")
        env = {**env, "BENCH_T0": repr(time.perf_counter())}
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=60)
        output = done.stdout + done.stderr
    else:
        output = _run_on_pty(cmd, env)
    if not result.exists():
        tail = output[-2000:].decode("utf-8", "replace")
        raise SystemExit(f"{kind}: the probe reported nothing. Its output ended with:\n{tail}")
    return json.loads(result.read_text(encoding="utf-8"))


def _run_on_pty(cmd: list[str], env: dict[str, str]) -> bytes:
    """Run `cmd` with an 80x24 pseudo-terminal as its terminal; return what it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:  # the app blocks if nobody reads its terminal
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env["BENCH_T0"] = repr(time.perf_counter())  # last thing before the process starts
    child = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    reader.join(timeout=5)
    os.close(master)
    return b"".join(chunks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per app (default 7)")
    parser.add_argument(
        "--headless", action="store_true", help="no terminal: Textual's headless driver"
    )
    parser.add_argument("--no-warmup", action="store_true", help="skip the unmeasured first run")
    parser.add_argument(
        "--imports", action="store_true", help="list the wizard's extra imports even if in budget"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="smtp-setup-bench-") as tmp:
        workdir = Path(tmp)
        # No file yet: the wizard opens as on a first run, with no saved profiles.
        env = budget.child_env(workdir / "config" / "config.toml", workdir / "pycache")
        samples = {kind: budget.Samples(APPS[kind]) for kind in APPS}
        phases = {kind: {p: budget.Samples(p) for p in PHASES} for kind in APPS}
        widgets = dict.fromkeys(APPS, 0)
        if not args.no_warmup:  # bytecode caches, page cache: not what a user pays twice
            for kind in APPS:
                run_once(kind, env, workdir, headless=args.headless)
        for round_no in range(args.runs):
            order = list(APPS) if round_no % 2 == 0 else list(reversed(APPS))
            for kind in order:
                marks = run_once(kind, env, workdir, headless=args.headless)
                samples[kind].add(marks["frame"])
                for phase in PHASES:
                    phases[kind][phase].add(marks[phase])
                widgets[kind] = int(marks["widgets"])

        mode = "headless driver" if args.headless else "80x24 pseudo-terminal"
        print(f"first frame: process start -> Textual Ready event ({mode}, interleaved)")
        for kind in APPS:
            print(samples[kind].row())
        lines, ok = budget.ratio_lines(
            "wizard/hello", samples["wizard"], samples["hello"], budget.FIRST_FRAME_BUDGET
        )
        print("\n".join(lines))
        print("where the time goes (median ms since process start):")
        print(f"  {'':<18} {'imports done':>13} {'app built':>10} {'first frame':>12}")
        for kind in APPS:
            cells = "".join(
                f"{phases[kind][p].median:{w}.1f}"
                for p, w in zip(PHASES, (13, 11, 13), strict=True)
            )
            print(f"  {APPS[kind]:<18}{cells}   {widgets[kind]} widgets")
        gaps = _phase_gaps(phases["wizard"], phases["hello"])
        print(
            f"the wizard's extra time: start-up and imports {gaps[0]:+.1f} ms, building the app "
            f"{gaps[1]:+.1f} ms, compose/CSS/layout to the first frame {gaps[2]:+.1f} ms"
        )
        if not ok or args.imports:
            _print_import_costs(env)
            _print_profile(env)
    return 1 if args.strict and not ok else 0


def _phase_gaps(ours: dict, base: dict) -> list[float]:
    """Median duration of each phase (imports, build, first frame), ours minus base."""
    gaps, before_ours, before_base = [], 0.0, 0.0
    for phase in PHASES:
        gaps.append((ours[phase].median - before_ours) - (base[phase].median - before_base))
        before_ours, before_base = ours[phase].median, base[phase].median
    return gaps


def _print_import_costs(env: dict[str, str], top: int = 20) -> None:
    """What the wizard imports on the way to its first frame that hello world does not."""
    with tempfile.TemporaryDirectory(prefix="smtp-setup-bench-") as tmp:
        env = {**env, "BENCH_T0": repr(time.perf_counter())}
        result = str(Path(tmp) / "r.json")
        wizard = import_times.profile(
            [sys.executable, str(PROBE), "wizard", result, "--headless"], env
        )
        hello = import_times.profile(
            [sys.executable, str(PROBE), "hello", result, "--headless"], env
        )
    print("\nimports only the wizard pays (python -X importtime, median of 3, headless):")
    print(f"  {'exclusive':>11} {'self':>8}  module (by its importer)")
    for cost, exclusive_us in import_times.extra_costs(wizard, hello)[:top]:
        print(
            f"  {exclusive_us / 1000:8.1f} ms {cost.self_us / 1000:6.1f} ms"
            f"  {cost.module} ({'by ' + cost.parent if cost.parent else 'top level'})"
        )
    ours, base = import_times.by_package(wizard), import_times.by_package(hello)
    extra = sorted(ours, key=lambda p: ours[p] - base.get(p, 0), reverse=True)
    print("self time by package, wizard vs hello (largest difference first):")
    for package in extra[:10]:
        print(
            f"  {package:<18} wizard {ours[package] / 1000:7.1f} ms"
            f"   hello {base.get(package, 0) / 1000:7.1f} ms"
        )
    total = sum(c.self_us for c in wizard.values()) - sum(c.self_us for c in hello.values())
    print(f"  all imports: the wizard spends {total / 1000:.1f} ms more than hello world")


def _print_profile(env: dict[str, str], top: int = 12) -> None:
    """The package's own functions on the way to the first frame, by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="smtp-setup-bench-") as tmp:
        stats_file = Path(tmp) / "wizard.prof"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(stats_file), str(PROBE)]
        env = {**env, "BENCH_T0": repr(time.perf_counter())}
        subprocess.run(
            [*cmd, "wizard", str(Path(tmp) / "r.json"), "--headless"],
            env=env,
            capture_output=True,
            timeout=60,
            check=True,
        )
        stats = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    # (file, line, function) -> (primitive calls, calls, own time, cumulative time, callers)
    ours = [(key, row) for key, row in stats.items() if f"{os.sep}smtp_setup{os.sep}" in key[0]]
    ours.sort(key=lambda item: item[1][3], reverse=True)
    print("\nthe package's functions by cumulative time (cProfile, one headless run;")
    print("profiling slows everything, so compare the rows with each other):")
    for (filename, line, function), row in ours[:top]:
        where = filename.split(f"{os.sep}smtp_setup{os.sep}", 1)[1]
        print(f"  {row[3] * 1000:8.1f} ms {row[1]:5d} calls  {where}:{line} {function}")
    # Compose, CSS and layout run inside Textual: its busiest functions show where.
    textual = [(key, row) for key, row in stats.items() if f"{os.sep}textual{os.sep}" in key[0]]
    textual.sort(key=lambda item: item[1][2], reverse=True)
    print("Textual's functions by own time in the same run:")
    for (filename, line, function), row in textual[:6]:
        where = filename.split(f"{os.sep}textual{os.sep}", 1)[1]
        print(f"  {row[2] * 1000:8.1f} ms {row[1]:6d} calls  textual/{where}:{line} {function}")


if __name__ == "__main__":
    raise SystemExit(main())
