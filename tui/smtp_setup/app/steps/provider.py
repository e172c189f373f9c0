"""Step 2: which service sends the mail. Shows what it needs before asking for anything."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from smtp_setup.app.draft import apply_provider, apply_suggestion
from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.widgets.hanging_text import HangingText
from smtp_setup.app.widgets.text_input import TextInput
from smtp_setup.i18n import N_, _


class ProviderStep(StepPane):
    BINDINGS = [
        Binding(key="down", action="list_down",
                description=N_("Next provider"), show=False, id="provider.down"),
        Binding(key="up", action="list_up",
                description=N_("Previous provider"), show=False, id="provider.up"),
    ]
    step_id = "provider"
    title = N_("Who sends your mail?")
    why = N_(
        "Each provider has its own server, ports and kind of password: pick yours and they are "
        "filled in. Type to filter, arrows to move, Enter to choose. \"Local sandbox\" lets "
        "you try everything without an account."
    )

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="provider-search"):
            yield TextInput(placeholder=_("Type to filter, e.g. gmail, sendgrid, ses"),
                            id="provider-filter")
            yield Button(_("Find from my address…"), id="discover", compact=True)
        with Horizontal(id="provider-columns"):
            yield OptionList(id="provider-list")
            yield Static("", id="provider-detail", markup=False)

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        catalog = self.services.catalog
        wanted = {p.id for p in catalog.search(text)} if text.strip() else None
        options: list[Option | None] = []
        for title, providers in catalog.groups():
            shown = [p for p in providers if wanted is None or p.id in wanted]
            if not shown:
                continue
            options.append(Option(Text(title.upper(), style="bold dim"), disabled=True))
            options.extend(Option(f"  {p.name}", id=p.id) for p in shown)
        plist = self.query_one("#provider-list", OptionList)
        plist.set_options(options)
        self._highlight(self.draft.provider_id)
        if plist.highlighted is None or plist.highlighted_option is None:
            for index, option in enumerate(plist.options):
                if not option.disabled:
                    plist.highlighted = index
                    break
        self._show_detail()

    def _highlight(self, provider_id: str) -> None:
        plist = self.query_one("#provider-list", OptionList)
        for index, option in enumerate(plist.options):
            if option.id == provider_id:
                plist.highlighted = index
                return

    @property
    def selected_id(self) -> str | None:
        option = self.query_one("#provider-list", OptionList).highlighted_option
        return option.id if option and not option.disabled else None

    def _show_detail(self) -> None:
        detail = self.query_one("#provider-detail", Static)
        provider_id = self.selected_id
        if provider_id is None:
            detail.update(_("No provider matches. Clear the filter, or choose Other SMTP server."))
            return
        p = self.services.catalog.get(provider_id)
        text = HangingText().line(p.name, "bold").line(p.summary).line()
        needs = p.needs()
        if needs:
            text.line(_("You will need:"), "bold").bullets(needs)
        if p.default_host:
            port = p.recommended
            text.line().line(_("Server: {host}, port {port} ({security})").format(
                host=p.default_host, port=port.port, security=port.security.label), "dim")
        if p.docs:
            # the address on its own line, whole (a label and a long address on one line
            # broke the address in the middle)
            text.line(_("Guide:"), "dim").url(p.docs, "dim")
        detail.update(text)

    @on(Input.Changed, "#provider-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)
        self.validity_changed()

    @on(Input.Submitted, "#provider-filter")
    def _filter_submitted(self) -> None:
        if self.selected_id:
            self.request_advance()

    @on(OptionList.OptionHighlighted, "#provider-list")
    def _highlighted(self) -> None:
        self._show_detail()
        self.validity_changed()

    @on(OptionList.OptionSelected, "#provider-list")
    def _selected(self) -> None:
        if self.selected_id:
            self.request_advance()

    def enter(self) -> None:
        self._highlight(self.draft.provider_id)
        self._show_detail()

    def focus_first(self) -> bool:
        self.query_one("#provider-filter", Input).focus(scroll_visible=False)
        return True

    def action_list_down(self) -> None:
        self.query_one("#provider-list", OptionList).action_cursor_down()

    def action_list_up(self) -> None:
        self.query_one("#provider-list", OptionList).action_cursor_up()

    @on(Button.Pressed, "#discover")
    @work(exclusive=True, group="discover-dialog", exit_on_error=False)
    async def _discover(self) -> None:
        from smtp_setup.app.widgets.discover_dialog import DiscoverDialog

        services = self.services
        chosen = await self.app.push_screen_wait(DiscoverDialog(
            services.nameserver, services.discovery_options, self.draft.profile.from_email))
        if not chosen:
            return
        address, suggestion = chosen
        apply_suggestion(self.draft, suggestion, address, services.catalog)
        self.query_one("#provider-filter", Input).value = ""
        self._fill("")
        self._highlight(self.draft.provider_id)
        self.request_advance()

    def errors(self) -> list[str]:
        return [] if self.selected_id else [_("Choose a provider from the list.")]

    def leave(self) -> None:
        provider_id = self.selected_id
        if provider_id and provider_id != self.draft.provider_id:
            apply_provider(self.draft, self.services.catalog.get(provider_id))
