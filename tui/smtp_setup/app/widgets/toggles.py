"""Checkboxes and radio buttons whose state shows without colour: the mark is there only
when the choice is on (Textual's own draw the same mark and change only its colour)."""

from __future__ import annotations

from textual.widgets import Checkbox as _Checkbox
from textual.widgets import RadioButton as _RadioButton


class Checkbox(_Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 (Textual's attribute name)
        return "X" if self.value else " "


class RadioButton(_RadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802
        return "●" if self.value else " "
