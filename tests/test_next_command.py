"""Every printed next command repeats the --config that was given (CLI as a subprocess, the
wizard's exit message through Pilot); SMTP_SETUP_CONFIG is not repeated, since it is still
set for the next command in the same shell."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import use_config_option
from support.cli import one_line_error, run
from textual.widgets import Input


@pytest.fixture
def other(tmp_path) -> ConfigStore:
    """A config that is not the default one, in a folder whose name needs quoting."""
    store = ConfigStore(tmp_path / "my configs" / "other.toml")
    store.save_profile(Profile(name="work", host="smtp.example.com", from_email="a@example.com"))
    return store


@pytest.fixture
def export_file(other, tmp_path):
    path = tmp_path / "work-export.toml"
    assert run("--config", str(other.path), "export", "work", "-o", str(path)).returncode == 0
    return path


QUOTED = "'{}'"


def test_import_repeats_the_config_option(other, export_file, tmp_path):
    target = tmp_path / "my configs" / "target.toml"
    done = run("--config", str(target), "import", str(export_file))
    assert done.returncode == 0, done.stderr
    assert f"Try it: smtp-setup --config {QUOTED.format(target)} test work" in done.stdout


def test_import_with_the_environment_variable_says_no_more(export_file, _isolated_config):
    done = run("import", str(export_file))  # conftest points SMTP_SETUP_CONFIG at a file
    assert done.returncode == 0, done.stderr
    assert "Try it: smtp-setup test work\n" in done.stdout


def test_error_advice_repeats_it_too(other):
    config = QUOTED.format(other.path)
    other.save_profile(Profile(name="blank", from_email="a@example.com"))
    message = one_line_error(run("test", "blank", "--config", str(other.path)))
    assert message.endswith(f"run: smtp-setup --config {config} edit blank")
    with other.path.open("a") as file:
        file.write('\n[profiles.broken]\nport = 70000\n')
    message = one_line_error(run("--config", str(other.path), "show", "broken"))
    assert f"Fix it in a text editor or with: smtp-setup --config {config} edit broken" in message
    listed = run("--config", str(other.path), "list").stdout
    assert f"Fix it with: smtp-setup --config {config} edit broken" in listed


@pytest.fixture
def config_option():
    """What `smtp-setup --config PATH` records before it opens the wizard."""
    yield use_config_option
    use_config_option(None)


async def test_the_wizard_save_message_repeats_it(tmp_path, config_option, capsys):
    config = tmp_path / "other.toml"
    config_option(config)
    app = build_wizard(config_path=config)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # a new profile
        app.screen.query_one("#provider-filter", Input).value = "sandbox"
        await pilot.pause()
        for _ in range(2):  # provider, connection; the sandbox needs no login
            await pilot.press("ctrl+n")
            await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#from-email", Input).value = "me@example.com"
        await pilot.pause()
        for _ in range(2):  # sender, test (skipped)
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.step.step_id == "review"
        app.screen.query_one("#profile-name", Input).value = "try"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 0
    printed = app.farewell  # what run_wizard prints with print() after the app left
    # whole, on one line however long the path: a command broken by a line feed cannot be
    # copied (the terminal may fold a long line; it does not break it)
    command = f"then smtp-setup --config {config} test try"
    assert len(command) > 80 and command in printed
