"""Two "machines" for the profile commands' subprocess tests: machine A is this test's
config and keyring with four kinds of profile; machine B has a config and keyring of its
own. Also a pseudo-terminal driver for the commands that ask."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.profiles.secrets import store_in_keyring
from support.cli import cli_env, one_line_error

__all__ = ["machine_a", "machine_b"]  # the fixtures, for a star import

SECRET = "Wq5-distinctive-KEYRING-secret"
INLINE = "Jd2-distinctive-INLINE-secret"
PASSPHRASE = "correct horse battery staple"
FILE_KEYRING = "support.keyring_backend.FileKeyring"


@pytest.fixture
def machine_a(_isolated_config, test_keyring) -> ConfigStore:
    """Machine A: a keyring profile (default), an inline one, an env one, a no-login one."""
    store = ConfigStore(_isolated_config)
    store_in_keyring("work", SECRET)
    store.save_profile(
        Profile(
            name="work", provider="sendgrid", host="smtp.sendgrid.net", port=465,
            security=Security.TLS, username="apikey", password=SecretRef.keyring_for("work"),
            from_email="alerts@example.com", from_name="Example Alerts",
        )
    )
    store.save_profile(
        Profile(
            name="inline", host="smtp.example.com", port=587, username="me",
            password=SecretRef("inline", INLINE), from_email="me@example.com",
        )
    )
    store.save_profile(
        Profile(
            name="env", host="127.0.0.1", port=2525, security=Security.NONE, username="u",
            password=SecretRef("env", "ENV_PW"), from_email="u@example.com",
        )
    )
    store.save_profile(
        Profile(name="open", host="127.0.0.1", port=25, security=Security.NONE,
                from_email="o@example.com")
    )
    return store


@pytest.fixture
def machine_b(tmp_path) -> dict[str, str]:
    """Environment of 'another machine': its own config file and its own keyring file."""
    folder = tmp_path / "machine-b"
    folder.mkdir()
    return {
        "SMTP_SETUP_CONFIG": str(folder / "config.toml"),
        "SMTP_SETUP_TEST_KEYRING": str(folder / "keyring.json"),
        "PYTHON_KEYRING_BACKEND": FILE_KEYRING,
    }


def keyring_of(env: dict[str, str]) -> dict:
    path = Path(env["SMTP_SETUP_TEST_KEYRING"])
    return json.loads(path.read_text()) if path.exists() else {}


def config_of(env: dict[str, str]) -> dict:
    return tomllib.loads(Path(env["SMTP_SETUP_CONFIG"]).read_text())


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert SECRET not in proc.stdout + proc.stderr and INLINE not in proc.stdout + proc.stderr
    return proc


def refused(proc: subprocess.CompletedProcess) -> str:
    text = one_line_error(proc)
    assert SECRET not in text and INLINE not in text and PASSPHRASE not in text
    return text


class Terminal:
    """A command whose stdin is a pseudo-terminal; prompts are read from its stderr."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        # A new session: no controlling terminal, so getpass uses this stdin, never the
        # terminal the tests were started from.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smtp_setup", *args], stdin=slave, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=cli_env(env), start_new_session=True,
        )
        os.close(slave)
        self.seen = b""

    def expect(self, prompt: str, timeout: float = 15) -> None:
        assert self.proc.stderr is not None
        while prompt.encode() not in self.seen:
            ready, _, _ = select.select([self.proc.stderr], [], [], timeout)
            assert ready, f"no {prompt!r} in {self.seen!r}"
            chunk = os.read(self.proc.stderr.fileno(), 4096)
            assert chunk, f"ended before {prompt!r}: {self.seen!r}"
            self.seen += chunk

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def finish(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=30)
        os.close(self.master)
        return self.proc.returncode, out.decode(), (self.seen + err).decode()
