"""The sender-domain check as a table: one row per check (MX, SPF, DKIM, DMARC) with its
mark (never colour alone), what was found, and the advice for that row."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

STYLES = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red", "info": "bold"}


class DomainTable(Static):
    def show_checking(self, domain: str) -> None:
        self.display = True
        self.update(Text(f"Checking {domain}'s MX, SPF, DKIM and DMARC records…", style="dim"))

    def show_report(self, report) -> None:
        self.display = True
        if report.offline:
            self.update(Text(
                f"! The domain check of {report.domain} could not run: "
                f"{report.problem or 'DNS gave no answer'}. Run smtp-setup check-domain "
                f"{report.domain} when online.", style="bold yellow"))
            return
        table = Table(title=f"Can receivers trust mail from {report.domain}?",
                      title_justify="left", expand=True, show_lines=True)
        table.add_column("", width=1, no_wrap=True)
        table.add_column("Check", width=6, no_wrap=True)
        table.add_column("Found, and what to do", ratio=1)
        for row in report.rows:
            body = Text(row.summary)
            if row.record:
                record = row.record if len(row.record) <= 120 else row.record[:119] + "…"
                body.append(f"\n{record}", style="dim")
            for step in row.advice:
                body.append(f"\n→ {step}")
            table.add_row(Text(row.mark, style=STYLES.get(row.status, "")),
                          Text(row.name, style="bold"), body)
        self.update(table)
