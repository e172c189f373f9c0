"""Text with lists whose wrapped lines stay under their own text (a hanging indent), in
Japanese as in English: a diagnosis's causes and next steps, a provider's needs.

A Rich renderable; `str()` gives the same words as plain text, for tests and anything that
reads the screen's text."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text


class HangingText:
    """Built a line or a list at a time; each list is laid out as a grid of mark and text."""

    def __init__(self) -> None:
        self._parts: list[tuple[str, str, list[tuple[str, str]]]] = []

    def line(self, text: str = "", style: str = "") -> HangingText:
        self._parts.append((text, style, []))
        return self

    def items(self, marks: list[str], items: list[str]) -> HangingText:
        self._parts.append(("", "", list(zip(marks, items, strict=True))))
        return self

    def url(self, url: str, style: str = "") -> HangingText:
        """A web address on a line of its own, whole when it fits; a longer one breaks
        after a / (or - or ?), never inside a word unless one part alone is too long.
        It stays one link in a terminal that knows links."""
        self._parts.append((url, f"{style} link {url}".strip(), [("url", "")]))
        return self

    def bullets(self, items: list[str]) -> HangingText:
        return self.items(["•"] * len(items), items)

    def numbered(self, items: list[str]) -> HangingText:
        return self.items([f"{n}." for n in range(1, len(items) + 1)], items)

    def __str__(self) -> str:
        lines: list[str] = []
        for text, _style, rows in self._parts:
            if rows == [("url", "")]:
                lines.append(text)
                continue
            lines += [f" {mark} {item}" for mark, item in rows] if rows else [text]
        return "\n".join(lines) + "\n"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for text, style, rows in self._parts:
            if not rows:
                yield Text(text, style=style)
                continue
            if rows == [("url", "")]:
                yield Text("\n".join(url_lines(text, options.max_width)), style=style,
                           overflow="fold", no_wrap=False)
                continue
            grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
            grid.add_column(justify="right", no_wrap=True)
            grid.add_column(ratio=1)
            for mark, item in rows:
                grid.add_row(Text(f" {mark}"), Text(item))
            yield grid


def url_lines(url: str, width: int) -> list[str]:
    """`url` cut into lines of at most `width` cells, each ending after a / (or ? or &)
    where one can, else after a - (a part longer than `width` alone is left for Rich to
    fold)."""
    import re

    def fill(parts: list[str]) -> list[str]:
        lines, line = [], ""
        for part in parts:
            if line and len(line) + len(part) > width:
                lines.append(line)
                line = ""
            line += part
        return [*lines, line] if line else lines

    lines = []
    for line in fill(re.findall(r"[^/?&]+[/?&]*|[/?&]+", url)):
        lines += fill(re.findall(r"[^-]+-*|-+", line)) if len(line) > width else [line]
    return lines


class MarkedLines:
    """Lines that begin with a mark ("! ", "✓ ", "✗ "), each wrapping under its own text
    rather than under the mark: a warning or a verdict of one or more lines. `str()` is the
    text as given."""

    MARKS = ("!", "✓", "✗", "…")

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for line in self.text.split("\n"):
            mark, _space, rest = line.partition(" ")
            if mark in self.MARKS and rest:
                grid.add_row(mark, Text(rest))
            else:
                grid.add_row("", Text(line))
        yield grid
