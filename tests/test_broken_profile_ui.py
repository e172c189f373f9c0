"""The wizard with a broken profile in the config: it is listed with its reason, the
others stay usable, and opening it lands on the bad value, flagged (Pilot, real app)."""

from __future__ import annotations

import tomllib

from smtp_setup.app import build_wizard
from smtp_setup.core.profiles.model import Security
from textual.widgets import Button, OptionList
from wizard_driver import EXAMPLE_CONFIG

SIZE = (100, 40)
BROKEN = """
[profiles.broken]
provider = "custom"
host = "smtp.example.com"
port = 70000
security = "starttls"
from_email = "b@example.com"
future_setting = "kept as written"
"""


def write_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG + BROKEN)
    return config


def saved_problem(app) -> str:
    box = app.step.query_one(".saved-problem")
    return str(box.content) if box.display else ""


async def test_welcome_lists_the_broken_profile_and_opens_it_flagged(tmp_path):
    config = write_config(tmp_path)
    good_before = tomllib.loads(config.read_text())["profiles"]["alerts"]
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        choice = app.screen.query_one("#start-choice", OptionList)
        labels = {o.id: str(o.prompt) for o in choice.options}
        assert "edit:alerts" in labels and "edit:laptop" in labels  # the others still listed
        assert "broken: port: 70000 is not between 1 and 65535" in labels["edit:broken"]
        choice.highlighted = list(labels).index("edit:broken")
        await pilot.pause()
        assert app.screen.query_one("#rename", Button).disabled
        assert not app.screen.query_one("#delete", Button).disabled
        choice.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.step.step_id == "connection"  # straight to the bad value
        assert "The saved port could not be used: 70000 is not between 1 and 65535" in (
            saved_problem(app))
        assert app.screen.query_one("#host").value == "smtp.example.com"
        app.screen.query_one("#port-list").choose(465, Security.TLS)
        await pilot.pause()
        for _ in range(4):  # connection, login (none), sender, test (skipped)
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.step.step_id == "review"
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 0
    saved = tomllib.loads(config.read_text())["profiles"]
    assert (saved["broken"]["port"], saved["broken"]["security"]) == (465, "tls")
    assert saved["broken"]["future_setting"] == "kept as written"
    assert saved["alerts"] == good_before


async def test_edit_of_a_broken_profile_opens_on_the_flagged_field(tmp_path):
    app = build_wizard(config_path=write_config(tmp_path), edit="broken")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.step.step_id == "connection"
        assert "saved port could not be used" in saved_problem(app)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.step.step_id == "provider" and saved_problem(app) == ""


async def test_saving_a_new_profile_over_a_broken_one_names_its_problem(tmp_path):
    from smtp_setup.app.widgets.modals import Confirm
    from textual.widgets import Input, Label

    config = write_config(tmp_path)
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # a new profile
        app.screen.query_one("#provider-filter", Input).value = "sandbox"
        await pilot.pause()
        for _ in range(3):  # provider, connection, login (none)
            await pilot.press("ctrl+n")
            await pilot.pause()
        app.screen.query_one("#from-email", Input).value = "me@example.com"
        for _ in range(2):  # sender, test (skipped)
            await pilot.press("ctrl+n")
            await pilot.pause()
        app.screen.query_one("#profile-name", Input).value = "broken"
        await pilot.pause()
        await pilot.press("ctrl+n")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, Confirm):
                break
        text = " ".join(str(label.content) for label in app.screen.query(Label))
        assert "It is broken (port: 70000 is not between 1 and 65535)" in text
        await pilot.press("escape")  # Keep it
        await pilot.pause()
        assert app.step.step_id == "review"
    assert "port = 70000" in config.read_text()


async def test_the_flagged_port_is_left_unchosen_and_review_lists_the_fix(tmp_path):
    """The bad port is not replaced by a default nobody chose: Next stays off until a port
    is chosen, and the Save step lists what fixing the profile changes, old -> new."""
    from textual.widgets import Input

    config = write_config(tmp_path)
    app = build_wizard(config_path=config, edit="broken")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.step.step_id == "connection"
        assert app.screen.query_one("#port-list").chosen is None
        assert app.screen.query_one("#custom-port", Input).value == ""
        assert app.screen.query_one("#next", Button).disabled
        assert str(app.screen.query_one("#nav-status").content) == (
            "✗ Choose a port, or type one under Custom port.")
        await pilot.press("ctrl+n")  # nothing chosen: nothing saved, still here
        await pilot.pause()
        assert app.step.step_id == "connection"
        app.screen.query_one("#port-list").choose(465, Security.TLS)
        await pilot.pause()
        assert not app.screen.query_one("#next", Button).disabled
        for _ in range(4):  # connection, login (none), sender, test (skipped)
            await pilot.press("ctrl+n")
            await pilot.pause()
        assert app.step.step_id == "review"
        changes = app.screen.query_one("#changes")
        assert changes.display
        text = str(changes.content)
        assert "Changes to broken:" in text
        assert "Port: 70000 → 465" in text
        assert "Encryption: STARTTLS → " in text


async def test_a_broken_profile_of_an_unknown_provider_opens_on_the_provider_step(tmp_path):
    """Hand-edited: a provider id the catalog lacks and a bad port. Opening it must not
    stop the wizard; the provider is chosen again first, and the port stays flagged."""
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG + BROKEN.replace('provider = "custom"', 'provider = "other"'))
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        choice = app.screen.query_one("#start-choice", OptionList)
        choice.highlighted = [o.id for o in choice.options].index("edit:broken")
        choice.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.step.step_id == "provider"
        assert app.return_code is None  # still running: no traceback ended it
