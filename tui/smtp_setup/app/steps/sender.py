"""Step 5: who the mail comes from."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.widgets.field import Field
from smtp_setup.core.profiles import validation
from smtp_setup.i18n import N_, _


class SenderStep(StepPane):
    step_id = "sender"
    title = N_("Sender")
    why = N_(
        "Receivers see this address and name. Most services only accept a From address they "
        "have verified (or one on a domain you have set up with them), so use one you own."
    )

    def compose_body(self) -> ComposeResult:
        yield Field(_("From address"), check=validation.email_address, input_id="from-email",
                    note=validation.address_note,
                    placeholder="alerts@example.com", id="from-email-field")
        yield Field(_("From name (optional)"), check=validation.header_text, input_id="from-name",
                    # TRANSLATORS: an example of a From name, shown greyed in the empty field
                    placeholder=_("Example Alerts"), id="from-name-field", optional=True)
        yield Static("", id="sender-note", classes="dim", markup=False)

    def enter(self) -> None:
        profile = self.draft.profile
        from_email = profile.from_email
        if not from_email and profile.username and "@" in profile.username:
            if not validation.email_address(profile.username):
                from_email = profile.username
        self.query_one("#from-email-field", Field).value = from_email
        self.query_one("#from-name-field", Field).value = profile.from_name
        provider = self.services.catalog.get(self.draft.provider_id or "custom")
        self.query_one("#sender-note", Static).update(  # a dash: hints often hold a colon
            f"{provider.name} — {provider.hints[0]}" if provider.hints else ""
        )
        self._refresh()

    def _refresh(self) -> None:
        self.fields_changed()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._refresh()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if not self.errors():
            self.request_advance()

    def errors(self) -> list[str]:
        return [f.error for f in self.query(Field) if f.error]

    def leave(self) -> None:
        profile = self.draft.profile
        new_from = self.query_one("#from-email-field", Field).value.strip()
        if new_from != profile.from_email:
            self.draft.test_ok = None
        profile.from_email = new_from
        profile.from_name = self.query_one("#from-name-field", Field).value.strip()
