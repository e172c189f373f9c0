"""Saving over another profile's name asks first, naming what would be lost, and the
replaced profile's keyring entry goes only once the new file is written (Pilot on the real
wizard, the test keyring backend, real config files)."""

from __future__ import annotations

import tomllib
from contextlib import suppress

from smtp_setup.app import build_wizard
from smtp_setup.app.widgets.modals import Confirm
from textual.widgets import Button, Input, Label, RadioButton
from textual.worker import WorkerCancelled

SIZE = (100, 40)
OLD = """format = 1
default_profile = "work"

[profiles.work]
provider = "custom"
host = "smtp.old.example"
port = 2525
security = "starttls"
username = "old-user"
password = { keyring = "smtp-setup/work" }
from_email = "old@example.com"
"""


def old_config(tmp_path, test_keyring):
    config = tmp_path / "config.toml"
    config.write_text(OLD)
    test_keyring.set_password("smtp-setup", "work", "Old-S3cret")
    return config


async def set_value(app, pilot, selector: str, value: str) -> None:
    app.screen.query_one(selector, Input).value = value
    await pilot.pause()


async def next_step(app, pilot, expected: str) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert app.step.step_id == expected, app.screen.query_one("#nav-status").content


async def walk_to_review(app, pilot, provider: str, login: bool = False) -> None:
    """A new profile: provider, default connection, optional keyring login, sender, no test."""
    await pilot.pause()
    await pilot.press("enter")  # Welcome: new profile
    await set_value(app, pilot, "#provider-filter", provider)
    await next_step(app, pilot, "connection")
    if provider == "other smtp":
        await set_value(app, pilot, "#host", "smtp.new.example")
    await next_step(app, pilot, "credentials")
    if login:
        await set_value(app, pilot, "#username", "new-user")
        await set_value(app, pilot, "#password", "New-S3cret")
        app.screen.query_one("#keyring", RadioButton).value = True
        await pilot.pause()
    await next_step(app, pilot, "sender")
    await set_value(app, pilot, "#from-email", "new@example.com")
    await next_step(app, pilot, "test")
    await next_step(app, pilot, "review")  # the test is skipped
    await set_value(app, pilot, "#profile-name", "work")


async def save_and_wait_for_question(app, pilot) -> Confirm:
    await pilot.press("ctrl+n")
    for _ in range(50):
        await pilot.pause(0.02)
        if isinstance(app.screen, Confirm):
            return app.screen
    raise AssertionError("saving over 'work' did not ask first")


async def settle(app, pilot) -> None:
    with suppress(WorkerCancelled):
        await app.workers.wait_for_complete()
    await pilot.pause()


async def test_saving_over_a_profile_asks_and_no_keeps_it(tmp_path, test_keyring):
    config = old_config(tmp_path, test_keyring)
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # the keyring check runs after the first frame
        await walk_to_review(app, pilot, "sandbox")
        question = await save_and_wait_for_question(app, pilot)
        text = " ".join(str(label.content) for label in question.query(Label))
        assert "Replace the saved profile work?" in text
        assert "smtp.old.example, port 2525 (STARTTLS)" in text
        assert "system keyring (smtp-setup/work)" in text
        assert question.focused.id == "no"  # the safe answer is the one Enter picks
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.step.step_id == "review" and app.return_code is None
        assert config.read_text() == OLD
        assert test_keyring.get_password("smtp-setup", "work") == "Old-S3cret"

        await save_and_wait_for_question(app, pilot)
        app.screen.query_one("#yes", Button).press()
        await settle(app, pilot)
    assert app.return_code == 0
    saved = tomllib.loads(config.read_text())["profiles"]["work"]
    assert (saved["provider"], saved["host"]) == ("sandbox", "127.0.0.1")
    # The sandbox does not log in, so the old entry is no one's now: removed after the write.
    assert test_keyring.get_password("smtp-setup", "work") is None


async def test_the_old_password_stays_when_the_new_file_cannot_be_written(tmp_path,
                                                                          test_keyring):
    config = old_config(tmp_path, test_keyring)
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await walk_to_review(app, pilot, "other smtp", login=True)
        config.write_text(OLD + "port = = 1\n")  # someone breaks the file meanwhile
        await save_and_wait_for_question(app, pilot)
        app.screen.query_one("#yes", Button).press()
        await settle(app, pilot)
        assert app.step.step_id == "review" and app.return_code is None
        assert "Not saved" in str(app.screen.query_one("#save-error").content)
    assert test_keyring.get_password("smtp-setup", "work") == "Old-S3cret"
    assert config.read_text() == OLD + "port = = 1\n"


async def test_editing_a_profile_under_its_own_name_does_not_ask(tmp_path, test_keyring):
    config = old_config(tmp_path, test_keyring)
    app = build_wizard(config_path=config, edit="work")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(5):
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.step.step_id == "review"
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    assert app.return_code == 0
    assert test_keyring.get_password("smtp-setup", "work") == "Old-S3cret"


async def test_a_new_password_waits_for_the_file_when_editing_too(tmp_path, test_keyring):
    config = old_config(tmp_path, test_keyring)
    app = build_wizard(config_path=config, edit="work")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await next_step(app, pilot, "connection")
        await next_step(app, pilot, "credentials")
        await set_value(app, pilot, "#password", "New-S3cret")
        for step in ("sender", "test", "review"):
            await next_step(app, pilot, step)
        config.write_text(OLD + "port = = 1\n")  # the file breaks before Save
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert "Not saved" in str(app.screen.query_one("#save-error").content)
    assert test_keyring.get_password("smtp-setup", "work") == "Old-S3cret"
