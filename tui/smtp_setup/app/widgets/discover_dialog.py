""""I don't know — find it from my address": ask every source at once, show ranked
suggestions with where each came from, and hand the chosen one back to the Provider step."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.app.widgets.text_input import TextInput
from smtp_setup.core.profiles import validation
from smtp_setup.i18n import N_, _

CONFIDENCE_MARKS = {"high": "●●●", "medium": "●●○", "low": "●○○"}


class DiscoverDialog(ModalScreen):
    """Dismisses with (address, Suggestion), or None when cancelled."""

    DEFAULT_CSS = """
    DiscoverDialog { align: center middle; }
    DiscoverDialog > Vertical {
        width: 96%; max-width: 110; height: auto; max-height: 92%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DiscoverDialog Horizontal { height: auto; }
    DiscoverDialog #discover-address { width: 1fr; }
    DiscoverDialog #discover-results { height: auto; max-height: 14; }
    DiscoverDialog #discover-status, DiscoverDialog #discover-sources { height: auto; }
    DiscoverDialog #discover-sources { color: $text-muted; }
    DiscoverDialog Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="discover.cancel")]

    def __init__(self, nameserver: str | None = None, options: dict | None = None,
                 address: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.nameserver, self.options, self.address = nameserver, options or {}, address
        self.suggestions: list = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Find the settings from your email address"), classes="title")
            yield Static(
                _("smtp-setup asks, all at once: its own provider list, your domain's MX and SRV "
                  "records, the Thunderbird autoconfig file, and the usual server names "
                  "(checked with a port probe). Nothing is sent to a third party."),
                markup=False)
            with Horizontal():
                yield TextInput(self.address, placeholder="you@example.com", id="discover-address")
                yield Button(_("Find"), id="discover-go", variant="primary")
            yield Static("", id="discover-status", markup=False)
            yield OptionList(id="discover-results")
            yield Static("", id="discover-sources", markup=False)
            with Horizontal():
                yield Button(_("Cancel"), id="discover-cancel")
                yield Button(_("Use this"), id="discover-use", variant="success",
                             disabled=True)

    def on_mount(self) -> None:
        self.query_one("#discover-results").display = False
        self.query_one("#discover-address", Input).focus()

    @on(Input.Submitted, "#discover-address")
    @on(Button.Pressed, "#discover-go")
    def _go(self) -> None:
        address = self.query_one("#discover-address", Input).value.strip()
        problem = validation.email_address(address)
        if problem:
            self._status(f"✗ {problem}")
            return
        self._status(_("Looking up {domain} in every source at once…").format(
            domain=address.rpartition("@")[2]))
        self.query_one("#discover-go", Button).disabled = True
        self._discover(address)

    def _status(self, text: str) -> None:
        self.query_one("#discover-status", Static).update(text)

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def _discover(self, address: str) -> None:
        from smtp_setup.core.discovery.report import source_name
        from smtp_setup.core.discovery.search import discover

        try:
            report = await discover(address, nameserver=self.nameserver, **self.options)
        except ValueError as exc:
            self._status(f"✗ {exc}")
            return
        finally:
            self.query_one("#discover-go", Button).disabled = False
        self.address = address
        self.suggestions = report.suggestions
        results = self.query_one("#discover-results", OptionList)
        results.set_options([
            Option(Text.assemble((CONFIDENCE_MARKS.get(s.confidence, "○○○") + " ", "bold"),
                                 s.describe()), id=str(i))
            for i, s in enumerate(report.suggestions)
        ])
        results.display = bool(report.suggestions)
        if report.suggestions:
            results.highlighted = 0
            results.focus()
            count = len(report.suggestions)
            # TRANSLATORS: the English is kept as it was ("suggestion(s)") on purpose
            self._status("✓ " + _(
                "{count} suggestion(s), best first ({seconds} s). Enter uses the highlighted "
                "one.").format(count=count, seconds=f"{report.ms / 1000:.1f}"))
        else:
            self._status("✗ " + _(
                "Nothing found for this address. Choose your provider from the list, or "
                "\"Other SMTP server\" and the details your mail host gave you."))
        lines = [f"{'✓' if o.status == 'found' else '✗' if not o.ok else '·'} "
                 f"{source_name(o.name)}: {o.detail}" for o in report.sources]
        self.query_one("#discover-sources", Static).update("\n".join(lines))
        self.query_one("#discover-use", Button).disabled = not report.suggestions

    @on(OptionList.OptionSelected, "#discover-results")
    @on(Button.Pressed, "#discover-use")
    def _use(self) -> None:
        option = self.query_one("#discover-results", OptionList).highlighted_option
        if option is not None:
            self.dismiss((self.address, self.suggestions[int(option.id)]))

    @on(Button.Pressed, "#discover-cancel")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "discover")
        self.dismiss(None)
