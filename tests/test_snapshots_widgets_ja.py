"""Japanese dialogs and widgets at 80x24, pinned as SVG snapshots (pytest-textual-snapshot):
the leave question and the port check with its results. Japanese takes two cells a
character: these show that nothing is cut and every button label fits."""

from __future__ import annotations

from dataclasses import replace

import pytest
from smtp_fixtures import reserved_ports
from smtp_setup import i18n
from smtp_setup.app.widgets.modals import leave_without_saving
from smtp_setup.app.widgets.port_choices import PortChoices
from test_widgets_ja import WELL_KNOWN, Host, check_ports, custom_choices
from textual.app import App

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def japanese():
    i18n.set_language("ja")


class LeaveQuestion(App):
    def on_mount(self) -> None:
        self.push_screen(leave_without_saving())


def test_leave_question(snap_compare):
    assert snap_compare(LeaveQuestion(), terminal_size=SIZE)


@pytest.mark.parametrize("size", [(80, 24), (100, 32)], ids=["80x24", "100x32"])
def test_port_check_results(snap_compare, smtp_plain, size):
    """A real check: 465, 587 and 2525 held closed, 25 a plain server. The rows are then
    shown at the well-known port numbers with a fixed time, so the picture is the same on
    every run (the words are the check's own)."""
    plist = PortChoices(id="port-list")

    async def run_before(pilot):
        with reserved_ports(3) as closed:
            ports = dict(zip(WELL_KNOWN, [*closed, smtp_plain.port], strict=True))
            plist.load(*custom_choices(ports))
            report = await check_ports(plist)
        back = {moved: known for known, moved in ports.items()}
        plist.load(*custom_choices({p: p for p in WELL_KNOWN}))
        for result in report.results:
            plist.mark(replace(result, port=back[result.port], ms=12.0))
        plist.highlighted = 0
        plist.focus()
        await pilot.pause()

    assert snap_compare(Host(plist), run_before=run_before, terminal_size=size)
