"""Small self-contained dialogs: leave without saving, step help."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Markdown

HELP_DIR = Path(__file__).resolve().parent.parent / "help"


class ConfirmLeave(ModalScreen[bool]):
    """Asks before throwing away what was typed. Dismisses True to leave."""

    DEFAULT_CSS = """
    ConfirmLeave { align: center middle; }
    ConfirmLeave > Vertical {
        width: 60; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ConfirmLeave Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmLeave Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "stay", "Keep editing", id="leave.stay"),
        Binding("y", "leave", "Leave", id="leave.yes", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Leave the setup without saving?", classes="title")
            yield Label("Nothing has been written: no changes were made to your config.")
            with Horizontal():
                yield Button("Keep editing", id="stay")
                yield Button("Leave", id="leave", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "leave")

    def action_stay(self) -> None:
        self.dismiss(False)

    def action_leave(self) -> None:
        self.dismiss(True)


class HelpScreen(ModalScreen[None]):
    """F1: the guide for the current step, from app/help/<step>.md."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen Button { dock: bottom; width: 100%; }
    """
    BINDINGS = [
        Binding("escape,f1,q", "close", "Close help", id="help.close"),
    ]

    def __init__(self, step_id: str) -> None:
        super().__init__()
        self.step_id = step_id

    def compose(self) -> ComposeResult:
        path = HELP_DIR / f"{self.step_id}.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "No help for this step."
        with Vertical():
            with VerticalScroll():
                yield Markdown(text)
            yield Button("Close (Esc)", id="close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
