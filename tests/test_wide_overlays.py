"""A Japanese notification over other widgets keeps every character (the compositor no
longer cuts a wide character in two at the edge of a widget underneath)."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard  # noqa: F401 (importing the app puts the fix in)
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual.widgets._toast import Toast

MESSAGE = "テストをスキップしました。この設定はまだ試していません。保存後に smtp-setup test sandbox で試せます。"


class Busy(App):
    """A column of one cell at every position: every cell is a widget's edge underneath."""

    CSS = ".column { width: 1; height: 100%; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            for _ in range(120):
                yield Static("|", classes="column")


@pytest.mark.parametrize("width", [80, 81, 100, 101])
async def test_a_japanese_notification_keeps_every_character(width):
    app = Busy()
    async with app.run_test(size=(width, 24), notifications=True) as pilot:
        app.notify(MESSAGE, title="テストをスキップしました", timeout=30)
        for _ in range(20):
            await pilot.pause(0.05)
            if app.screen.query(Toast):
                break
        await pilot.pause()
        toast = app.screen.query_one(Toast)
        region = toast.region
        lines = app.screen._compositor.render_strips()
        shown = "".join(lines[y].crop(region.x, region.right).text.strip()
                        for y in range(region.y, region.bottom))
    assert shown.replace(" ", "").replace("▌", "") == (
        "テストをスキップしました" + MESSAGE).replace(" ", "")
