"""Each wizard step pinned as an SVG snapshot (pytest-textual-snapshot, 80x24 and 100x32).

The config lives at a fixed path so the path shown on screen is the same on every machine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from smtp_setup.app import build_wizard
from textual.widgets import Input
from wizard_driver import EXAMPLE_CONFIG as SAVED
from wizard_driver import go_to

FIXED_CONFIG = Path("/tmp/smtp-setup-snapshots/config.toml")


@pytest.fixture
def wizard(monkeypatch):
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)  # no blinking cursor
    shutil.rmtree(FIXED_CONFIG.parent, ignore_errors=True)
    FIXED_CONFIG.parent.mkdir(parents=True)
    FIXED_CONFIG.write_text(SAVED)
    yield lambda: build_wizard(config_path=FIXED_CONFIG)
    shutil.rmtree(FIXED_CONFIG.parent, ignore_errors=True)


@pytest.mark.parametrize("size", [(80, 24), (100, 32)], ids=["80x24", "100x32"])
@pytest.mark.parametrize(
    "step", ["welcome", "provider", "connection", "credentials", "sender", "test", "review"]
)
def test_step(snap_compare, wizard, step, size):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, step)

    assert snap_compare(wizard(), run_before=run_before, terminal_size=size)


def test_custom_server_connection(snap_compare, wizard):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, "connection", {"provider": "custom",
                                                      "provider_filter": "other"})
        pilot.app.screen.query_one("#host", Input).value = "mail.example.org"
        await pilot.pause()

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(100, 40))


def test_help_screen(snap_compare, wizard):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, "connection")
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(100, 32))


BROKEN = '\n[profiles.broken]\nprovider = "custom"\nhost = "smtp.example.com"\nport = 70000\n'


def test_a_broken_profile_opens_flagged_on_connection(snap_compare, wizard):
    FIXED_CONFIG.write_text(SAVED + BROKEN)

    async def run_before(pilot):
        await pilot.pause()
        choice = pilot.app.screen.query_one("#start-choice")
        choice.highlighted = [o.id for o in choice.options].index("edit:broken")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(80, 24))


def test_saving_over_a_profile_asks_first(snap_compare, wizard):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, "review")
        pilot.app.screen.query_one("#profile-name", Input).value = "alerts"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause(0.3)

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(80, 24))


def test_oauth_login_80x24(snap_compare, wizard):
    """Outlook.com signs in with OAuth only: the sign-in buttons and the status line fit."""
    async def run_before(pilot):
        await go_to(pilot.app, pilot, "credentials", {"provider": "outlook"})
        pilot.app.screen.query_one("#username", Input).value = "me@outlook.com"
        pilot.app.screen.query_one("#sign-in-browser").focus()  # scrolls them into view
        await pilot.pause()

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(80, 24))
