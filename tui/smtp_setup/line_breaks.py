"""Where a line of text may break: one rule for the CLI's wrapping and the wizard's.

Latin text breaks at spaces. Japanese (and other East Asian text, two terminal cells a
character) has no spaces between words: a line may break between any two characters, except
that closing punctuation (、。）」) never begins a line and an opening bracket (（「) never ends
one, the basic rules (kinsoku) of JIS X 4051.

Textual wraps with Rich's word splitter (`rich._wrap.words`), which breaks only at spaces: a
Japanese sentence after a space moved whole to the next line and left the line before half
empty. `let_rich_break_wide_text()` gives that splitter these pieces for text with wide
characters; text without them is split exactly as before.
"""

from __future__ import annotations

import re

# One piece: a word of Latin text or one wide character, with the opening brackets that must
# not end a line before it, the closing punctuation that must not begin one after it, and
# the spaces around it (spaces lead only at the start of a text: each piece takes those
# after it). Every character of a text is in exactly one piece.
_WIDE = "\u2e80-\uffdc"
_PIECE = re.compile(
    rf"\s*[（「『【]*(?:[^\s{_WIDE}]+|[{_WIDE}])[、。，．・：；）」』】！？ーぁぃぅぇぉっゃゅょァィゥェォッャュョ]*\s*|\s+")
_HAS_WIDE = re.compile(rf"[{_WIDE}]")


def pieces(text: str) -> list[str]:
    """`text` cut where a line may break; joined, the pieces give `text` back."""
    return _PIECE.findall(text)


def has_wide(text: str) -> bool:
    return _HAS_WIDE.search(text) is not None


def let_rich_break_wide_text() -> None:
    """Make Rich's (and so Textual's) wrapping break Japanese lines by these rules. Rich's
    `divide_line` looks `words` up in its module on each call, so replacing it there reaches
    every Static, Label and Text. Safe to call more than once."""
    import rich._wrap

    words = rich._wrap.words
    if getattr(words, "breaks_wide_text", False):
        return

    def words_or_pieces(text: str):
        if not has_wide(text):
            yield from words(text)
            return
        for match in _PIECE.finditer(text):
            yield match.start(), match.end(), match.group(0)

    words_or_pieces.breaks_wide_text = True  # type: ignore[attr-defined]
    rich._wrap.words = words_or_pieces
