"""What a sender-domain check found: one row per check (MX, SPF, DKIM, DMARC), each a verdict
with a one-line summary, plain next steps and the DNS record it is about, shown verbatim.

Kept apart from the checks themselves so the UI, the CLI and the doctor can read and print
a report without importing anything that speaks DNS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smtp_setup.i18n import _
from smtp_setup.text_width import pad, wrap

CHECK_NAMES = ("MX", "SPF", "DKIM", "DMARC")
# Every status a row can have, with its mark: never colour alone.
MARKS = {"pass": "✓", "warn": "!", "fail": "✗", "info": "i"}
_RANK = {"info": 0, "pass": 0, "warn": 1, "fail": 2}


@dataclass
class CheckRow:
    """One check. `status` is "pass", "warn", "fail" or "info" (nothing to judge, e.g. no
    DKIM selector known); `advice` holds plain next steps; `record` the DNS text or None."""

    name: str
    status: str
    summary: str
    advice: list[str] = field(default_factory=list)
    record: str | None = None

    @property
    def mark(self) -> str:
        return MARKS.get(self.status, "?")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "summary": self.summary,
                "advice": list(self.advice), "record": self.record}


@dataclass
class DomainReport:
    """The whole check of one domain. `offline`: DNS gave no answer at all, so nothing was
    judged and `rows` is empty; `problem` then says why in one sentence."""

    domain: str
    rows: list[CheckRow]
    offline: bool = False
    problem: str | None = None
    provider: str | None = None  # the catalog provider whose facts were used, if any
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        """No check failed. An offline report is not ok: nothing could be confirmed."""
        return not self.offline and all(row.status != "fail" for row in self.rows)

    @property
    def verdict(self) -> str:
        """"pass", "warn" or "fail" for the whole domain ("fail" when offline)."""
        if self.offline:
            return "fail"
        worst = max((_RANK.get(row.status, 0) for row in self.rows), default=0)
        return ("pass", "warn", "fail")[worst]

    def row(self, name: str) -> CheckRow | None:
        return next((row for row in self.rows if row.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """The JSON of `smtp-setup check-domain --json`."""
        return {"ok": self.ok, "domain": self.domain, "verdict": self.verdict,
                "offline": self.offline, "problem": self.problem, "provider": self.provider,
                "ms": round(self.ms, 1), "checks": [row.to_json() for row in self.rows]}


def worst(*statuses: str) -> str:
    """The most serious of the statuses ("info" counts as "pass")."""
    top = max((_RANK.get(s, 0) for s in statuses), default=0)
    if top:
        return "warn" if top == 1 else "fail"
    return "pass" if "pass" in statuses or not statuses else "info"


def format_report(report: DomainReport) -> list[str]:
    """The report as plain text lines for a terminal: a mark (✓ ! ✗ i), the check's name
    and summary, the record verbatim, then the advice; no colour codes."""
    lines = [_("Sender domain check of {domain}").format(domain=report.domain)]
    if report.offline:
        lines += wrap(report.problem or _("DNS did not answer, so nothing was checked."), 79,
                      initial_indent="✗ ", subsequent_indent="  ")
        return lines
    for row in report.rows:
        lines += wrap(f"{row.mark} {pad(row.name, 6)}{row.summary}", 79,
                      subsequent_indent=" " * 8)
        if row.record is not None:
            # verbatim: long keys are cut with an ellipsis, never re-flowed
            for text in row.record.splitlines() or [""]:
                shown = text if len(text) <= 69 else text[:68] + "…"
                lines.append(f"        │ {shown}")
        for step in row.advice:
            lines += wrap(step, 79, initial_indent="        - ", subsequent_indent="          ")
    lines.append("")
    mark, verdict = {"pass": ("✓ ", _("No problems found.")),
                     "warn": ("! ", _("Mail can be delivered, but the warnings above are worth "
                                      "fixing.")),
                     "fail": ("✗ ", _("Receivers may reject or junk mail from this domain: fix "
                                      "the failures above."))}[report.verdict]
    return lines + wrap(verdict, 79, initial_indent=mark, subsequent_indent="  ")
