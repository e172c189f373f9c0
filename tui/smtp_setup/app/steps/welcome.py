"""Step 1: start a new profile or pick a saved one to reconfigure."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smtp_setup.app.draft import draft_for_new, draft_for_profile
from smtp_setup.app.steps.base import StepPane

NEW = "new"


class WelcomeStep(StepPane):
    step_id = "welcome"
    title = "Welcome to smtp-setup"
    why = (
        "This assistant sets up sending email from this machine: choose your provider, pick a "
        "port and encryption, enter credentials, send a live test, then save a named profile. "
        "Nothing is written until the last step."
    )

    def compose_body(self) -> ComposeResult:
        yield Static("", id="config-problem", markup=False)
        yield OptionList(id="start-choice")
        yield Static("", id="config-path", classes="dim", markup=False)

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        services = self.services
        options = [Option(Text("+ Set up a new profile", style="bold"), id=NEW)]
        config = services.config
        if config:
            for name in sorted(config.profiles):
                profile = config.profiles[name]
                mark = "  (default)" if name == config.default_profile else ""
                label = Text.assemble(
                    ("✎ Edit ", "bold"),
                    (name, "bold"),
                    f"  {self._provider_name(profile.provider)} · {profile.server}{mark}",
                )
                options.append(Option(label, id=f"edit:{name}"))
        choice = self.query_one("#start-choice", OptionList)
        choice.set_options(options)
        choice.highlighted = 0
        problem = self.query_one("#config-problem", Static)
        if services.config_error:
            problem.update(
                f"! Your config file could not be read: {services.config_error}\n"
                "You can still walk through the setup, but saving needs that file fixed first "
                "(it will not be overwritten)."
            )
            problem.add_class("-warning")
        else:
            problem.display = False
        where = "Profiles are saved to " + str(services.store.path)
        if not config or not config.profiles:
            where = "No saved profiles yet. " + where
        self.query_one("#config-path", Static).update(where)

    def _provider_name(self, provider_id: str) -> str:
        try:
            return self.services.catalog.get(provider_id).name
        except KeyError:
            return provider_id

    @on(OptionList.OptionSelected, "#start-choice")
    def _chosen(self) -> None:
        self.post_message(self.Advance())

    def enter(self) -> None:
        choice = self.query_one("#start-choice", OptionList)
        if self.draft.editing:
            for index, option in enumerate(choice.options):
                if option.id == f"edit:{self.draft.editing}":
                    choice.highlighted = index

    def leave(self) -> None:
        choice = self.query_one("#start-choice", OptionList)
        option = choice.highlighted_option
        chosen = option.id if option else NEW
        if chosen == NEW:
            if self.draft.editing is not None or not self.draft.provider_id:
                self.draft.reset_to(draft_for_new())
        else:
            name = chosen.removeprefix("edit:")
            if self.draft.editing != name and self.services.config:
                self.draft.reset_to(draft_for_profile(self.services.config.profiles[name]))
