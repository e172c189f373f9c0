"""A failed test's diagnosis as the Test step shows it: the title, the explanation, then the
likely causes and the next steps as lists whose wrapped lines stay under their own text (a
hanging indent), in Japanese as in English.

`str()` gives the same words as plain text, for tests and anything that reads the screen's
text."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from smtp_setup.i18n import _


class DiagnosisView:
    """A Rich renderable: lists laid out as a grid of marker and text."""

    def __init__(self, title: str, explanation: str, causes: list[str],
                 next_steps: list[str]) -> None:
        self.title = title
        self.explanation = explanation
        self.lists = [(_("Likely causes:"), ["•"] * len(causes), causes),
                      (_("What to do next:"), [f"{n}." for n in range(1, len(next_steps) + 1)],
                       next_steps)]

    def __str__(self) -> str:
        lines = [f"✗ {self.title}", self.explanation]
        for heading, marks, items in self.lists:
            if items:
                lines += ["", heading, *(f" {mark} {item}" for mark, item in zip(
                    marks, items, strict=True))]
        return "\n".join(lines) + "\n"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(f"✗ {self.title}", style="bold red")
        yield Text(self.explanation)
        for heading, marks, items in self.lists:
            if not items:
                continue
            yield Text("")
            yield Text(heading, style="bold")
            grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
            grid.add_column(justify="right", no_wrap=True)
            grid.add_column(ratio=1)
            for mark, item in zip(marks, items, strict=True):
                grid.add_row(Text(f" {mark}"), Text(item))
            yield grid
        yield Text("")  # a blank line before the buttons, as after any outcome
