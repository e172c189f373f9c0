"""Terminal cells for plain-text reports: Japanese characters take two cells, so padding and
wrapping count cells, not characters. ASCII text goes through textwrap and str.ljust
unchanged, so English reports stay byte-identical."""

from __future__ import annotations

import re
import textwrap
import unicodedata

# A word of Latin text, or one wide character (Japanese lines may break between any two),
# with the opening brackets that must not end a line, the closing punctuation that must not
# begin one, and the spaces after it.
_PIECE = r"[（「『]*(?:[^\s\u2e80-\uffdc]+|[\u2e80-\uffdc])[、。，．）」』！？ー]*\s*|\s+"
_SPACES = {ord(c): " " for c in "\n\v\f\r"}


def cells(text: str) -> int:
    """How many terminal columns `text` takes: wide (East Asian) characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` cells (like f"{text:<width}")."""
    return text + " " * max(0, width - cells(text))


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "",
         ) -> list[str]:
    """textwrap.wrap for ASCII text; for wide text, lines of at most `width` cells."""
    if text.isascii():
        return textwrap.wrap(text, width=width, initial_indent=initial_indent,
                             subsequent_indent=subsequent_indent)
    lines: list[str] = []
    line = initial_indent
    # as textwrap does: tabs expanded, each other whitespace character one space, runs of
    # spaces kept (a padded column such as "SPF   " stays aligned)
    flat = text.expandtabs().translate(_SPACES).strip()
    for piece in re.findall(_PIECE, flat):
        indent = subsequent_indent if lines else initial_indent
        if line.strip() and cells((line + piece).rstrip()) > width:
            lines.append(line.rstrip())
            line = subsequent_indent + piece.lstrip()
        elif line == indent:
            line += piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines
