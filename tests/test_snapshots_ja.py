"""Each wizard step in Japanese at 80x24 and 100x32, pinned as an SVG snapshot: Japanese text takes two
cells a character, so these show that nothing is cut and no button label overflows."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from smtp_setup.app import build_wizard
from test_wizard_flow import send_and_wait
from textual.widgets import Input
from wizard_driver import EXAMPLE_CONFIG as SAVED
from wizard_driver import go_to

FIXED_CONFIG = Path("/tmp/smtp-setup-snapshots-ja/config.toml")


@pytest.fixture
def wizard(monkeypatch):
    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)  # no blinking cursor
    shutil.rmtree(FIXED_CONFIG.parent, ignore_errors=True)
    FIXED_CONFIG.parent.mkdir(parents=True)
    FIXED_CONFIG.write_text(SAVED)
    yield lambda: build_wizard(config_path=FIXED_CONFIG)
    shutil.rmtree(FIXED_CONFIG.parent, ignore_errors=True)


STEPS = ["welcome", "provider", "connection", "credentials", "sender", "test", "review"]


@pytest.mark.parametrize("step", STEPS)
def test_step_in_japanese(snap_compare, wizard, step):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, step)

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(80, 24))


@pytest.mark.parametrize("step", STEPS)
def test_step_in_japanese_at_100x32(snap_compare, wizard, step):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, step)

    assert snap_compare(wizard(), run_before=run_before, terminal_size=(100, 32))


@pytest.mark.parametrize("size", [(80, 24), (100, 32)], ids=["80x24", "100x32"])
def test_help_screen_in_japanese(snap_compare, wizard, size):
    async def run_before(pilot):
        await go_to(pilot.app, pilot, "connection")
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(wizard(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (100, 32)], ids=["80x24", "100x32"])
def test_a_diagnosis_in_japanese(snap_compare, wizard, dns_server, size):
    """A real failing test send: the host name has no address at the test's own DNS server
    (nothing is sent anywhere), so the wizard explains it and offers the way back."""
    dns = dns_server({}, default="nxdomain")

    async def run_before(pilot):
        await go_to(pilot.app, pilot, "test", {
            "provider": "custom", "provider_filter": "その他", "host": "smtp.example.test"})
        await send_and_wait(pilot.app, pilot)
        # the DNS server's port differs on every run: the same words, at a fixed address
        step, diagnosis = pilot.app.step, pilot.app.step.diagnosis
        step._show_diagnosis(replace(diagnosis, explanation=diagnosis.explanation.replace(
            dns.address, "127.0.0.1:5300")))
        await pilot.pause()

    app = wizard()
    app.services.nameserver = dns.address
    assert snap_compare(app, run_before=run_before, terminal_size=size)
