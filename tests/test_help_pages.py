"""F1 help: every page fits an 80x24 terminal (code lines included) and says what the app
does today (Pilot, the real help screen)."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard
from smtp_setup.app.widgets.modals import HelpScreen
from smtp_setup.app.wizard_app import STEPS
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownFence


@pytest.mark.parametrize("step_id", [step_id for step_id, _title, _spec in STEPS])
async def test_help_code_lines_fit_at_80x24(tmp_path, step_id):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.push_screen(HelpScreen(step_id))
        await pilot.pause()
        await pilot.pause()
        for fence in app.screen.query(MarkdownFence):
            assert fence.max_scroll_x == 0, (
                f"{step_id}: a code line is wider than the help at 80 columns:\n{fence.code}")


async def test_review_help_says_that_replacing_a_profile_asks_first(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.push_screen(HelpScreen("review"))
        await pilot.pause()
        text = app.screen.query_one(Markdown).source
        assert "replaces it." not in text
        assert "asks first" in text
