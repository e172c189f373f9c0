"""The sandbox profile that is saved is the one that was tested (issue 9, point 15): when
the sandbox's port is taken by another server, the wizard tests on another port, saves that
port and prints the command that runs the sandbox there; `smtp-setup test` on a port where
another server answers says so instead of relaying that server's refusal."""

from __future__ import annotations

import json
import signal
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from smtp_fixtures import RecordingHandler, free_port
from smtp_setup.app import build_wizard
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile, Security
from support.cli import LiveProcess, run
from test_wizard_flow import (
    SIZE,
    choose_custom_port,
    choose_provider,
    send_and_wait,
    set_value,
    settle,
    step_id,
)


@contextmanager
def other_server(port: int) -> Iterator[RecordingHandler | None]:
    """A mail server that wants a login before MAIL FROM (530), on `port`. Yields None when
    the port is already held by something else: it is taken either way."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            server_hostname="mail.other.test", auth_required=True,
                            auth_require_tls=False,
                            authenticator=lambda *args: AuthResult(success=False))
    try:
        controller.start()
    except Exception:  # noqa: BLE001 - aiosmtpd wraps the bind error in several ways
        controller.stop(no_assert=True)
        yield None
        return
    try:
        yield handler
    finally:
        controller.stop()


@pytest.mark.parametrize("where", ["2525", "custom"])
async def test_the_wizard_saves_the_port_its_sandbox_test_used(tmp_path, where, capsys):
    config = tmp_path / "config.toml"
    held = 2525 if where == "2525" else free_port()
    with other_server(held) as stranger:
        app = build_wizard(config_path=config)
        async with app.run_test(size=SIZE) as pilot:
            await choose_provider(app, pilot, "sandbox")
            if where == "custom":  # a port this test chose, whatever runs on this machine
                await choose_custom_port(app, pilot, str(held), "none")
            await pilot.press("ctrl+n", "ctrl+n")
            assert step_id(app) == "sender"
            await set_value(app, pilot, "#from-email", "me@example.com")
            await pilot.press("ctrl+n")
            await send_and_wait(app, pilot)
            assert app.draft.test_ok is True, app.screen.query_one("#outcome").content
            used = app.services.extras["sandbox"].port
            assert used != held
            outcome = str(app.screen.query_one("#outcome").content)
            assert f"Port {held} is taken" in outcome and f"now uses {used}" in outcome
            await pilot.press("ctrl+n")
            assert f"port = {used}" in str(app.screen.query_one("#toml-preview").content)
            await set_value(app, pilot, "#profile-name", "try")
            await pilot.press("ctrl+n")
            await settle(app, pilot)
        assert app.return_code == 0
        if stranger is not None:
            assert stranger.messages == []  # the test message went to our sandbox only
    saved = tomllib.loads(config.read_text())["profiles"]["try"]
    assert saved["port"] == used
    printed = app.farewell
    assert f"run smtp-setup sandbox --port {used} in another terminal" in printed, printed

    # The printed next commands work together: the sandbox listens where the profile points.
    sandbox = LiveProcess("sandbox", "--port", str(used))
    try:
        assert f"127.0.0.1:{used}" in (sandbox.line() or "")
        sent = run("--config", str(config), "test", "try", "--json")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert json.loads(sent.stdout)["ok"] is True
        assert sandbox.stop(signal.SIGINT)[0] == 0
    finally:
        sandbox.kill()


def test_cli_test_says_when_another_server_answers_the_sandbox_port(tmp_path):
    config = tmp_path / "config.toml"
    port = free_port()
    ConfigStore(config).save_profile(Profile(
        name="try", provider="sandbox", host="127.0.0.1", port=port, security=Security.NONE,
        from_email="me@example.com", timeout=10))
    with other_server(port) as stranger:
        assert stranger is not None
        shown = run("--config", str(config), "test", "try")
        as_json = run("--config", str(config), "test", "try", "--json")
    assert shown.returncode == as_json.returncode == 1, shown.stdout + shown.stderr
    assert "Traceback" not in shown.stderr
    assert (f"Another server answers on 127.0.0.1:{port}, not the smtp-setup sandbox"
            in shown.stdout), shown.stdout
    assert f"smtp-setup sandbox --port {port + 1}" in shown.stdout
    assert "530" not in shown.stdout  # not that server's refusal, as if it were ours
    diagnosis = json.loads(as_json.stdout)["diagnosis"]
    assert diagnosis["code"] == "not_the_sandbox"
    assert stranger.messages == []  # stopped at its greeting: nothing handed to it


def test_a_stopped_sandbox_is_started_on_the_profiles_port(tmp_path):
    config = tmp_path / "config.toml"
    port = free_port()
    ConfigStore(config).save_profile(Profile(
        name="try", provider="sandbox", host="127.0.0.1", port=port, security=Security.NONE,
        from_email="me@example.com", timeout=10))
    shown = run("--config", str(config), "test", "try")
    assert shown.returncode == 1
    said = " ".join(shown.stdout.split())  # as before wrapping at 79 cells
    assert f"start it with `smtp-setup sandbox --port {port}`" in said, shown.stdout
    command = f"`smtp-setup sandbox --port {port}`"
    assert any(command in line for line in shown.stdout.splitlines())  # kept on one line


def test_a_sandbox_send_in_japanese_fits_80_cells(tmp_path):
    """What `test` says after the sandbox took the message is wrapped like the rest (it was
    one line of 102 cells in Japanese)."""
    from smtp_setup.text_width import cells

    config = tmp_path / "config.toml"
    port = free_port()
    ConfigStore(config).save_profile(Profile(
        name="try", provider="sandbox", host="127.0.0.1", port=port, security=Security.NONE,
        from_email="me@example.com", timeout=10))
    sandbox = LiveProcess("sandbox", "--port", str(port))
    try:
        assert f"127.0.0.1:{port}" in (sandbox.line() or "")
        sent = run("--lang", "ja", "--config", str(config), "test", "try")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        lines = sent.stdout.splitlines()
        assert all(cells(line) <= 79 for line in lines), lines
        assert "サンドボックスが受け取りました。" in sent.stdout
    finally:
        sandbox.kill()
