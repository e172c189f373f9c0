"""The msmtp export, used by the real msmtp to send through aiosmtpd on 127.0.0.1.

msmtp comes from the Debian package (.ci/run installs it when missing); without it these
tests are skipped. Every run passes --file, so no ~/.msmtprc is ever read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from smtp_fixtures import USERNAME
from smtp_setup.core.exports.formats import render_export
from smtp_setup.core.profiles.model import SecretRef

MSMTP = shutil.which("msmtp")
pytestmark = pytest.mark.skipif(
    MSMTP is None, reason="msmtp is not installed (apt-get install msmtp); .ci/run installs it"
)
ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"
RECIPIENT = "rcpt@example.test"
MESSAGE = b"Subject: smtp-setup msmtp export\r\n\r\nHello from msmtp.\r\n"


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "msmtprc"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # msmtp refuses a readable file that holds a password
    return path


def run_msmtp(config: Path, account: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, "HOME": str(config.parent), **(env or {})}
    return subprocess.run([MSMTP, f"--file={config}", f"--account={account}", RECIPIENT],
                          input=MESSAGE, capture_output=True, env=environ, timeout=30)


def test_msmtp_sends_with_passwordeval_from_an_env_reference(smtp_starttls, tmp_path):
    profile = smtp_starttls.profile(name="e2e", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "msmtp", default="e2e")
    assert f'passwordeval "printenv {ENV_VAR}"' in text
    assert smtp_starttls.password not in text
    config = write_config(tmp_path, text)

    done = run_msmtp(config, "e2e", {ENV_VAR: smtp_starttls.password})

    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert len(smtp_starttls.messages) == 1
    envelope = smtp_starttls.messages[0]
    assert envelope.mail_from == "sender@example.test"
    assert envelope.rcpt_tos == [RECIPIENT]
    assert b"Hello from msmtp." in envelope.content
    assert [login for _, login in smtp_starttls.logins] == [USERNAME]


def test_msmtp_fails_when_the_env_reference_holds_the_wrong_password(smtp_starttls, tmp_path):
    profile = smtp_starttls.profile(name="e2e", password=SecretRef("env", ENV_VAR))
    config = write_config(tmp_path, render_export([profile], "msmtp"))

    done = run_msmtp(config, "e2e", {ENV_VAR: "not-the-password"})

    assert done.returncode != 0
    assert smtp_starttls.messages == []
    assert b"authentication failed" in done.stderr.lower()


def test_msmtp_sends_with_an_included_password_full_of_quotes_over_implicit_tls(
        smtp_server_factory, tmp_path):
    # msmtp unescapes nothing: quotes and backslashes inside the value must arrive as typed.
    password = 'p a"s\\s$`x\' é'
    server = smtp_server_factory("tls", password=password)
    profile = server.profile(name="implicit", from_name='Team "Ops", Inc.')
    text = render_export([profile], "msmtp", secrets={"implicit": password})
    assert "tls_starttls off" in text
    config = write_config(tmp_path, text)

    done = run_msmtp(config, "implicit")

    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert [e.rcpt_tos for e in server.messages] == [[RECIPIENT]]


def test_msmtp_uses_the_default_account_and_a_password_command(smtp_server_factory, tmp_path):
    server = smtp_server_factory("starttls")
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(server.password + "\n", encoding="utf-8")
    other = server.profile(name="other", host="127.0.0.2", password=SecretRef("env", ENV_VAR))
    chosen = server.profile(name="chosen",
                            password=SecretRef("command", f"cat '{secret_file}'"))
    config = write_config(tmp_path, render_export([other, chosen], "msmtp", default="chosen"))

    environ = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run([MSMTP, f"--file={config}", RECIPIENT], input=MESSAGE,
                          capture_output=True, env=environ, timeout=30)

    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert len(server.messages) == 1
