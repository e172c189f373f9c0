"""'Step k of n' with every step's name, the current one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from smtp_setup.i18n import _


class StepIndicator(Static):
    """Done steps carry a ✓ (not colour alone); narrow terminals get a tighter line."""

    def __init__(self, titles: list[str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles = titles
        self.current = 0
        self.unfinished: set[int] = set()  # passed but not done (a skipped test): "!" not "✓"

    def show_step(self, index: int, unfinished: set[int] | None = None) -> None:
        self.current = index
        self.unfinished = unfinished or set()
        self._render_line()

    def on_resize(self) -> None:
        self._render_line()

    def _render_line(self) -> None:
        index = self.current
        width = self.size.width or 80
        for separator, done_mark in ((" › ", "✓ "), ("  ", "✓"), (" ", "✓")):
            text = self._line(index, separator, done_mark)
            if text.cell_len <= width:
                break
        else:  # too narrow for every name (Japanese below 80 columns): the current one only
            text = self._marks_line(index)
        self.update(text)

    def _marks_line(self, index: int) -> Text:
        """`Step 7 of 7  ✓✓✓✓✓! Save`: a mark per step before, the current name, a dot per
        step after."""
        text = Text()
        heading = _("Step {current} of {total}").format(current=index + 1, total=len(self.titles))
        text.append(f"{heading}  ", style="bold")
        text.append("".join("!" if i in self.unfinished else "✓" for i in range(index)))
        text.append(" " if index else "")
        text.append(self.titles[index], style="reverse bold")
        after = len(self.titles) - index - 1
        if after:
            text.append(" " + "·" * after, style="dim")
        return text

    def _line(self, index: int, separator: str, done_mark: str) -> Text:
        text = Text()
        heading = _("Step {current} of {total}").format(current=index + 1, total=len(self.titles))
        text.append(f"{heading}  ", style="bold")
        for i, title in enumerate(self.titles):
            if i:
                text.append(separator, style="dim")
            if i == index:
                text.append(title, style="reverse bold")
            elif i < index:
                mark = "!" + done_mark[1:] if i in self.unfinished else done_mark
                text.append(f"{mark}{title}")
            else:
                text.append(title, style="dim")
        return text
