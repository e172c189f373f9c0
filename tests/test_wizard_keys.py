"""Keys do what they say (issue 9, points 12 and 13): Enter, Ctrl+N, the palette's Quit, and
keys typed ahead faster than the app draws."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard
from smtp_setup.app.wizard_app import CANCELLED
from test_wizard_flow import SIZE, choose_provider, send_and_wait, set_value, settle, step_id
from textual import events
from textual.widgets import Button, Input


async def sandbox_to_test_step(app, pilot) -> None:
    """Welcome to Test with the sandbox, by Enter alone (plus typing the From address)."""
    await choose_provider(app, pilot, "sandbox")
    await pilot.press("enter")  # Connection: the highlighted port is chosen
    assert step_id(app) == "credentials"
    await pilot.pause()
    await pilot.press("enter")  # the sandbox needs no login: nothing to fill
    await pilot.pause()
    assert step_id(app) == "sender", "Enter did nothing on the sandbox's Login step"
    await set_value(app, pilot, "#from-email", "me@example.com")
    await pilot.press("enter")
    await pilot.pause()
    assert step_id(app) == "test"


async def test_enter_advances_on_every_complete_step_and_never_sends_twice(tmp_path):
    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    app.services.sandbox_port = 0  # any free port, so parallel runs never collide
    async with app.run_test(size=SIZE) as pilot:
        await sandbox_to_test_step(app, pilot)
        await pilot.press("enter")  # Send test
        for _ in range(200):
            await settle(app, pilot)
            if app.draft.test_ok is not None and not app.step.sending:
                break
            await pilot.pause(0.05)
        assert app.draft.test_ok is True
        assert len(app.services.sandbox_messages()) == 1
        await pilot.press("enter")  # the test passed: Enter moves on
        await settle(app, pilot)
        assert len(app.services.sandbox_messages()) == 1, "Enter sent a second message"
        assert step_id(app) == "review"
        await set_value(app, pilot, "#profile-name", "try")
        await pilot.press("enter")
        await settle(app, pilot)
    assert app.return_code == 0
    assert "[profiles.try]" in config.read_text()


async def test_back_to_a_passed_test_then_enter_moves_on(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    app.services.sandbox_port = 0
    async with app.run_test(size=SIZE) as pilot:
        await sandbox_to_test_step(app, pilot)
        await pilot.click("#send")
        for _ in range(200):
            await settle(app, pilot)
            if app.draft.test_ok is not None and not app.step.sending:
                break
            await pilot.pause(0.05)
        await pilot.press("ctrl+n")
        assert step_id(app) == "review"
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert step_id(app) == "test"
        await pilot.press("enter")
        await settle(app, pilot)
        assert step_id(app) == "review"
        assert len(app.services.sandbox_messages()) == 1


async def test_ctrl_n_on_the_test_step_says_the_test_is_skipped(tmp_path):
    """Said on the Save step itself, in its summary: no notice covers that summary."""
    app = build_wizard(config_path=tmp_path / "config.toml")
    app.services.sandbox_port = 0
    async with app.run_test(size=SIZE) as pilot:
        await sandbox_to_test_step(app, pilot)
        assert str(app.screen.query_one("#next", Button).label) == "Skip test"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_id(app) == "review"
        assert not app._notifications, [n.message for n in app._notifications]
        summary = str(app.screen.query_one("#summary").content)
        assert "not tested; run smtp-setup test sandbox after saving" in summary, summary


@pytest.mark.parametrize("provider", ["other smtp", "gmail"])
async def test_enter_moves_on_from_a_complete_connection_step(tmp_path, provider):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, provider)
        if provider == "other smtp":
            await set_value(app, pilot, "#host", "mail.example.com")
            assert app.focused is app.screen.query_one("#host", Input)
        await pilot.pause()
        await pilot.press("enter")  # not a port check: the highlighted choice is taken
        await pilot.pause()
        assert step_id(app) == "credentials"


@pytest.mark.parametrize("how", ["ctrl+q", "palette"])
async def test_the_palette_quit_leaves_as_ctrl_q_does(tmp_path, how, capsys):
    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "sendgrid")
        if how == "palette":
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"quit")
            for _ in range(40):  # the palette searches in a worker
                await pilot.pause(0.05)
                if app.screen.query("CommandList Option"):
                    break
            await pilot.press("down", "enter")
        else:
            await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 130
    assert app.farewell == str(CANCELLED)  # printed on leaving by run_wizard
    assert not config.exists()


def type_at_once(app, text_and_keys: list[str]) -> None:
    """Queue every key before the app handles any, as a terminal delivers a burst read in
    one go (a password manager's auto-type). Pilot's press() waits after each key, which
    hides the ordering problem."""
    names = {" ": "space", "@": "at", ".": "full_stop"}
    for key in text_and_keys:
        event = events.Key(names.get(key, key), key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_typed_ahead_keys_land_in_the_field_they_were_typed_for(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#username", Input)
        type_at_once(app, [*"alice@test.local", "tab", *"correct horse"])
        for _ in range(20):
            await pilot.pause(0.05)
        assert app.screen.query_one("#username", Input).value == "alice@test.local"
        assert app.screen.query_one("#password", Input).value == "correct horse"


async def wait_for_keys(pilot) -> None:
    for _ in range(20):
        await pilot.pause(0.05)


async def test_a_burst_of_editing_keys_and_text_applies_in_order(tmp_path):
    """End, 12 Backspaces and new text sent at once (tmux send-keys): every Backspace acts
    before the text typed after it, on the Login step and on the Review step."""
    from wizard_driver import go_to

    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        await pilot.press("ctrl+n")
        await pilot.pause()
        username = app.screen.query_one("#username", Input)
        assert app.focused is username
        type_at_once(app, [*"me@gmail.com"])
        await wait_for_keys(pilot)
        type_at_once(app, ["end", *["backspace"] * 12, *"ab@cd.com"])
        await wait_for_keys(pilot)
        assert username.value == "ab@cd.com"
        type_at_once(app, ["home", "delete", "delete", *"xy", "end", "backspace", *"org"])
        await wait_for_keys(pilot)
        assert username.value == "xy@cd.coorg"

    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, "review", {"provider": "sandbox", "from_email": "me@example.com"})
        assert step_id(app) == "review"
        name = app.screen.query_one("#profile-name", Input)
        await set_value(app, pilot, "#profile-name", "custom")
        name.focus()
        await pilot.pause()
        type_at_once(app, ["end", *["backspace"] * 6, *"local"])
        await wait_for_keys(pilot)
        assert name.value == "local"


@pytest.mark.parametrize("provider", ["gmail", "outlook", "fastmail"])
async def test_login_starts_on_the_username_and_tab_reaches_the_password(tmp_path, provider):
    """Gmail offers a choice of OAuth above the username: focus still starts on the first
    text to type, so an auto-typed password never lands in the username in plain view."""
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, provider)
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert step_id(app) == "credentials"
        await pilot.pause()
        assert app.focused is app.screen.query_one("#username", Input)
        if app.step.oauth_on:  # Outlook signs in with OAuth by default: no password field
            return
        type_at_once(app, [*"me@gmail.com", "tab", *"secret pass"])
        await wait_for_keys(pilot)
        assert app.screen.query_one("#username", Input).value == "me@gmail.com"
        assert app.screen.query_one("#password", Input).value == "secret pass"


async def test_a_fixed_username_starts_the_login_on_the_password(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "sendgrid")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.pause()
        assert app.focused is app.screen.query_one("#password", Input)


async def test_enter_in_the_recipient_field_after_a_pass_moves_on(tmp_path):
    """README: Enter never sends twice after a pass. In "Send the test to" it moves on while
    the recipient is the one that passed; a new recipient (or the Send button) sends again."""
    app = build_wizard(config_path=tmp_path / "config.toml")
    app.services.sandbox_port = 0
    async with app.run_test(size=SIZE) as pilot:
        await sandbox_to_test_step(app, pilot)
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        recipient = app.screen.query_one("#recipient", Input)
        recipient.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.services.sandbox_messages()) == 1, "Enter sent a second message"
        assert step_id(app) == "review"
        await pilot.press("ctrl+b")
        await pilot.pause()
        recipient.focus()
        await pilot.pause()
        await pilot.press("end", *"x")  # a different recipient: Enter tests it
        await pilot.press("enter")
        for _ in range(200):
            await settle(app, pilot)
            if not app.step.sending and len(app.services.sandbox_messages()) == 2:
                break
            await pilot.pause(0.05)
        assert step_id(app) == "test"
        assert len(app.services.sandbox_messages()) == 2


async def test_show_password_leaves_the_footer_with_the_password_field(tmp_path):
    from textual.widgets._footer import FooterKey

    def footer_keys() -> set[str]:
        return {key.key for key in app.screen.query(FooterKey)}

    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.pause()
        assert "ctrl+r" in footer_keys()
        await pilot.click("#use-auth")
        await pilot.pause()
        await pilot.pause()
        assert not app.step.auth_on
        assert "ctrl+r" not in footer_keys()
        await pilot.click("#use-auth")
        await pilot.pause()
        await pilot.pause()
        assert "ctrl+r" in footer_keys()
