"""'Step k of n' with every step's name, the current one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StepIndicator(Static):
    """Done steps carry a ✓ (not colour alone); narrow terminals get a tighter line."""

    def __init__(self, titles: list[str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles = titles
        self.current = 0

    def show_step(self, index: int) -> None:
        self.current = index
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
        self.update(text)

    def _line(self, index: int, separator: str, done_mark: str) -> Text:
        text = Text()
        text.append(f"Step {index + 1} of {len(self.titles)}  ", style="bold")
        for i, title in enumerate(self.titles):
            if i:
                text.append(separator, style="dim")
            if i == index:
                text.append(title, style="reverse bold")
            elif i < index:
                text.append(f"{done_mark}{title}")
            else:
                text.append(title, style="dim")
        return text
