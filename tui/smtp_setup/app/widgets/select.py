"""A Select whose open list speaks the run's language: Textual's list shows "Dismiss menu"
for Esc in the footer, in English whatever the language (its class bindings are fixed)."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Select as _Select
from textual.widgets._select import SelectOverlay

from smtp_setup.i18n import _


class Select(_Select):
    def on_mount(self) -> None:
        overlay = self.query_one(SelectOverlay)
        bindings = overlay._bindings.key_to_bindings  # as translated_bindings does
        bindings["escape"] = [replace(binding, description=_("Close the list"))
                              for binding in bindings.get("escape", [])]
