"""Small self-contained dialogs: step help, yes/no questions, one line of input, a pick."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Markdown

from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.i18n import N_, SOURCE_LANGUAGE, _, current_language, sentences

HELP_DIR = Path(__file__).resolve().parent.parent / "help"


def help_page(step_id: str) -> Path:
    """The step's help page in the current language (app/help/<lang>/<step>.md), else the
    English one: a page not translated yet falls back alone, not the whole help."""
    language = current_language()
    if language != SOURCE_LANGUAGE:
        translated = HELP_DIR / language / f"{step_id}.md"
        if translated.is_file():
            return translated
    return HELP_DIR / f"{step_id}.md"


class HelpScreen(ModalScreen[None]):
    """F1: the guide for the current step, from app/help/[<lang>/]<step>.md."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen Button { dock: bottom; width: 100%; }
    """
    BINDINGS = [
        Binding("escape,f1,q", "close", N_("Close help"), id="help.close"),
    ]

    def __init__(self, step_id: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.step_id = step_id

    def compose(self) -> ComposeResult:
        path = help_page(self.step_id)
        text = path.read_text(encoding="utf-8") if path.exists() else _("No help for this step.")
        with Vertical():
            with VerticalScroll():
                yield Markdown(text)
            yield Button(_("Close (Esc)"), id="close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question with the safe answer focused. Dismisses True for yes."""

    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    Confirm Label { width: 100%; }
    Confirm Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    Confirm Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "no", N_("Cancel"), id="confirm.no")]

    def __init__(self, question: str, detail: str, yes: str, variant: str = "error",
                 no: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.question, self.detail, self.yes, self.variant = question, detail, yes, variant
        self.no = no or _("Cancel")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, classes="title", markup=False)
            yield Label(self.detail, markup=False)
            with Horizontal():
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant=self.variant)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)


def leave_without_saving(saved_changes: list[str] | None = None) -> Confirm:
    """What Escape asks in the wizard before it leaves without saving. `saved_changes`: what
    the first screen's buttons already wrote (a rename, a delete), which leaving keeps."""
    if not saved_changes:
        return Confirm(_("Leave the setup without saving?"),
                       _("Nothing has been written: no changes were made to your config."),
                       _("Leave"), variant="warning", no=_("Keep editing"))
    return Confirm(_("Leave the setup?"),
                   _("What you did on the first screen is already saved and stays so: {done} "
                     "Nothing else will be written.").format(done=sentences(saved_changes)),
                   _("Leave"), variant="warning", no=_("Keep editing"))


class AskText(ModalScreen[str | None]):
    """One line of input, checked by a core validator before it is accepted."""

    DEFAULT_CSS = """
    AskText { align: center middle; }
    AskText > Vertical {
        width: 70; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    AskText Label { width: 100%; }
    AskText #ask-error { color: $error; height: auto; }
    AskText Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    AskText Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="ask.cancel")]

    def __init__(self, question: str, value: str = "", check=None, ok: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.question, self.value, self.check, self.ok = question, value, check, ok or _("OK")

    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        from smtp_setup.app.widgets.text_input import TextInput

        with Vertical():
            yield Label(self.question, markup=False)
            yield TextInput(self.value, id="ask-input")
            yield Static("", id="ask-error", markup=False)
            with Horizontal():
                yield Button(_("Cancel"), id="cancel")
                yield Button(self.ok, id="ok", variant="primary")

    def on_input_submitted(self) -> None:
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._accept()
        else:
            self.dismiss(None)

    def _accept(self) -> None:
        from textual.widgets import Input, Static

        value = self.query_one("#ask-input", Input).value.strip()
        error = self.check(value) if self.check else None
        if error:
            self.query_one("#ask-error", Static).update(f"✗ {error}")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChooseOne(ModalScreen[str | None]):
    """Pick one item from a short list (e.g. which profile of an export file to import)."""

    DEFAULT_CSS = """
    ChooseOne { align: center middle; }
    ChooseOne > Vertical {
        width: 70; height: auto; max-height: 80%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ChooseOne OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="choose.cancel")]

    def __init__(self, question: str, items: list[tuple[str, str]]) -> None:
        super().__init__()
        translate_bindings(self)
        self.question, self.items = question, items

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical():
            yield Label(self.question, markup=False)
            yield OptionList(*(Option(label, id=key) for key, label in self.items))

    def on_option_list_option_selected(self, event) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
