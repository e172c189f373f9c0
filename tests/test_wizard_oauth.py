"""The wizard's OAuth path: sign in with a code (device flow) against the fake authorization
server, then the test send authenticates with XOAUTH2 at an aiosmtpd server that checks the
token with the same fake server. Everything on 127.0.0.1."""

from __future__ import annotations

import os
import tomllib
from contextlib import suppress

import pytest
from smtp_setup.app import build_wizard
from support.cli import run
from textual.widgets import Button, Input, OptionList, RadioButton
from textual.worker import WorkerCancelled

SIZE = (100, 40)


async def until(pilot, condition, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError("condition never met")


async def test_outlook_sign_in_with_a_code_then_send_save_and_test_from_the_cli(
        tmp_path, fake_oauth, smtp_xoauth2):
    server = smtp_xoauth2()
    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    endpoints = fake_oauth.oauth_config("microsoft")
    app.services.extras["oauth_overrides"] = {
        "authorize_url": endpoints.authorize_url, "token_url": endpoints.token_url,
        "device_url": endpoints.device_url}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        app.screen.query_one("#provider-filter", Input).value = "outlook"
        await pilot.pause()
        await pilot.press("ctrl+n")
        # The test server stands in for smtp-mail.outlook.com: a custom port on loopback.
        app.draft.profile.host = "127.0.0.1"
        ports = app.screen.query_one("#port-list", OptionList)
        ports.highlighted = len(ports.options) - 1
        await pilot.pause()
        app.screen.query_one("#custom-port", Input).value = str(server.port)
        app.screen.query_one("#custom-security").value = "starttls"
        app.screen.query_one("#ca-file", Input).value = str(server.ca_file)
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert app.step.step_id == "credentials"
        # Outlook.com takes OAuth only: the password choice is off, OAuth is chosen.
        assert app.screen.query_one("#method-password", RadioButton).disabled
        assert app.screen.query_one("#oauth-fields").display
        assert not app.screen.query_one("#password-field").display
        app.screen.query_one("#username", Input).value = server.username
        app.screen.query_one("#client-id", Input).value = endpoints.client_id
        app.screen.query_one("#inline", RadioButton).value = True
        await pilot.pause()
        assert app.screen.query_one("#next", Button).disabled  # not signed in yet
        fake_oauth.device_script = ["pending"]
        app.screen.query_one("#sign-in-device", Button).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one("#oauth-status").content.startswith("✓"))
        assert not app.screen.query_one("#next", Button).disabled
        await pilot.press("ctrl+n")
        app.screen.query_one("#from-email", Input).value = server.username
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert app.step.step_id == "test"
        await pilot.click("#send")
        await until(pilot, lambda: app.draft.test_ok is not None and not app.step.sending)
        assert app.draft.test_ok is True, app.screen.query_one("#outcome").content
        transcript = "\n".join(app.screen.query_one("#transcript").lines)
        assert "AUTH XOAUTH2 ********" in transcript
        await pilot.press("ctrl+n")
        app.screen.query_one("#profile-name", Input).value = "outlook"
        await pilot.pause()
        await pilot.press("ctrl+n")
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
    saved = tomllib.loads(config.read_text())["profiles"]["outlook"]
    assert saved["auth"] == "oauth2"
    assert saved["oauth"]["client_id"] == endpoints.client_id
    assert saved["oauth"]["tenant"] == "consumers"
    # The server rotates strictly: the test send spent the sign-in's refresh token, so the
    # one saved is the one the test ended with, and the command line can use it.
    rotations = [token for token in fake_oauth.issued if token.startswith("fake-rt-")]
    assert len(rotations) == 2
    assert saved["password"] == rotations[-1]
    assert len(server.messages) == 1
    proc = run("--config", str(config), "test", "outlook")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(server.messages) == 2


async def test_a_test_while_editing_keeps_the_saved_sign_in_even_without_saving(
        tmp_path, fake_oauth, smtp_xoauth2, test_keyring):
    """Editing a profile and testing renews its own sign-in: the rotated token goes where the
    profile keeps it at once (the old one is spent), so leaving unsaved loses nothing."""
    from smtp_setup.core.profiles.config_store import ConfigStore
    from smtp_setup.core.profiles.secrets import store_in_keyring

    server = smtp_xoauth2()
    config = tmp_path / "config.toml"
    first = fake_oauth.issue_refresh_token()
    ConfigStore(config).save_profile(server.profile(
        name="mail", provider="outlook", auth="oauth2", oauth=fake_oauth.oauth_config(),
        username=server.username, from_email=server.username,
        password=store_in_keyring("mail", first)))
    app = build_wizard(config_path=config, edit="mail")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.services.keyring[1] != "still checking")
        for _ in range(4):  # provider, connection, login, sender: all kept as saved
            await pilot.pause()
            await pilot.press("ctrl+n")
        await until(pilot, lambda: app.step.step_id == "test")
        await pilot.click("#send")
        await until(pilot, lambda: app.draft.test_ok is not None and not app.step.sending)
        assert app.draft.test_ok is True, app.screen.query_one("#outcome").content
        await pilot.press("ctrl+q")  # leave without saving
    kept = test_keyring.get_password("smtp-setup", "mail")
    assert kept != first and kept in fake_oauth.issued
    proc = run("--config", str(config), "test", "mail")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("tested", [False, True], ids=["untested", "tested"])
async def test_a_sign_in_kept_in_a_variable_moves_to_the_file_when_there_is_no_keyring(
        tmp_path, fake_oauth, smtp_xoauth2, monkeypatch, tested):
    """No keyring here (conftest's null backend). A variable cannot follow a refresh token the
    server replaces, so editing offers only the config file, says the sign-in moves there,
    and saving moves it (as the test send left it): the profile then renews without the
    variable."""
    from smtp_setup.core.profiles.config_store import ConfigStore
    from smtp_setup.core.profiles.model import SecretRef

    server = smtp_xoauth2()
    config = tmp_path / "config.toml"
    monkeypatch.setenv("MAIL_RT", fake_oauth.issue_refresh_token())
    ConfigStore(config).save_profile(server.profile(
        name="mail", provider="outlook", auth="oauth2", oauth=fake_oauth.oauth_config(),
        username=server.username, from_email=server.username,
        password=SecretRef("env", "MAIL_RT")))
    app = build_wizard(config_path=config, edit="mail")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.services.keyring[1] != "still checking")
        for _ in range(2):  # provider, connection
            await pilot.pause()
            await pilot.press("ctrl+n")
        await until(pilot, lambda: app.step.step_id == "credentials")
        await pilot.pause()
        screen = app.screen
        assert app.step.oauth_on
        for unwritable in ("#env", "#command"):
            assert not screen.query_one(unwritable).display
            assert screen.query_one(unwritable).disabled
        assert screen.query_one("#keyring", RadioButton).disabled  # no keyring here
        assert screen.query_one("#inline", RadioButton).value
        note = str(screen.query_one("#store-note").render())
        assert "Only places smtp-setup can write to are offered" in note
        assert "environment variable MAIL_RT" in note and "saving moves it here" in note
        for _ in range(2):  # login, sender
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.step.step_id == "test"
        if tested:  # the send reads the variable and the server replaces the token
            await pilot.click("#send")
            await until(pilot, lambda: app.draft.test_ok is not None and not app.step.sending)
            assert app.draft.test_ok is True, app.screen.query_one("#outcome").content
        for _ in range(2):  # test, save
            await pilot.press("ctrl+n")
            await pilot.pause()
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
    saved = tomllib.loads(config.read_text())["profiles"]["mail"]
    rotations = [token for token in fake_oauth.issued if token.startswith("fake-rt-")]
    assert saved["password"] == rotations[-1]  # moved, as the screen said
    assert (saved["password"] == os.environ["MAIL_RT"]) is not tested
    monkeypatch.delenv("MAIL_RT")
    proc = run("--config", str(config), "token", "mail")
    assert proc.returncode == 0, proc.stderr
    assert fake_oauth.user_for(proc.stdout.strip()) == server.username
    assert tomllib.loads(config.read_text())["profiles"]["mail"]["password"] != saved["password"]
