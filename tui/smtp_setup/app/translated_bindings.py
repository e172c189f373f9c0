"""Key binding descriptions marked with `N_()` become text in the language of this run.

Textual reads `BINDINGS` once, when a class is created, and shows `Binding.description`
as it is; it offers no hook for translating it. So a node whose bindings show in the
footer calls `translate_bindings(self)` in `__init__`: its own copy of the bindings gets
each lazy description (and tooltip) as a `str` in the current language.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from smtp_setup.i18n import LazyText

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode


def translate_bindings(node: DOMNode) -> None:
    """Replace the node's lazy binding texts by their translation (the class is untouched)."""
    bindings = node._bindings.key_to_bindings  # Textual has no public setter for this
    for key, items in bindings.items():
        bindings[key] = [_translated(binding) for binding in items]


def _translated(binding: Binding) -> Binding:
    changes = {
        field: str(value)
        for field in ("description", "tooltip")
        if isinstance(value := getattr(binding, field), LazyText)
    }
    return replace(binding, **changes) if changes else binding
