"""Run `python -m smtp_setup` as a real subprocess, with this test's config and keyring."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment (conftest already points it at a private config and keyring),
    plus tests/ on PYTHONPATH so a child can load the test keyring backend."""
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    if not (extra and "SMTP_SETUP_DEBUG" in extra):
        env.pop("SMTP_SETUP_DEBUG", None)
    return env


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 30):
    """`python -m smtp_setup ARGS`, finished, with text stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "smtp_setup", *args],
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The single stderr line of a run that must have exited 2 without a traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr.strip()


class LiveProcess:
    """A long-running `smtp-setup` command whose stdout is read line by line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smtp_setup", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=cli_env(env),
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self, timeout: float = 10) -> str | None:
        """The next stdout line, or None at the end of output."""
        return self._lines.get(timeout=timeout)

    def stop(self, sig: int, timeout: float = 10) -> tuple[int, str]:
        """Send `sig`, wait, and return the exit status and stderr."""
        self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)
        assert self.proc.stderr is not None
        return self.proc.returncode, self.proc.stderr.read()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
