"""Japanese text in a notification (or any widget drawn over others) keeps every character.

Textual's compositor cuts each screen line at the edge of every widget on it and takes each
piece from the front-most widget there. A wide character (two cells) of a notification that
lies across the edge of a widget underneath was cut in two, and Rich fills both halves with
spaces: the character vanished (Textual issue #6357, open). Here a line is not cut inside a
wide character when the same widget is in front on both sides of that edge: the piece left
of the edge takes the whole line segment and the piece right of it is empty, so the line
and its width stay as they were.

`keep_wide_characters_whole()` puts this into Textual's compositor (once; a Textual without
the method it replaces is left alone and keeps its own behaviour).
"""

from __future__ import annotations

from typing import Any

from rich.cells import get_character_cell_size
from textual._compositor import Compositor
from textual.strip import Strip

from smtp_setup.text_width import has_wide

_EMPTY = Strip([], 0)


def _wide_straddles(strip: Strip, positions: list[int]) -> set[int]:
    """The positions (cells from the strip's start) that fall inside a wide character."""
    wanted, inside, offset = set(positions), set(), 0
    for character in strip.text:
        width = get_character_cell_size(character)
        if width == 2 and offset + 1 in wanted:
            inside.add(offset + 1)
        offset += width
    return inside


def _render_chops(self: Compositor, crop: Any, is_rendered_line: Any) -> list[dict[int, Any]]:
    """Compositor._render_chops, except that a wide character is never cut in two where
    the widget drawing it wins the pieces on both sides of the cut."""
    cuts = self.cuts
    chops: list[dict[int, Any]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            joined: set[int] = set()
            if len(final_cuts) > 2 and has_wide(strip.text):
                inner = final_cuts[1:-1]
                straddled = _wide_straddles(strip, [cut - render_x for cut in inner])
                joined = {cut for previous, cut in zip(final_cuts, inner, strict=False)
                          if cut - render_x in straddled and line.get(previous) is None
                          and line.get(cut) is None}
            kept = [cut for cut in final_cuts if cut not in joined]
            pieces = strip.divide([cut - render_x for cut in kept[1:]])
            for cut, piece in zip(kept, pieces, strict=False):
                if line.get(cut) is None:  # painting front to back: the first one wins
                    line[cut] = piece
            for cut in joined:  # won too: the piece before it holds its cells
                if line.get(cut) is None:
                    line[cut] = _EMPTY
    return chops


def keep_wide_characters_whole() -> None:
    original = getattr(Compositor, "_render_chops", None)
    if original is None or original is _render_chops:
        return
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
