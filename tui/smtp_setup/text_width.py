"""Text in a terminal: how many cells it takes, and where its lines may break. One rule for
every report (core), the CLI's help and messages, and the wizard (Rich, below Textual).

Japanese characters take two cells, so padding and wrapping count cells, not characters.
Latin text breaks at spaces. Japanese (and other East Asian text) has no spaces between
words: a line may break between any two characters, except that closing punctuation
(、。）」) never begins a line and an opening bracket (（「) never ends one, the basic rules
(kinsoku) of JIS X 4051. ASCII text goes through textwrap unchanged, so English reports
stay byte-identical.

Textual wraps with Rich's word splitter (`rich._wrap.words`), which breaks only at spaces: a
Japanese sentence after a space moved whole to the next line and left the line before half
empty. `let_rich_break_wide_text()` gives that splitter these pieces for text with wide
characters; text without them is split exactly as before.
"""

from __future__ import annotations

import re
import unicodedata

TYPE_CHECKING = False  # typing itself costs start-up time on every command
if TYPE_CHECKING:
    from collections.abc import Sequence

# One piece: a word of Latin text or one wide character, with the opening brackets that must
# not end a line before it, the closing punctuation that must not begin one after it, and
# the spaces around it (spaces lead only at the start of a text: each piece takes those
# after it). Every character of a text is in exactly one piece.
_FIRST_WIDE, _LAST_WIDE = "\u2e80", "\uffdc"  # CJK radicals .. halfwidth and fullwidth forms
_WIDE = f"{_FIRST_WIDE}-{_LAST_WIDE}"
_PIECE = (rf"\s*[（「『【]*(?:[^\s{_WIDE}]+|[{_WIDE}])[、。，．・：；）」』】！？ー"
          rf"ぁぃぅぇぉっゃゅょァィゥェォッャュョ]*\s*|\s+")
_piece: re.Pattern[str] | None = None  # compiled on first use: it takes ~15 ms, which
# every command (and --help) would pay at start-up for nothing when no text is wide
_SPACES = {ord(c): " " for c in "\n\v\f\r"}
_QUOTED_COMMAND = re.compile(r"`[^`\n]+`")  # `smtp-setup sandbox --port 2525`: one piece
_KEPT_SPACE = "\x00"  # a space inside a quoted command while lines are broken


def cells(text: str) -> int:
    """How many terminal columns `text` takes: wide (East Asian) characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `width` cells (`f"{text:<10}"` by cells, not characters;
    `right=True` pads on the left, as `f"{text:>10}"`)."""
    room = " " * max(0, width - cells(text))
    return room + text if right else text + room


def _piece_pattern() -> re.Pattern[str]:
    global _piece
    if _piece is None:
        _piece = re.compile(_PIECE)
    return _piece


def pieces(text: str) -> list[str]:
    """`text` cut where a line may break; joined, the pieces give `text` back."""
    return _piece_pattern().findall(text)


def has_wide(text: str) -> bool:
    return not text.isascii() and any(_FIRST_WIDE <= ch <= _LAST_WIDE for ch in text)


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "",
         *, whole: Sequence[str] = ()) -> list[str]:
    """textwrap.wrap for ASCII text; for wide text, lines of at most `width` cells broken
    where `pieces` allows. A command in backquotes is never broken: it stays copyable. Nor
    is any text in `whole` found in `text`: a number with its unit, e.g. "(4205 ms)"."""
    if "`" not in text and not whole:
        return _wrap(text, width, initial_indent, subsequent_indent)
    kept = _QUOTED_COMMAND.sub(lambda m: m.group(0).replace(" ", _KEPT_SPACE), text)
    for unit in whole:
        kept = kept.replace(unit, unit.replace(" ", _KEPT_SPACE))
    return [line.replace(_KEPT_SPACE, " ")
            for line in _wrap(kept, width, initial_indent, subsequent_indent)]


def _wrap(text: str, width: int, initial_indent: str, subsequent_indent: str) -> list[str]:
    if text.isascii():
        import textwrap

        # a command, a host name or an address is never cut at a hyphen or in the middle
        return textwrap.wrap(text, width=width, initial_indent=initial_indent,
                             subsequent_indent=subsequent_indent, break_long_words=False,
                             break_on_hyphens=False)
    lines: list[str] = []
    line = initial_indent
    # as textwrap does: tabs expanded, each other whitespace character one space, runs of
    # spaces kept (a padded column such as "SPF   " stays aligned)
    flat = text.expandtabs().translate(_SPACES).strip()
    for piece in pieces(flat):
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
        for match in _piece_pattern().finditer(text):
            yield match.start(), match.end(), match.group(0)

    words_or_pieces.breaks_wide_text = True  # type: ignore[attr-defined]
    rich._wrap.words = words_or_pieces
