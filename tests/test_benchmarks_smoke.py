"""The benchmark scripts still run and still say what they measured (tiny run counts).

Only that they work and report; the figures themselves are not judged here (design.md:
"benchmarks, not timed tests"), except the rules that do not depend on timing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
RUNS = {
    "first_frame": ["--runs", "1", "--no-warmup", "--imports"],
    "cli_imports": ["--runs", "1", "--imports"],
    "send_speed": ["--runs", "1", "--inproc-runs", "1", "--imports"],
    "probe_speed": ["--runs", "1", "--limit", "0.3"],
}


@pytest.fixture(scope="module")
def reports() -> dict[str, subprocess.CompletedProcess]:
    """All three scripts at once (they take seconds each; in parallel the wait is one)."""
    running = {
        name: subprocess.Popen(
            [sys.executable, str(BENCHMARKS / f"{name}.py"), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for name, args in RUNS.items()
    }
    done = {}
    for name, process in running.items():
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


def _finished(report: subprocess.CompletedProcess) -> str:
    assert report.returncode == 0, report.stdout + report.stderr
    return report.stdout


def test_first_frame_reports_both_apps_and_the_ratio(reports):
    out = _finished(reports["first_frame"])
    assert re.search(r"^  hello world +best +[\d.]+ ms +median +[\d.]+ ms", out, re.M)
    assert re.search(r"^  smtp-setup wizard +best +[\d.]+ ms", out, re.M)
    assert re.search(
        r"^ratio wizard/hello: best [\d.]+x, median [\d.]+x \(budget 1.3x\)", out, re.M
    )
    assert "imports only the wizard pays" in out
    assert re.search(r"^ +[\d.]+ ms +[\d.]+ ms +smtp_setup\.app\.wizard_app", out, re.M)
    assert "the package's functions by cumulative time" in out


def test_cli_imports_reports_every_command_and_keeps_the_fast_path_rule(reports):
    out = _finished(reports["cli_imports"])
    for command in ("python -c pass", "--version", "--help", "list", "show"):
        assert re.search(rf"^  {re.escape(command)} +[\d.]+ ms +[\d.]+ ms +[\d.]+x", out, re.M)
    # Not a timing: which modules a command loads is deterministic.
    assert "rule: list imports neither textual nor aiosmtplib -> ok" in out
    assert "rule: show imports neither textual nor aiosmtplib -> ok" in out


def test_send_speed_reports_both_ways_and_every_message_arrived(reports):
    out = _finished(reports["send_speed"])
    for scenario in ("plain", "starttls+auth", "starttls+auth --to"):
        assert re.search(rf"^ratio smtp-setup/bare \({re.escape(scenario)}\): best", out, re.M)
    for scenario in ("plain", "starttls+auth"):
        assert re.search(rf"^ratio send_test_message/bare \({re.escape(scenario)}\)", out, re.M)
    counts = re.search(r"accepted: plain (\d+) \(expected (\d+)\), "
                       r"starttls\+auth (\d+) \(expected (\d+)\)", out)
    assert counts, out
    assert counts.group(1) == counts.group(2) and counts.group(3) == counts.group(4)


def test_probe_speed_reports_both_sizes_and_only_silent_ports(reports):
    out = _finished(reports["probe_speed"])
    for n in (4, 8):
        assert re.search(rf"^ratio N={n}/limit: best [\d.]+x, median [\d.]+x \(budget 1.2x\)",
                         out, re.M), out
    # Not a timing: every port must have been reported silent, never a fast failure.
    assert "refused" not in out and "usable" not in out
