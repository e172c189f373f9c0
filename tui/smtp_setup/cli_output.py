"""What every command shares: the one-line error, and plain or JSON output."""

from __future__ import annotations

import json
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
