"""Export… : choose a format, see exactly what will be written, save it to a file (0600).

Passwords are never included here: they stay where they are kept (the portable file asks
for them on import; tool formats name the reference or leave a placeholder). Sealed
exports with passwords are a command-line feature (`smtp-setup export --include-secrets`).
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.app.widgets.select import Select
from smtp_setup.app.widgets.text_input import TextInput
from smtp_setup.core.profiles.model import Profile
from smtp_setup.i18n import N_, _

PORTABLE = "toml"


def export_text(profiles: list[Profile], fmt: str, default: str | None) -> tuple[str, list[str]]:
    """The text for `fmt` and warnings; raises ValueError (ExportProblem) when impossible."""
    if fmt == PORTABLE:
        from smtp_setup.core.profiles.portable import export_portable

        export = export_portable(profiles)
        return export.text, export.warnings
    from smtp_setup.core.exports.formats import render_export

    return render_export(profiles, fmt, default=default), []


class ExportDialog(ModalScreen[str | None]):
    """Dismisses with the path written, or None when cancelled."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 96%; max-width: 110; height: 92%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ExportDialog #export-preview { height: 1fr; border: round $primary 40%; }
    ExportDialog #export-note { height: auto; color: $text-muted; }
    ExportDialog #export-error { height: auto; color: $error; }
    ExportDialog Horizontal { height: auto; }
    ExportDialog #export-path { width: 1fr; }
    ExportDialog Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="export.cancel")]

    def __init__(self, profile: Profile, default: str | None) -> None:
        super().__init__()
        translate_bindings(self)
        self.profile, self.default = profile, default

    def compose(self) -> ComposeResult:
        from smtp_setup.core.exports.formats import FORMAT_FILES, FORMATS

        choices = [(_("smtp-setup file, for another machine (passwords stay here)"), PORTABLE)]
        choices += [(f"{name} → {FORMAT_FILES[name]}: {about}", name)
                    for name, about in FORMATS.items()]
        with Vertical():
            yield Label(_("Export profile {name}").format(name=self.profile.name), classes="title",
                        markup=False)
            yield Select(choices, value=PORTABLE, allow_blank=False, id="export-format")
            with VerticalScroll(id="export-preview"):
                yield Static("", id="export-text", markup=False)
            yield Static("", id="export-note", markup=False)
            yield Static("", id="export-error", markup=False)
            with Horizontal():
                yield TextInput(id="export-path")
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), id="save", variant="primary")

    def on_mount(self) -> None:
        self._render_preview()

    @on(Select.Changed, "#export-format")
    def _render_preview(self) -> None:
        fmt = self.query_one("#export-format", Select).value
        error = self.query_one("#export-error", Static)
        error.update("")
        try:
            text, warnings = export_text([self.profile], fmt, self.default)
        except ValueError as exc:
            text, warnings = "", []
            error.update(f"✗ {exc}")
        self.text = text
        self.query_one("#export-text", Static).update(text)
        self.query_one("#export-note", Static).update(
            "\n".join(f"! {w}" for w in warnings)
            or _("Passwords are not included: they stay where they are kept on this machine.")
        )
        self.query_one("#export-path", Input).value = str(Path.cwd() / self._filename(fmt))
        self.query_one("#save", Button).disabled = not text

    def _filename(self, fmt: str) -> str:
        if fmt == PORTABLE:
            return f"{self.profile.name}.smtp-setup.toml"
        from smtp_setup.core.exports.formats import suggested_filename

        return suggested_filename(fmt)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#export-path")
    def _save(self) -> None:
        from smtp_setup.core.profiles.private_file import write_private_file

        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        if not self.text:
            return
        if path.is_dir():
            self.query_one("#export-error", Static).update(
                "✗ " + _("{path} is a folder; add a file name.").format(path=path))
            return
        try:
            write_private_file(path, self.text.encode("utf-8"))
        except OSError as exc:
            self.query_one("#export-error", Static).update(
                "✗ " + _("Could not write {path}: {reason}. Choose another place.").format(
                    path=path, reason=exc.strerror or exc))
            return
        self.dismiss(str(path))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
