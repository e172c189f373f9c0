"""`smtp-setup test` and `smtp-setup sandbox` as subprocesses, against real servers on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import smtplib
import socket
import stat
from email.message import EmailMessage

import pytest
from smtp_fixtures import PASSWORD, USERNAME, free_port
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.profiles.secrets import store_in_keyring
from support.cli import LiveProcess, one_line_error, run


@pytest.fixture
def store(_isolated_config) -> ConfigStore:
    return ConfigStore(_isolated_config)


def test_json_send_through_starttls_with_a_keyring_password(store, smtp_starttls, test_keyring):
    ref = store_in_keyring("relay", PASSWORD)
    store.save_profile(smtp_starttls.profile(name="relay", password=ref))
    proc = run("test", "relay", "--json", "--to", "rcpt@example.test")
    assert proc.returncode == 0, proc.stderr
    assert PASSWORD not in proc.stdout
    data = json.loads(proc.stdout)  # stdout holds the JSON and nothing else
    assert data["ok"] is True and data["diagnosis"] is None
    assert data["profile"] == "relay" and data["security"] == "starttls"
    assert data["server"] == f"127.0.0.1:{smtp_starttls.port}"
    names = [stage["name"] for stage in data["stages"]]
    assert names == [
        "connect", "greeting", "ehlo", "starttls", "auth", "mail_from", "rcpt_to", "data", "quit",
    ]  # fmt: skip
    assert all(stage["ok"] for stage in data["stages"])
    assert data["response"].startswith("250 ")
    assert smtp_starttls.logins == [("PLAIN", USERNAME)]
    assert [m.rcpt_tos for m in smtp_starttls.messages] == [["rcpt@example.test"]]


def test_text_output_shows_each_stage_then_the_reply(store, smtp_implicit_tls):
    store.save_profile(smtp_implicit_tls.profile(name="tls"))
    proc = run("test", "tls")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert PASSWORD not in out
    lines = out.splitlines()
    assert lines[0].startswith("✓ connect") and " ms " in lines[0]
    # implicit TLS: no STARTTLS stage on this connection, so no row for it
    # each stage by its SMTP command (the JSON keeps the ids), in a 10-cell column
    assert [line[2:12].strip() for line in lines[:8]] == [
        "connect", "greeting", "EHLO", "AUTH", "MAIL FROM", "RCPT TO", "DATA", "QUIT"]
    assert "starttls" not in out.lower()
    assert any(line.startswith("✓ AUTH") for line in lines)
    assert "Accepted by the server: 250 " in out
    assert "delivered" not in out.lower()
    assert [m.rcpt_tos for m in smtp_implicit_tls.messages] == [["sender@example.test"]]


def test_wrong_password_fails_with_a_diagnosis(store, smtp_starttls):
    wrong = "not-the-Password-42"
    store.save_profile(smtp_starttls.profile(name="relay", password=SecretRef("inline", wrong)))
    proc = run("test", "relay", "--json")
    assert proc.returncode == 1, proc.stderr
    assert wrong not in proc.stdout
    data = json.loads(proc.stdout)
    assert data["ok"] is False and data["response"] is None
    assert data["diagnosis"]["code"] == "auth_failed"
    assert data["diagnosis"]["next_steps"]
    assert [(s["name"], s["ok"]) for s in data["stages"]][-1] == ("auth", False)
    assert len(smtp_starttls.logins) == 1  # one attempt, no retry storm

    text = run("test", "relay")
    assert text.returncode == 1
    assert "✗ AUTH" in text.stdout
    # the stages reached, then one line for the rest (no row per stage not reached)
    lines = text.stdout.splitlines()
    assert [line[2:12].strip() for line in lines[:5]] == [
        "connect", "greeting", "EHLO", "STARTTLS", "AUTH"]
    assert lines[5] == "Not reached: MAIL FROM, RCPT TO, DATA and QUIT."
    assert "skipped" not in text.stdout and "not reached" not in text.stdout
    assert "Next steps:" in text.stdout and "  1. " in text.stdout
    assert wrong not in text.stdout and "Accepted" not in text.stdout


def test_refused_connection_is_exit_1_with_a_diagnosis(store):
    store.save_profile(
        Profile(  # a port nobody listens on
            name="nowhere",
            host="127.0.0.1",
            port=free_port(),
            security=Security.NONE,
            from_email="me@example.test",
            timeout=5,
        )
    )
    proc = run("test", "nowhere", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["diagnosis"]["code"] == "connection_refused"
    assert data["stages"][0] == {**data["stages"][0], "name": "connect", "ok": False}
    lines = run("test", "nowhere").stdout.splitlines()
    assert lines[0].startswith("✗ connect")
    assert lines[1] == ("Not reached: greeting, EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO, "
                        "DATA and QUIT.")  # fits 79 columns
    assert lines[2] == ""


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_writes_a_private_redacted_log(store, smtp_starttls, tmp_path, how):
    store.save_profile(smtp_starttls.profile(name="relay"))
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    args = ["test", "relay", "--json"]
    if how == "flag":
        args.append("--debug")
    else:
        env["SMTP_SETUP_DEBUG"] = "1"
    proc = run(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # the log notice goes to stderr, not into the JSON
    logs = list((tmp_path / "state").rglob("test-relay-*.log"))
    assert len(logs) == 1
    assert proc.stderr.strip() == f"Debug log written to {logs[0]}"
    assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    text = logs[0].read_text()
    assert "transcript:" in text and "C: AUTH PLAIN ********" in text
    assert "starttls" in text and " ms " in text
    assert PASSWORD not in text


def test_no_log_without_debug(store, smtp_plain, tmp_path):
    store.save_profile(smtp_plain.profile(name="plain"))
    proc = run("test", "plain", env={"XDG_STATE_HOME": str(tmp_path / "state")})
    assert proc.returncode == 0 and proc.stderr == ""
    assert not (tmp_path / "state").exists()


def _send(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.test", "b@example.test", subject
    message.set_content("hello from the test\n")
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10) as client:
        client.send_message(message)


def test_sandbox_prints_each_message_and_stops_on_ctrl_c():
    sandbox = LiveProcess("sandbox", "--port", "0")
    try:
        banner = sandbox.line()
        assert banner is not None and banner.startswith(
            "Sandbox SMTP server listening on 127.0.0.1:"
        )
        assert banner.endswith(" (no TLS; any login accepted). Ctrl-C to stop.")
        port = int(banner.split("127.0.0.1:")[1].split()[0])
        _send(port, "First one")
        block = [sandbox.line() for _ in range(6)]
        assert block[0] == "" and block[1].startswith("Message 1, ")
        assert (
            block[2:]
            == [
                "  From:    a@example.test",
                "  To:      b@example.test",
                "  Subject: First one",
                block[5],
            ]
            and block[5].startswith("  Size:    ")
            and block[5].endswith(" bytes")
        )
        status, stderr = sandbox.stop(signal.SIGINT)
        assert status == 0, stderr
        assert "Traceback" not in stderr
    finally:
        sandbox.kill()


def test_sandbox_json_lines():
    sandbox = LiveProcess("sandbox", "--port", "0", "--json")
    try:
        listening = json.loads(sandbox.line())
        assert listening["event"] == "listening" and listening["host"] == "127.0.0.1"
        _send(listening["port"], "Über JSON")
        _send(listening["port"], "Second")
        first, second = json.loads(sandbox.line()), json.loads(sandbox.line())
        assert first["event"] == "message" and first["number"] == 1
        assert first["from"] == "a@example.test" and first["to"] == ["b@example.test"]
        assert first["subject"] == "Über JSON" and first["size"] > 0
        assert second["number"] == 2 and second["subject"] == "Second"
        assert sandbox.stop(signal.SIGINT)[0] == 0
    finally:
        sandbox.kill()


def test_sandbox_port_in_use_suggests_another():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = one_line_error(run("sandbox", "--port", str(port)))
    assert f"Port {port} on 127.0.0.1 is already in use" in message and "--port" in message


def test_sandbox_rejects_an_impossible_port():
    assert "--port 70000" in one_line_error(run("sandbox", "--port", "70000"))
