"""The sender-domain check as a table: one row per check (MX, SPF, DKIM, DMARC) with its
mark (never colour alone), what was found, and the advice for that row."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.i18n import N_, _

STYLES = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red", "info": "bold"}


class DomainTable(Static):
    def show_checking(self, domain: str) -> None:
        self.display = True
        self.update(Text(_("Checking {domain}'s MX, SPF, DKIM and DMARC records…").format(
            domain=domain), style="dim"))

    def show_report(self, report) -> None:
        self.display = True
        if report.offline:
            problem = report.problem or _("DNS gave no answer, so {domain} could not be "
                                          "checked.").format(domain=report.domain)
            again = _("Run {command} when you are online.").format(
                command=f"smtp-setup check-domain {report.domain}")
            self.update(Text(f"! {problem}\n{again}", style="bold yellow"))
            return
        table = Table(title=_("Can receivers trust mail from {domain}?").format(
                          domain=report.domain),
                      title_justify="left", expand=True, show_lines=True)
        table.add_column("", width=1, no_wrap=True)
        table.add_column(_("Check"), width=6, no_wrap=True)
        table.add_column(_("Found, and what to do"), ratio=1)
        for row in report.rows:
            # Sentences fold (Japanese has no spaces to wrap at); a long record is cut.
            body = [Text(row.summary, overflow="fold")]
            if row.record:
                record = row.record if len(row.record) <= 120 else row.record[:119] + "…"
                body.append(Text(record, style="dim"))
            body += [Text(f"→ {step}", overflow="fold") for step in row.advice]
            table.add_row(Text(row.mark, style=STYLES.get(row.status, "")),
                          Text(row.name, style="bold"), Group(*body))
        self.update(table)


class DomainCheckDialog(ModalScreen[None]):
    """The profile manager's "Check domain…": the From domain's records, judged."""

    DEFAULT_CSS = """
    DomainCheckDialog { align: center middle; }
    DomainCheckDialog > Vertical {
        width: 96%; max-width: 110; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DomainCheckDialog VerticalScroll { height: 1fr; }
    DomainCheckDialog Button { width: 100%; }
    """
    BINDINGS = [Binding("escape", "close", N_("Close"), id="domain.close")]

    def __init__(self, domain: str, provider_id: str, nameserver: str | None) -> None:
        super().__init__()
        translate_bindings(self)
        self.domain, self.provider_id, self.nameserver = domain, provider_id, nameserver

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield DomainTable(id="domain-check")
            yield Button(_("Close (Esc)"), id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one(DomainTable).show_checking(self.domain)
        self._check()

    @work(exclusive=True, group="domain", exit_on_error=False)
    async def _check(self) -> None:
        from smtp_setup.core.dns.domain_check import check_domain

        table = self.query_one(DomainTable)
        try:
            report = await check_domain(self.domain, provider_id=self.provider_id,
                                        nameserver=self.nameserver)
        except ValueError as exc:
            table.update("! " + _("The domain check could not run: {problem}").format(problem=exc))
            return
        table.show_report(report)

    def on_button_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "domain")
        self.dismiss(None)
