"""The shape every wizard step shares: a title, why it asks, fields, and validity."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from smtp_setup.app.draft import Draft
from smtp_setup.app.services import WizardServices
from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.i18n import N_, LazyText, _


class StepPane(VerticalScroll):
    """One pane of the wizard. Subclasses fill `compose_body`, `enter`, `errors`, `leave`."""

    step_id: ClassVar[str] = ""
    title: ClassVar[str | LazyText] = ""
    why: ClassVar[str | LazyText] = ""
    next_label: ClassVar[str | LazyText] = N_("Next")

    class ValidityChanged(Message):
        """The step became valid or invalid; the app enables or disables Next."""

        def __init__(self, step: StepPane) -> None:
            super().__init__()
            self.step = step

    class Advance(Message):
        """The step asks to move on (e.g. Enter in its last field)."""

        def __init__(self, step: StepPane) -> None:
            super().__init__()
            self.step = step

    class Complete(Message):
        """The step's work is done (e.g. the test passed): Enter should now advance, so the
        app focuses Next."""

        def __init__(self, step: StepPane) -> None:
            super().__init__()
            self.step = step

    class GoTo(Message):
        """The step asks to jump to another step (e.g. back to the connection settings),
        optionally to one field of it (`focus`, a selector), opening its section."""

        def __init__(self, step_id: str, focus: str | None = None) -> None:
            super().__init__()
            self.step_id = step_id
            self.focus = focus

    class Saved(Message):
        """The profile was written; the app exits and prints where."""

        def __init__(self, name: str, path: str, replaced: bool,
                     warnings: list[str] | None = None) -> None:
            super().__init__()
            self.name, self.path, self.replaced = name, path, replaced
            self.warnings = warnings or []  # e.g. a keyring entry that could not be removed

    def __init__(self, draft: Draft, services: WizardServices) -> None:
        super().__init__(id=self.step_id, classes="step")
        translate_bindings(self)  # e.g. Ctrl+R's "Show/hide password" in the footer
        self.draft = draft
        self.services = services

    def compose(self) -> ComposeResult:
        yield Static(str(self.title), classes="step-title")
        yield Static(str(self.why), classes="step-why", markup=False)
        problem = Static("", classes="saved-problem -error", markup=False)
        problem.display = False
        yield problem
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def enter(self) -> None:
        """Called each time the step is shown: load values from the draft."""

    def leave(self) -> None:
        """Called when leaving by Next or Back: store values into the draft."""

    def submit(self) -> bool:
        """Next was pressed on a valid step. Return True when the step handles it itself
        (the last step saves instead of moving on)."""
        return False

    def errors(self) -> list[str]:
        """Problems that keep Next disabled (empty when the step is complete)."""
        return []

    can_focus = False  # a step is a page, not a Tab stop; its fields are

    def show_saved_problem(self, problem) -> None:
        """Flag a value of a broken profile that this step asks for (None: clear it)."""
        box = self.query_one(".saved-problem", Static)
        box.display = problem is not None
        if problem is not None:
            box.update(_("✗ The saved {field} could not be used: {message}. "
                         "Choose it again here; saving replaces it.").format(
                field=problem.field, message=problem.message))

    def focus_first(self) -> bool:
        """Focus the first field; False when the step has none to offer (the app then
        focuses Next, so that Enter still moves on)."""
        for widget in self.query("Input, OptionList, RadioSet, Button, Select"):
            shown = all(node.display for node in widget.ancestors_with_self
                        if node is not self.parent)
            if widget.focusable and shown and not widget.disabled:
                widget.focus(scroll_visible=False)
                return True
        return False

    def request_advance(self) -> None:
        self.post_message(self.Advance(self))

    def fields_changed(self) -> None:
        """Refresh every field's inline message, then tell the app whether Next may go."""
        from smtp_setup.app.widgets.field import Field

        for field in self.query(Field):
            field.refresh_message(show_errors=False)
        self.validity_changed()

    def show_errors(self) -> None:
        """Next was tried on an incomplete step: every field shows its problem, empty or not."""
        from smtp_setup.app.widgets.field import Field

        for field in self.query(Field):
            # only fields in sight: a hidden row's field (the custom port while a listed
            # port is chosen) would otherwise greet the person with an error later
            if all(node.display for node in field.ancestors_with_self if node is not self.app
                   and node is not self.screen):
                field.refresh_message(show_errors=True)

    def validity_changed(self) -> None:
        self.post_message(self.ValidityChanged(self))
