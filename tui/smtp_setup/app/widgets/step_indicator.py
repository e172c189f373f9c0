"""'Step k of n' with every step's name, the current one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StepIndicator(Static):
    def __init__(self, titles: list[str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles = titles
        self.current = 0

    def show_step(self, index: int) -> None:
        self.current = index
        text = Text()
        text.append(f"Step {index + 1} of {len(self.titles)}  ", style="bold")
        for i, title in enumerate(self.titles):
            if i:
                text.append(" › ", style="dim")
            if i == index:
                text.append(f"{title}", style="reverse bold")
            elif i < index:
                text.append(f"✓ {title}")
            else:
                text.append(title, style="dim")
        self.update(text)
