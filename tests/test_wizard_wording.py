"""Words the wizard shows mid-flow read as sentences (Pilot, the real app)."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard
from test_wizard_flow import SIZE, choose_provider, set_value
from textual.widgets import OptionList
from wizard_driver import EXAMPLE_CONFIG


@pytest.mark.parametrize(("provider", "expected"), [
    ("gmail", "✗ Enter the app password."),
    ("sendgrid", "✗ Enter the API key."),
    ("proton", "✗ Enter the Bridge password."),
])
async def test_a_missing_secret_is_named_as_in_a_sentence(tmp_path, provider, expected):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, provider)
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.step.step_id == "credentials"
        if not app.screen.query_one("#username").disabled:
            await set_value(app, pilot, "#username", "me@example.com")
        await pilot.pause()
        assert str(app.screen.query_one("#nav-status").content) == expected


async def test_a_broken_default_profile_keeps_its_default_mark(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG.replace('default_profile = "alerts"',
                                             'default_profile = "broken"')
                      + '\n[profiles.broken]\nhost = "smtp.example.com"\nport = 70000\n'
                      'from_email = "b@example.com"\n')
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        labels = {o.id: str(o.prompt) for o in
                  app.screen.query_one("#start-choice", OptionList).options}
        assert labels["edit:broken"].startswith("✗ Fix broken")
        assert labels["edit:broken"].endswith("★ default"), labels["edit:broken"]
        assert "★ default" not in labels["edit:alerts"]
