"""design.md: the wizard works in an 80x24 terminal and nothing important is cut off. On
each step every control that is shown can be focused and, once focused (scrolled into view
if need be), is really drawn where it is: the widget under its top-left corner is itself."""

from __future__ import annotations

import pytest
from smtp_setup.app import build_wizard
from textual.errors import NoWidget
from wizard_driver import EXAMPLE_CONFIG, STEP_ORDER, go_to

SIZE = (80, 24)


def shown(widget, step) -> bool:
    return all(node.display for node in widget.ancestors_with_self if node is not step.parent)


async def assert_reachable(app, pilot, widget) -> None:
    widget.focus()
    await pilot.pause()
    await pilot.pause()
    region = widget.region
    assert region.area, f"{widget} takes no room on screen"
    assert app.screen.region.contains_region(region), f"{widget} at {region} is off screen"
    try:
        drawn, _ = app.screen.get_widget_at(region.x, region.y)
    except NoWidget:
        drawn = None
    assert drawn is widget or widget in drawn.ancestors, f"{widget} is hidden under {drawn}"


async def assert_every_control_reachable(app, pilot) -> list[str]:
    step = app.step
    controls = [w for w in step.query("*")
                if w.focusable and shown(w, step) and not w.disabled]
    for widget in controls:
        await assert_reachable(app, pilot, widget)
    return [w.id or type(w).__name__ for w in controls]


@pytest.mark.parametrize("target", STEP_ORDER)
async def test_every_control_of_every_step_is_reachable_at_80x24(tmp_path, target):
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG)  # the Welcome step shows its profile buttons
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, target)
        assert await assert_every_control_reachable(app, pilot)


async def test_sign_in_buttons_and_status_are_drawn_at_80x24(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(app, pilot, "credentials", {"provider": "outlook"})
        assert app.step.oauth_on
        reached = await assert_every_control_reachable(app, pilot)
        assert {"sign-in-device", "sign-in-browser"} <= set(reached)
        status = app.screen.query_one("#oauth-status")
        app.step.scroll_to_widget(status, animate=False)
        await pilot.pause()
        drawn, _ = app.screen.get_widget_at(status.region.x, status.region.y)
        assert drawn is status
        assert "Not signed in yet." in str(status.render())
