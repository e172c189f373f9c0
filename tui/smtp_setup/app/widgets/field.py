"""A labelled input with its validation message right under it."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Static

from smtp_setup.app.widgets.text_input import TextInput

CoreCheck = Callable[[str], str | None]


class CoreValidator(Validator):
    """Adapts a core validator (text -> error sentence or None) to Textual."""

    def __init__(self, check: CoreCheck) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        error = self.check(value)
        return self.failure(error) if error else self.success()


class Field(Vertical):
    """Label, input and an inline message: the current problem (`error`), else a note on
    the value, else the hint."""

    DEFAULT_CLASSES = "field"

    def __init__(
        self,
        label: str,
        *,
        check: CoreCheck | None = None,
        note: CoreCheck | None = None,
        hint: str = "",
        input_id: str,
        placeholder: str = "",
        password: bool = False,
        optional: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.check = check
        self.note = note  # a remark on a valid value (core text -> sentence or None)
        self.hint = hint
        self.optional = optional
        self._input = TextInput(
            placeholder=placeholder,
            password=password,
            id=input_id,
            validators=[CoreValidator(check)] if check else None,
            valid_empty=optional,
            # The field marks itself (refresh_message): Textual's own check on blur turned
            # an empty required field red as soon as the focus passed through it.
            validate_on=(),
        )
        self._typed = False  # the person changed the value while in the field
        self._left = False  # ... and then left it: its error may show even when empty

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        yield self._input
        yield Static(self.hint, classes="field-message", markup=False)

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value

    @value.setter
    def value(self, text: str) -> None:
        self._input.value = text

    @property
    def error(self) -> str | None:
        if self._input.disabled:
            return None
        if not self.value and self.optional:
            return None
        return self.check(self.value) if self.check else None

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self._input and self._input.has_focus:
            self._typed = True

    def on_descendant_blur(self, event) -> None:
        if self._typed and not self._left:
            self._left = True
            self.refresh_message(show_errors=False)

    def refresh_message(self, show_errors: bool) -> None:
        """Show the error once there is something to judge (a value, or a field the person
        typed in and left: an empty field is no mistake at first sight), or when asked
        (`show_errors`: Next was tried); else a note on the value or the hint."""
        self._left = self._left or show_errors  # once asked, the error stays in sight
        error = self.error
        message = self.query_one(".field-message", Static)
        shown = bool(error and (show_errors or self.value or self._left))
        self._input.set_class(shown, "-invalid")
        self._input.set_class(not error, "-valid")
        if shown:
            message.update(f"✗ {error}")
            message.set_class(True, "-error")
        else:
            note = self.note(self.value) if self.note and self.value else None
            message.update(f"i {note}" if note else self.hint)
            message.set_class(False, "-error")
