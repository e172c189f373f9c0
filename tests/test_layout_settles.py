"""A step looks the same however the terminal got to its size. A scroll container whose
scrollbar narrows its text can otherwise stay stuck with a scrollbar it would not need:
the narrower text wraps onto more lines, which keeps the scrollbar. Which of the two
layouts a person (or a snapshot) got depended on the sizes the screen had passed through."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard
from textual.widgets import Input
from wizard_driver import EXAMPLE_CONFIG, STEP_ORDER, go_to


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)  # no blinking cursor
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_CONFIG)
    return path


async def screen_at(config, step: str, size: tuple[int, int], then: tuple[int, int] | None = None) -> str:
    app = build_wizard(config_path=config)
    async with app.run_test(size=size) as pilot:
        await go_to(app, pilot, step)
        if then is not None:
            await pilot.resize_terminal(*then)
            await pilot.pause()
            await pilot.pause()
        return app.export_screenshot()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("step", STEP_ORDER)
async def test_a_step_settles_the_same_after_a_resize(config, monkeypatch, lang, step):
    monkeypatch.setenv("SMTP_SETUP_LANG", lang)
    direct = await screen_at(config, step, (80, 24))
    assert await screen_at(config, step, (70, 24), then=(80, 24)) == direct
