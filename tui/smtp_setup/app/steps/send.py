"""Step 6: a live test send, each SMTP stage shown as it happens."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Collapsible, Input, Log, Static

from smtp_setup.app.draft import STORE_COMMAND, STORE_ENV
from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.steps.ways_back import ways_back
from smtp_setup.app.widgets.diagnosis_view import diagnosis_view
from smtp_setup.app.widgets.domain_table import DomainTable
from smtp_setup.app.widgets.field import Field
from smtp_setup.app.widgets.hanging_text import HangingText
from smtp_setup.app.widgets.stage_list import StageList
from smtp_setup.core.profiles import validation
from smtp_setup.core.smtp.stages import stages_for
from smtp_setup.i18n import N_, _, ngettext


class SendStep(StepPane):
    step_id = "test"
    title = N_("Send a test message")
    why = N_(
        "A real message through your settings shows whether they work. Each stage of the SMTP "
        "conversation is checked in turn, so a failure points at its cause. Success means the "
        "server accepted the message; delivery to the inbox is up to it."
    )

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="send-row"):
            yield Field(_("Send the test to"), check=validation.email_address, input_id="recipient",
                        note=validation.address_note,
                        placeholder="you@example.com", id="recipient-field")
            yield Button(_("Send test"), id="send", variant="primary")
            yield Button(_("Cancel"), id="cancel-send", variant="warning")
        yield StageList(id="stages")
        yield Static("", id="outcome", markup=False)
        with Horizontal(id="fix-buttons"):
            yield Button(_("Try suggested settings"), id="try-suggestion", variant="success")
            yield Button(_("Try again"), id="retry")
            yield Button(_("Back to connection"), id="goto-connection")
            yield Button(_("Back to login"), id="goto-credentials")
        yield Static("", id="received", markup=False)
        yield DomainTable(id="domain-check")
        with Collapsible(title=_("Transcript (passwords hidden)"), id="transcript-box"):
            yield Log(id="transcript", highlight=False)

    @property
    def next_label(self) -> str:  # type: ignore[override]
        return _("Next") if self.draft.test_ok else _("Skip test")

    def on_mount(self) -> None:
        self._reset_stages()
        for selector in ("#cancel-send", "#fix-buttons", "#received", "#outcome",
                         "#domain-check"):
            self.query_one(selector).display = False
        self.suggestion: dict | None = None
        self.diagnosis = None
        self.tested: tuple | None = None  # the settings the shown result is about
        self.passed_to = ""  # the recipient of the test that passed

    def _reset_stages(self) -> None:
        """The stages of the connection as now set, all waiting (no STARTTLS row for
        implicit TLS: that connection has no such stage)."""
        self.query_one("#stages", StageList).reset(stages_for(self.draft.profile.security))

    def _settings(self) -> tuple:
        """What a test result depends on; not the name, which is chosen after testing."""
        draft = self.draft
        return (draft.profile.copy(name=""), draft.provider_id, draft.use_auth, draft.password,
                draft.secret_store, draft.secret_target)

    def enter(self) -> None:
        if self.tested is not None and self._settings() != self.tested:
            self.draft.test_ok = None  # a setting changed since: the result no longer holds
        if self.draft.test_ok is None and not self.sending:  # settings changed: old result is stale
            self.tested = None
            self._reset_stages()
            self.query_one("#transcript", Log).clear()
            for selector in ("#fix-buttons", "#received", "#outcome", "#domain-check"):
                self.query_one(selector).display = False
        field = self.query_one("#recipient-field", Field)
        if not field.value:
            field.value = self.draft.profile.from_email
        self._refresh()

    def focus_first(self) -> bool:
        if self.draft.test_ok:  # tested already: Enter moves on rather than sends again
            return False
        self.query_one("#send", Button).focus(scroll_visible=False)
        return True

    def _refresh(self) -> None:
        field = self.query_one("#recipient-field", Field)
        field.refresh_message(show_errors=False)
        self.query_one("#send", Button).disabled = bool(field.error) or self.sending
        self.validity_changed()

    sending = False

    @on(Input.Changed, "#recipient")
    def _recipient_changed(self) -> None:
        self._refresh()

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        if not self.query_one("#recipient-field", Field).error:
            self.start_send()

    @on(Input.Submitted, "#recipient")
    def _recipient_submitted(self) -> None:
        """Enter sends, except once this recipient has had a passing test: then it moves on
        (a second message only by the Send button, or to a new recipient)."""
        recipient = self.query_one("#recipient-field", Field).value.strip()
        if self.draft.test_ok and recipient == self.passed_to and not self.sending:
            self.request_advance()
        else:
            self._send_pressed()

    @on(Button.Pressed, "#cancel-send")
    def _cancel_pressed(self) -> None:
        self.workers.cancel_group(self, "send")
        self._finish_ui()
        self._show_outcome(_("! Test cancelled. Nothing was sent."), "-warning")

    @on(Button.Pressed, "#goto-connection")
    def _goto_connection(self) -> None:
        code = self.diagnosis.code if self.diagnosis else ""
        self.post_message(self.GoTo(
            "connection", "#ca-file" if code == "certificate_untrusted" else None))

    @on(Button.Pressed, "#goto-credentials")
    def _goto_credentials(self) -> None:
        self.post_message(self.GoTo("credentials", self._likely_wrong_login_field()))

    def _likely_wrong_login_field(self) -> str | None:
        """After a refused login the password is the usual culprit, unless the username
        cannot be right (an address is expected) or is fixed by the provider."""
        code = self.diagnosis.code if self.diagnosis else ""
        if code == "oauth_wrong_user":  # signed in as another account than the username
            return "#username"
        if code != "auth_failed":
            return None
        provider = self.services.catalog.get(self.draft.provider_id or "custom")
        username = self.draft.profile.username or ""
        if provider.username_kind == "email" and "@" not in username:
            return "#username"
        return "#password"

    @on(Button.Pressed, "#retry")
    def _retry(self) -> None:
        """The same settings again: the server may have been down, or fixed meanwhile."""
        if not self.query_one("#recipient-field", Field).error and not self.sending:
            self.start_send()

    @on(Button.Pressed, "#try-suggestion")
    def _try_suggestion(self) -> None:
        if self.suggestion:
            profile = self.draft.profile
            for key in ("port", "security", "host"):
                if key in self.suggestion:
                    value = self.suggestion[key]
                    if key == "security":
                        from smtp_setup.core.profiles.model import Security

                        value = Security(value)
                    setattr(profile, key, value)
            self.start_send()

    def start_send(self) -> None:
        self._reset_stages()
        self.query_one("#transcript", Log).clear()
        for selector in ("#fix-buttons", "#received", "#domain-check"):
            self.query_one(selector).display = False
        self._show_outcome(_("Sending through {server}…").format(server=self.draft.profile.server), "")
        self.query_one("#send", Button).disabled = True
        self.query_one("#cancel-send").display = True
        self.sending = True
        self.draft.test_ok = None
        self._send(self.query_one("#recipient-field", Field).value.strip())

    @work(exclusive=True, group="send", exit_on_error=False)
    async def _send(self, recipient: str) -> None:
        from smtp_setup.core.profiles.next_command import next_command

        try:
            await self._send_and_show(recipient)
        except Exception as exc:  # a bug must not leave the step "sending" for ever
            self._finish_ui()
            self._show_outcome(
                _("✗ The test could not run: {error}\n"
                  "Go back and check the settings, or run {command} after saving and report "
                  "the log.").format(error=f"{type(exc).__name__}: {exc}",
                                     command=next_command("test", "NAME", "--debug")),
                "-error")
            self._refresh()

    async def _send_and_show(self, recipient: str) -> None:
        from smtp_setup.core.profiles.secrets import SecretError, resolve_secret_async
        from smtp_setup.core.smtp.session import send_test_message

        draft = self.draft
        profile = draft.to_profile()
        profile.name = draft.editing or profile.name or draft.name_to_suggest(
            self.services.profile_names)
        moved = ""
        if draft.provider_id == "sandbox":
            # The wizard runs its own sandbox. When the profile's port is taken it listens
            # on another, and the profile takes that port: what is saved is what was tested.
            wanted = draft.profile.port
            profile.port, taken = await self.services.ensure_sandbox(wanted)
            draft.profile.port = profile.port
            if taken:
                moved = "\n" + _("Port {wanted} is taken by another program, so the sandbox "
                                 "listens on {port} and the profile now uses {port}.").format(
                    wanted=wanted, port=profile.port)
        password = None
        if draft.use_auth and profile.username:
            password = draft.password or None
            # Nothing typed: a variable or a command is read now; the keyring and the file
            # get a secret only on Save, so until then it is the saved profile's.
            ref = None if password is not None else (
                profile.password if draft.secret_store in (STORE_ENV, STORE_COMMAND)
                else draft.kept_secret)
            if password is None and ref is not None:
                try:
                    password = await resolve_secret_async(ref, profile.name)
                except SecretError as exc:
                    self._finish_ui()
                    self._show_outcome(f"✗ {exc}", "-error")
                    return
        stages = self.query_one("#stages", StageList)
        keeper = self._rotation_keeper() if profile.uses_oauth else None
        result = await send_test_message(
            profile, password, to=recipient,
            on_event=lambda e: stages.record(e.name, e.status, e.ms, e.detail),
            nameserver=self.services.nameserver,
            store_rotated=keeper,
        )
        self._finish_ui()
        for warning in getattr(keeper, "warnings", ()):
            self.notify(warning, severity="warning", markup=False, timeout=15)
        log = self.query_one("#transcript", Log)
        log.write_lines(result.transcript or [
            _("(nothing was exchanged: no SMTP conversation took place)")])
        if self.services.debug:
            self._write_debug_log(result, password)
        draft.test_ok = result.ok
        self.tested = self._settings()
        self.passed_to = recipient if result.ok else ""
        if result.ok:
            after = (_("The sandbox keeps it and delivers nothing.") + moved
                     if draft.provider_id == "sandbox"
                     else _("Accepted means the server took responsibility for the message; "
                            "check the recipient's inbox (and spam folder) to confirm delivery."))
            self._show_outcome(
                _("✓ Accepted by the server in {ms} ms: {response}").format(
                    ms=f"{result.total_ms:.0f}", response=result.response) + "\n" + after,
                "-success")
            self._show_received()
            self.post_message(self.Complete(self))
            if draft.provider_id != "sandbox":
                self._check_domain(profile.from_email, profile.provider)
        else:
            self._show_diagnosis(result.diagnosis)
        self._refresh()
        outcome = self.query_one("#outcome")
        self.call_after_refresh(lambda: self.scroll_to_widget(outcome, animate=False, top=True))

    def _rotation_keeper(self):
        """Where a refresh token the server replaces during the test goes: the draft, which
        Save writes; and when the test renews the saved profile's own sign-in, that profile
        too, at once and under the lock `smtp-setup test` takes (its old token is spent
        now, even if this wizard is left without saving)."""
        from smtp_setup.core.oauth.token_store import RefreshTokenSaver, can_hold_refresh_token

        draft, config = self.draft, self.services.config
        saved = config.profiles.get(draft.editing) if config and draft.editing else None
        if (draft.signed_in or saved is None or not saved.uses_oauth or saved.password is None
                or not can_hold_refresh_token(saved.password.kind)):
            return draft.keep_rotated
        return RefreshTokenSaver(saved, self.services.store, also=draft.keep_rotated)

    @work(exclusive=True, group="domain", exit_on_error=False)
    async def _check_domain(self, from_email: str, provider_id: str) -> None:
        """After an accepted send, as WP Mail SMTP does: will receivers trust this domain?"""
        from smtp_setup.core.dns.domain_check import check_domain
        from smtp_setup.core.profiles.validation import is_reserved_domain

        table = self.query_one("#domain-check", DomainTable)
        domain = from_email.rpartition("@")[2]
        if self.services.nameserver is None and is_reserved_domain(domain):
            table.display = True
            table.update(_("i No domain check: {domain} is an internal or reserved name, "
                           "so public DNS has no records for it.").format(domain=domain))
            return
        table.show_checking(domain)
        try:
            report = await check_domain(domain, provider_id=provider_id,
                                        nameserver=self.services.nameserver)
        except ValueError as exc:
            table.update(_("! The domain check could not run: {error}").format(error=exc))
            return
        table.show_report(report)

    def _write_debug_log(self, result, password: str | None) -> None:
        from smtp_setup.core.debug_log import write_send_log

        try:
            path = write_send_log(result, password)
        except OSError as exc:
            self.notify(_("Could not write the debug log: {error}").format(error=exc),
                        severity="warning",
                        markup=False)
            return
        self.notify(_("Debug log written to {path}").format(path=path), markup=False)

    def _finish_ui(self) -> None:
        self.sending = False
        self.query_one("#cancel-send").display = False
        self.query_one("#send", Button).disabled = False

    def _show_outcome(self, text: str | Text | HangingText, css: str) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.display = True
        outcome.update(text)
        outcome.set_classes(css)

    def _show_diagnosis(self, diagnosis) -> None:
        text = Text(_("✗ The test failed."), style="bold") if diagnosis is None else \
            diagnosis_view(diagnosis.title, diagnosis.explanation, diagnosis.causes,
                           self._in_wizard_words(diagnosis.next_steps))
        self._show_outcome(text, "")
        # The port check outranks the diagnosis's guess of a port (e.g. 587 found refused).
        self.suggestion = self.draft.worth_trying(diagnosis.suggestion) if diagnosis else None
        self.diagnosis = diagnosis
        self.query_one("#fix-buttons").display = True
        oauth = bool(diagnosis and diagnosis.code.startswith("oauth_"))
        login = self.query_one("#goto-credentials", Button)
        login.label = _("Sign in again") if oauth else _("Back to login")
        login.refresh(layout=True)
        connection, login.display = ways_back(diagnosis.code if diagnosis else None,
                                              self.draft.use_auth)
        self.query_one("#goto-connection").display = connection
        self.query_one("#try-suggestion").display = bool(self.suggestion)
        if self.suggestion:
            from smtp_setup.core.smtp.diagnosis_text import suggestion_words

            self.query_one("#try-suggestion", Button).label = suggestion_words(self.suggestion)
            self.query_one("#try-suggestion", Button).refresh(layout=True)
        if self.app.focused is None:  # Send was disabled while sending and took the focus
            # along: the keyboard lands on the first way forward, the view stays on the
            # diagnosis's first lines (PageDown reads on)
            first = next((button for button in self.query("#fix-buttons Button")
                          if button.display), None)
            if first is not None:
                first.focus(scroll_visible=False)

    def _in_wizard_words(self, steps: list[str]) -> list[str]:
        """The diagnosis's next steps, with the wizard's own port check in place of the
        command line's `smtp-setup probe`."""
        from smtp_setup.core.smtp.diagnosis_text import probe_step

        probe = probe_step(self.draft.profile.host)
        check = _("Go back to the Connection step and press “{button}”: it tries every port "
                  "at once and says which answer, and with what encryption.").format(
            button=_("Check which ports work"))
        return [check if step == probe else step for step in steps]

    def _show_received(self) -> None:
        messages = self.services.sandbox_messages()
        if not messages:
            return
        received = self.query_one("#received", Static)
        received.display = True
        message = messages[-1]
        received.update(ngettext(
            "The sandbox received this message ({size} byte); nothing was "
            "delivered:\n\n{preview}",
            "The sandbox received this message ({size} bytes); nothing was "
            "delivered:\n\n{preview}", message.size).format(
                size=message.size, preview=message.preview()))

    def errors(self) -> list[str]:
        return [_("A test is running.")] if self.sending else []

    def submit(self) -> bool:
        # Going on untested or after a failure is said on the Save step itself (its Test
        # row), not by a notice that would cover that step's summary for seconds.
        return False

    def leave(self) -> None:
        if self.sending:  # going back mid-send: stop it rather than finish unseen
            self.workers.cancel_group(self, "send")
            self._finish_ui()
            self._show_outcome(_("! Test cancelled. Nothing was sent."), "-warning")
