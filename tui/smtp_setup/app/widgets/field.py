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
        )

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

    def refresh_message(self, show_errors: bool) -> None:
        """Show the error (once the person has typed something) or the hint."""
        error = self.error
        message = self.query_one(".field-message", Static)
        if error and (show_errors or self.value):
            message.update(f"✗ {error}")
            message.set_class(True, "-error")
        else:
            note = self.note(self.value) if self.note and self.value else None
            message.update(f"i {note}" if note else self.hint)
            message.set_class(False, "-error")
