"""The live list of SMTP stages: ✓ / ✗ / … beside each, with milliseconds."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from smtp_setup.i18n import N_

STAGE_LABELS = {
    # TRANSLATORS: the test send's stages, a column 19 cells wide
    "connect": N_("Connect"),
    "greeting": N_("Greeting"),
    "ehlo": N_("EHLO (capabilities)"),
    "starttls": N_("STARTTLS (encrypt)"),
    "auth": N_("Log in (AUTH)"),
    "mail_from": N_("Sender (MAIL FROM)"),
    "rcpt_to": N_("Recipient (RCPT TO)"),
    "data": N_("Message (DATA)"),
    "quit": N_("Close (QUIT)"),
}
MARKS = {
    "start": ("…", "bold yellow"),
    "ok": ("✓", "bold green"),
    "fail": ("✗", "bold red"),
    "skip": ("–", "dim"),
    "wait": (" ", "dim"),
}


class StageList(Static):
    """Rows update in place as stage events arrive. Server text is never markup."""

    def __init__(self, id: str | None = None, show_ms: bool = True) -> None:
        super().__init__(id=id)
        self.show_ms = show_ms
        self.rows: dict[str, tuple[str, float, str]] = {}

    def reset(self, stages: Iterable[str] | None = None) -> None:
        """Every stage waiting. `stages` (core's `stages_for`): the stages this connection
        has; a stage it lacks (STARTTLS with implicit TLS) gets no row."""
        self.rows = {name: ("wait", 0.0, "") for name in (stages or STAGE_LABELS)}
        self._render_rows()

    def record(self, name: str, status: str, ms: float, detail: str) -> None:
        self.rows[name] = (status, ms, detail)
        self._render_rows()

    def _render_rows(self) -> None:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(min_width=1, no_wrap=True)
        table.add_column(min_width=19, no_wrap=True)
        table.add_column(min_width=7, justify="right", no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        for name, label in STAGE_LABELS.items():
            if name not in self.rows:
                continue
            status, ms, detail = self.rows[name]
            mark, style = MARKS.get(status, MARKS["wait"])
            timing = f"{ms:.0f} ms" if self.show_ms and status in ("ok", "fail") else ""
            table.add_row(
                Text(mark, style=style),
                Text(str(label), style="dim" if status in ("wait", "skip") else ""),
                Text(timing, style="dim"),
                Text(detail, style="dim"),
            )
        self.update(table)
