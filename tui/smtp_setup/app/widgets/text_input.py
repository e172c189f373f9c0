"""A text input whose editing keys act in the order they were typed."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextInput(Input):
    """Textual's Input, running its own keys (Backspace, End, Enter, ...) as it reads them.

    Textual inserts a printable key as soon as the field reads it, but runs the field's own
    binding for a key (Backspace, Home, Delete) only after that key has bubbled back up to
    the app. Keys that arrive in one burst (tmux send-keys, a password manager's auto-type,
    a fast typist on a busy app) then apply out of order: "End, 12 Backspaces, ab@cd.com"
    deleted part of the new text. Here each key acts when the field reads it, in order.
    Keys the field does not bind (Tab, Ctrl+N, Escape) go on to the app as before.
    """

    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()  # Input's own handler must not see it again
                return
