"""The list of port and encryption choices, each explained, marked live by the port check."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from smtp_setup.core.catalog.loader import PortOption
from smtp_setup.core.profiles.model import Security
from smtp_setup.i18n import N_, LazyText, _, sentences

CUSTOM = "custom-port"

# How a probe status reads beside its port: mark (never colour alone), style, words.
STATUS_LINES: dict[str, tuple[str, str, LazyText]] = {
    "usable": ("✓", "bold green", N_("works from this network")),
    "refused": ("✗", "bold red", N_("refused: nothing listens on this port")),
    "timeout": ("✗", "bold red", N_("no answer: probably blocked by a firewall or your ISP")),
    "no_greeting": ("!", "bold yellow", N_("connected, but the server never said hello")),
    "no_starttls": ("!", "bold yellow", N_("answers, but offers no encryption (no STARTTLS)")),
    "tls_failed": ("✗", "bold red", N_("encryption failed")),
    "not_smtp": ("✗", "bold red", N_("another service answers on this port")),
    "error": ("✗", "bold red", N_("failed")),
}

# Statuses whose words above already say what the check's detail would repeat.
SAID_IN_FULL = {"usable", "refused", "timeout"}

# The name of the Advanced field for a private CA, so that advice names it as the screen does.
CA_FILE_LABEL = N_("Extra trusted CA file")


class _FilledText:
    """A marked sentence whose placeholders are filled each time it becomes text."""

    def __init__(self, text: LazyText, **names: Any) -> None:
        self.text, self.names = text, names

    def __str__(self) -> str:
        return self.text.format(**self.names)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


CA_FILE_FIX = _FilledText(N_("add the server's CA certificate as “{label}” under Advanced"),
                          label=CA_FILE_LABEL)
# A port that answers and encrypts but whose certificate failed: the words and the fix (None:
# the check's own detail says it, e.g. which names the certificate is for).
CERTIFICATE_LINES: dict[str, tuple[LazyText, Any]] = {
    "certificate_untrusted": (N_("answers, but its certificate is not trusted"), CA_FILE_FIX),
    "certificate_expired": (N_("answers, but its certificate has expired"),
                            N_("its administrator must renew it")),
    "certificate_hostname_mismatch": (N_("answers, but its certificate is for another name"),
                                      None),
}


class PortChoices(OptionList):
    """Highlighting an option chooses it. `results` holds the port check, keyed by choice."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: list[PortOption] = []
        self.recommended: PortOption | None = None
        self.results: dict[tuple[int, Security], Any] = {}
        self.checking = False

    # Highlighting chooses here, so PageDown/PageUp must not jump the choice to another
    # port: they scroll the step, as everywhere else in the wizard (the app's binding).
    def action_page_down(self) -> None:
        self.app.action_scroll_step("page_down")

    def action_page_up(self) -> None:
        self.app.action_scroll_step("page_up")

    def load(self, choices: list[PortOption], recommended: PortOption | None) -> None:
        self.choices, self.recommended = list(choices), recommended
        self._render_options()

    def _render_options(self) -> None:
        highlighted = self.highlighted
        options = [
            Option(self._row(choice), id=f"port-{index}")
            for index, choice in enumerate(self.choices)
        ]
        options.append(Option(self._row(None), id=CUSTOM))
        self.set_options(options)
        if highlighted is not None:
            self.highlighted = min(highlighted, len(options) - 1)

    def mark(self, result: Any) -> None:
        self.results[(result.port, result.security)] = result
        self._render_options()

    def clear_marks(self) -> None:
        if self.results:
            self.results.clear()
            self._render_options()

    @property
    def chosen(self) -> PortOption | None:
        """The highlighted choice, or None for "Custom port…"."""
        option = self.highlighted_option
        if option is None or option.id == CUSTOM:
            return None
        return self.choices[int(option.id.removeprefix("port-"))]

    def choose(self, port: int, security: Security) -> bool:
        """Highlight the matching choice; False (and Custom highlighted) when none matches."""
        for index, choice in enumerate(self.choices):
            if (choice.port, choice.security) == (port, security):
                self.highlighted = index
                return True
        self.highlighted = len(self.choices)
        return False

    def _row(self, choice: PortOption | None) -> Table:
        """Port and mode on the left; the explanation (and the check's verdict) beside it."""
        row = Table.grid(padding=(0, 1))
        row.add_column(width=5, justify="right")
        row.add_column(width=20)
        row.add_column(ratio=1)
        if choice is None:
            row.add_row(Text("…", style="bold"), Text(_("Custom port"), style="bold"),
                        Text(_("Any other port, with the encryption you choose."), style="dim"))
            return row
        mode = Text(choice.security.label, style="bold")
        if choice == self.recommended:
            mode.append("\n★ " + _("recommended"), style="bold green")
        # fold: Japanese has no spaces to wrap at, and a cut sentence ("…") loses its end
        explanation = Text(choice.explain(), style="dim", overflow="fold")
        result = self.results.get((choice.port, choice.security))
        verdict: Text | None = None
        if result is not None and result.diagnosis_code in CERTIFICATE_LINES:
            words, fix = CERTIFICATE_LINES[result.diagnosis_code]
            mark, verdict = Text("!", style="bold yellow"), Text(str(words), style="bold yellow")
            verdict.append(f": {fix or result.detail}", style="dim")
        elif result is not None:
            mark_text, style, words = STATUS_LINES.get(result.status, STATUS_LINES["error"])
            # the check's own sentence says more than the status words, once
            said = str(words) if result.status in SAID_IN_FULL or not result.detail else result.detail
            mark, verdict = Text(mark_text, style=style), Text(said, style=style)
            if result.status == "usable":
                # after its sentence as the language writes it: 「…。（12 ms）」, no space
                timing = _("({ms} ms)").format(ms=f"{result.ms:.0f}")
                verdict.append(sentences([said, timing])[len(said):], style="dim")
        elif self.checking:
            mark, verdict = Text("…", style="dim"), Text(_("checking"), style="dim")
        if verdict is not None:
            # The verdict's wrapped lines stay under its text, not under its mark.
            verdict.overflow = "fold"
            hanging = Table.grid(padding=(0, 1, 0, 0))
            hanging.add_column(no_wrap=True)
            hanging.add_column(ratio=1)
            hanging.add_row(mark, verdict)
            explanation = Group(explanation, hanging)
        row.add_row(Text(str(choice.port), style="bold"), mode, explanation)
        return row
