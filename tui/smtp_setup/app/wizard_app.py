"""The wizard application: composes the steps and routes Back / Next / Save."""

from __future__ import annotations

from importlib import import_module

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, ContentSwitcher, Footer, Header, Static
from textual.worker import Worker, WorkerState

from smtp_setup.app.draft import Draft, draft_for_broken, draft_for_new, draft_for_profile
from smtp_setup.app.services import WizardServices
from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.app.widgets.step_indicator import StepIndicator
from smtp_setup.i18n import N_, _, sentences

# (step id, title, "module:Class"). Steps are imported and mounted when first shown, so the
# first frame only pays for the Welcome step.
STEPS = [
    # TRANSLATORS: step names share one line with "Step 1 of 7" at 80 columns: keep them short
    ("welcome", N_("Welcome"), "welcome:WelcomeStep"),
    ("provider", N_("Provider"), "provider:ProviderStep"),
    ("connection", N_("Connection"), "connection:ConnectionStep"),
    ("credentials", N_("Login"), "credentials:CredentialsStep"),
    ("sender", N_("Sender"), "sender:SenderStep"),
    ("test", N_("Test"), "send:SendStep"),
    ("review", N_("Save"), "review:ReviewStep"),
]
CANCELLED = N_("Setup cancelled: no changes were made.")
CLOSED_AFTER_CHANGES = N_("Setup closed. Saved before that: {done}")


def _step_class(spec: str) -> type[StepPane]:
    module, name = spec.split(":")
    return getattr(import_module(f"smtp_setup.app.steps.{module}"), name)


class SetupWizard(App[int]):
    """The guided setup. Exits 0 after saving, 130 when cancelled."""

    CSS_PATH = "wizard.tcss"
    TITLE = "smtp-setup"
    SUB_TITLE = N_("outgoing email setup")
    BINDINGS = [
        Binding(key="ctrl+n", action="next", description=N_("Next"), id="wizard.next"),
        Binding(key="ctrl+b", action="back", description=N_("Back"), id="wizard.back"),
        Binding(key="escape", action="cancel", description=N_("Cancel"), id="wizard.cancel"),
        Binding(key="f1", action="help", description=N_("Help"), id="wizard.help"),
        # The step scrolls wherever the focus is, Next and Back included: a field's own
        # PageDown (an OptionList's, a TextArea's) comes first, as the focused widget's.
        Binding(key="pagedown", action="scroll_step('page_down')", description=N_("Scroll"),
                key_display="PgDn", id="wizard.page-down", show=False),
        Binding(key="pageup", action="scroll_step('page_up')", description=N_("Scroll"),
                id="wizard.page-up", show=False),
        Binding(key="ctrl+end", action="scroll_step('end')", description=N_("Scroll"),
                id="wizard.scroll-end", show=False),
        Binding(key="ctrl+home", action="scroll_step('home')", description=N_("Scroll"),
                id="wizard.scroll-home", show=False),
        Binding(key="ctrl+q", action="quit_now",
                description=N_("Quit"), id="wizard.quit", priority=True, show=False),
        Binding(key="ctrl+c", action="quit_now",
                description=N_("Quit"), id="wizard.interrupt", priority=True, show=False),
        # Tab moves focus as soon as the app reads it. As the Screen's ordinary binding it
        # acts only once the key has bubbled back from the focused field, after the keys
        # typed behind it (a password manager's auto-type) were already handed to that
        # field: the password would land in the username.
        Binding(key="tab", action="focus_next",
                description=N_("Next field"), id="wizard.focus-next", priority=True,
                show=False),
        Binding(key="shift+tab", action="focus_previous",
                description=N_("Previous field"), id="wizard.focus-previous",
                priority=True, show=False),
    ]

    def __init__(self, services: WizardServices, edit: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.sub_title = str(self.SUB_TITLE)
        self.services = services
        # What is printed after the app has left the screen (see run_wizard): by print(),
        # not by Textual's exit message, which Rich breaks at the terminal's width and so
        # would cut a printed command in two.
        self.farewell: str | None = None
        self.draft: Draft = draft_for_new()
        self.index = 0
        config = services.config
        if edit and config and edit in config.profiles:
            self.draft = draft_for_profile(config.profiles[edit])
            self.index = 1
        elif edit and config and edit in config.broken:
            self.draft = draft_for_broken(config.broken[edit]) or draft_for_new()
            self.index = self._next_index(0)
        self.steps: dict[int, StepPane] = {}

    def compose(self) -> ComposeResult:
        yield Header(icon="✉")
        yield StepIndicator([str(title) for _id, title, _spec in STEPS], id="step-indicator")
        with ContentSwitcher(id="steps"):
            yield self._build(self.index)
        with Horizontal(id="nav"):
            yield Button(_("Back"), id="back", compact=True)
            yield Static("", id="nav-status", markup=False)
            yield Button(_("Next"), id="next", variant="primary", compact=True)
        yield Footer(show_command_palette=False)

    def _build(self, index: int) -> StepPane:
        step = _step_class(STEPS[index][2])(self.draft, self.services)
        self.steps[index] = step
        return step

    async def on_mount(self) -> None:
        await self._show(self.index)

    def on_ready(self) -> None:
        # After the first frame: importing keyring (~60 ms) must not compete with it.
        self._check_keyring()

    @work(thread=True, exit_on_error=False, group="keyring")
    def _check_keyring(self) -> None:
        """Looking for a keyring can be slow (D-Bus); do it off the event loop."""
        from smtp_setup.core.profiles.secrets import keyring_status

        self.services.keyring = keyring_status()

    @property
    def step(self) -> StepPane:
        return self.steps[self.index]

    async def _show(self, index: int) -> None:
        switcher = self.query_one("#steps", ContentSwitcher)
        if index not in self.steps:
            await switcher.mount(self._build(index))
        self.index = index
        step = self.step
        switcher.current = step.id
        test = next(i for i, (step_id, _title, _spec) in enumerate(STEPS) if step_id == "test")
        self.query_one(StepIndicator).show_step(
            index, {test} if index > test and not self.draft.test_ok else set())
        self.query_one("#back", Button).disabled = index == 0
        step.enter()
        flagged = self.draft.flagged
        step.show_saved_problem(flagged if self.draft.flagged_step == step.step_id else None)
        step.scroll_home(animate=False)
        self._update_next()
        self.call_after_refresh(self._focus_step, step)

    def _focus_step(self, step: StepPane) -> None:
        if step is self.step and not step.focus_first():
            self.query_one("#next", Button).focus(scroll_visible=False)

    def _update_next(self) -> None:
        step = self.step
        problems = step.errors()
        next_button = self.query_one("#next", Button)
        label = str(step.next_label)
        if str(next_button.label) != label:
            next_button.label = label
            # A Button's label is no layout reactive: a longer one ("テストをスキップ") must
            # widen the button, not be cut at its old width.
            next_button.refresh(layout=True)
        next_button.disabled = bool(problems)
        self.query_one("#nav-status", Static).update(f"✗ {problems[0]}" if problems else "")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for errors no worker handled itself: a sentence, never a traceback."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", title=_("Something went wrong"),
                        severity="error", markup=False, timeout=15)

    @on(StepPane.ValidityChanged)
    def _validity(self, event: StepPane.ValidityChanged) -> None:
        if self.steps.get(self.index) is event.step:
            self._update_next()

    @on(StepPane.Advance)
    async def _advance(self, event: StepPane.Advance) -> None:
        if event.step is self.step:
            await self.action_next()

    @on(StepPane.Complete)
    def _complete(self, event: StepPane.Complete) -> None:
        if event.step is self.step:
            self.query_one("#next", Button).focus(scroll_visible=False)

    @on(StepPane.GoTo)
    async def _goto(self, event: StepPane.GoTo) -> None:
        target = next(i for i, (step_id, _title, _spec) in enumerate(STEPS)
                      if step_id == event.step_id)
        self.step.leave()
        await self._show(target)
        if event.focus:  # after the step's own first focus, which runs after a refresh
            self.call_after_refresh(self._focus_field, event.focus)

    def _focus_field(self, selector: str) -> None:
        from textual.widgets import Collapsible

        field = self.step.query_one(selector)
        for section in field.ancestors:
            if isinstance(section, Collapsible):
                section.collapsed = False
        self.call_after_refresh(field.focus)  # focusable once its section is drawn open

    @on(Button.Pressed, "#next")
    async def action_next(self) -> None:
        step = self.step
        if step.errors():
            step.show_errors()
            self._update_next()
            return
        step.leave()
        if self.draft.flagged_step == step.step_id:  # the person has seen and set it
            self.draft.flagged = None
        if not step.submit():
            await self._show(self._next_index(self.index))

    def _next_index(self, index: int) -> int:
        """The step after `index`; from Welcome, a broken profile opens where it is broken."""
        flagged = self.draft.flagged_step
        # A provider the catalog does not know is chosen again first: the later steps need it.
        known = (self.draft.provider_id or "custom") in self.services.catalog
        if index == 0 and flagged and known:
            return next(i for i, (step_id, _title, _spec) in enumerate(STEPS) if step_id == flagged)
        return index + 1

    @on(Button.Pressed, "#back")
    async def action_back(self) -> None:
        if self.index > 0:
            self.step.leave()
            await self._show(self.index - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back" and self.index == 0:
            return None
        return True

    def action_scroll_step(self, where: str) -> None:
        step = self.step
        if where == "page_down":
            step.scroll_page_down()
        elif where == "page_up":
            step.scroll_page_up()
        elif where == "end":
            step.scroll_end(animate=False)
        else:
            step.scroll_home(animate=False)

    def action_help(self) -> None:
        from smtp_setup.app.widgets.modals import HelpScreen

        self.push_screen(HelpScreen(self.step.step_id))

    def action_cancel(self) -> None:
        from smtp_setup.app.widgets.modals import leave_without_saving

        async def leave_if_confirmed(leave: bool | None) -> None:
            if leave:
                await self.action_quit_now()

        self.push_screen(leave_without_saving(self.services.saved_changes), leave_if_confirmed)

    async def action_quit(self) -> None:
        """The command palette's Quit leaves as Ctrl+Q does (message and exit status)."""
        await self.action_quit_now()

    async def action_quit_now(self) -> None:
        await self.services.stop_sandbox()
        done = self.services.saved_changes
        self.farewell = (str(CLOSED_AFTER_CHANGES).format(done=sentences(done)) if done
                         else str(CANCELLED))
        self.exit(130, return_code=130)

    @on(StepPane.Saved)
    async def _saved(self, event: StepPane.Saved) -> None:
        from smtp_setup.core.profiles.next_command import next_command

        await self.services.stop_sandbox()
        from smtp_setup.core.smtp.sandbox import start_command

        saved = (_("✓ Replaced profile '{name}' in {path}") if event.replaced
                 else _("✓ Saved profile '{name}' in {path}"))
        test = next_command("test", event.name)
        sandbox = start_command(self.draft.profile.port)  # the port the test used
        after = (_("  Next: run {sandbox} in another terminal, then {test}")
                 if self.draft.provider_id == "sandbox" else _("  Next: {test}"))
        self.farewell = (
            saved.format(name=event.name, path=event.path) + "\n"
            + after.format(sandbox=sandbox, test=test)
            + "".join(f"\n! {warning}" for warning in event.warnings)
        )
        self.exit(0, return_code=0)
