"""What every command shares: the one-line error, and plain or JSON output."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from typing import Any


class UsageError(Exception):
    """A mistake the person can fix; printed as one line, exit status 2."""


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def marks() -> tuple[str, str, str]:
    """✓ ✗ - where the terminal's encoding can show them, plain ASCII otherwise."""
    try:
        "✓✗–".encode(sys.stdout.encoding or "ascii")
        return "✓", "✗", "–"
    except (UnicodeEncodeError, LookupError):
        return "OK", "X", "-"


def table(rows: list[list[str]]) -> list[str]:
    """Columns aligned by terminal cells (a Japanese character takes two)."""
    widths = [max(cells(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (w - cells(cell)) for cell, w in zip(row, widths, strict=True))
        .rstrip()
        for row in rows
    ]


def cells(text: str) -> int:
    """How many terminal columns `text` takes: wide (East Asian) characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# A word of Latin text, or one wide character (Japanese lines may break between any two),
# with the opening brackets that must not end a line, the closing punctuation that must not
# begin one, and the spaces after it.
_PIECE = re.compile(
    r"[（「『]*(?:[^\s\u2e80-\uffdc]+|[\u2e80-\uffdc])[、。，．）」』！？ー]*\s*|\s+"
)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` terminal cells (argparse's wrapping counts characters)."""
    lines: list[str] = []
    line = ""
    for piece in _PIECE.findall(" ".join(text.split())):
        if line and cells((line + piece).rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines
