"""Step 1: start a new profile, or manage the saved ones (edit, default, rename, delete,
export, import)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from smtp_setup.app.draft import (
    Draft,
    draft_for_broken,
    draft_for_import,
    draft_for_new,
    draft_for_profile,
)
from smtp_setup.app.steps.base import StepPane
from smtp_setup.core.profiles import validation
from smtp_setup.i18n import N_, _

NEW = "new"
PROFILE_ACTIONS = ("make-default", "rename", "delete", "export", "check-domain")
BROKEN_ACTIONS = ("delete",)  # a broken profile can be fixed (Edit) or deleted, nothing else


class WelcomeStep(StepPane):
    step_id = "welcome"
    title = N_("Welcome to smtp-setup")
    why = N_(
        "This assistant sets up sending email from this machine: choose your provider, pick a "
        "port and encryption, enter credentials, send a live test, then save a named profile. "
        "Nothing is written until the last step (the buttons under the list act at once)."
    )

    def compose_body(self) -> ComposeResult:
        yield Static("", id="config-problem", markup=False)
        yield OptionList(id="start-choice")
        with Horizontal(id="profile-actions"):
            # TRANSLATORS: these six buttons share one row of 76 cells at 80 columns
            yield Button(_("Make default"), id="make-default", compact=True)
            yield Button(_("Rename…"), id="rename", compact=True)
            yield Button(_("Delete…"), id="delete", compact=True)
            yield Button(_("Export…"), id="export", compact=True)
            yield Button(_("Check domain…"), id="check-domain", compact=True)
            yield Button(_("Import…"), id="import", compact=True)
        yield Static("", id="config-path", classes="dim", markup=False)

    def on_mount(self) -> None:
        self._pending: Draft | None = None
        self._fill()

    def _fill(self, highlight: str | None = None) -> None:
        services = self.services
        options = [Option(Text(_("+ Set up a new profile"), style="bold"), id=NEW)]
        config = services.config
        if config:
            for name in sorted(config.names):
                mark = _("  ★ default") if name == config.default_profile else ""
                if name in config.broken:
                    # TRANSLATORS: a broken profile in the start list; {name} is shown bold
                    options.append(Option(_bold_name(
                        _("✗ Fix {name}  broken: {reason}{mark}").format(
                            name="\0", reason=config.broken[name].reason, mark=mark), name),
                        id=f"edit:{name}"))
                    continue
                profile = config.profiles[name]
                label = _bold_name(_("✎ Edit {name}  {provider} · {server}{mark}").format(
                    name="\0", provider=self._provider_name(profile.provider),
                    server=profile.server, mark=mark), name)
                options.append(Option(label, id=f"edit:{name}"))
        choice = self.query_one("#start-choice", OptionList)
        choice.set_options(options)
        choice.highlighted = next(
            (i for i, o in enumerate(options) if o.id == f"edit:{highlight}"), 0)
        problem = self.query_one("#config-problem", Static)
        problem.display = bool(services.config_error)
        if services.config_error:
            problem.update(_(
                "! Your config file could not be read: {error}\n"
                "You can still walk through the setup, but saving needs that file fixed first "
                "(it will not be overwritten)."
            ).format(error=services.config_error))
            problem.add_class("-warning")
        if not config or not config.names:
            where = _("No saved profiles yet. Profiles are saved to {path}")
        else:
            where = _("Profiles are saved to {path}")
        where = where.format(path=services.store.path)
        self.query_one("#config-path", Static).update(where)
        self._update_actions()

    def _provider_name(self, provider_id: str) -> str:
        try:
            return self.services.catalog.get(provider_id).name
        except KeyError:
            return provider_id

    @property
    def highlighted_profile(self) -> str | None:
        option = self.query_one("#start-choice", OptionList).highlighted_option
        return option.id.removeprefix("edit:") if option and option.id != NEW else None

    def _update_actions(self) -> None:
        chosen = self.highlighted_profile
        broken = chosen is not None and chosen in self.services.config.broken
        for button_id in PROFILE_ACTIONS:
            self.query_one(f"#{button_id}", Button).disabled = chosen is None or (
                broken and button_id not in BROKEN_ACTIONS)
        if chosen and not broken:
            self.query_one("#make-default", Button).disabled = (
                chosen == self.services.config.default_profile)
        self.query_one("#profile-actions").display = bool(self.services.config)

    @on(OptionList.OptionHighlighted, "#start-choice")
    def _highlighted(self) -> None:
        self._update_actions()

    @on(OptionList.OptionSelected, "#start-choice")
    def _chosen(self) -> None:
        name, config = self.highlighted_profile, self.services.config
        if name and config and config.saved(name) is None:
            self.notify(_("Profile {name} cannot be opened here ({reason}); "
                          "fix it in a text editor: {path}").format(
                            name=name, reason=config.broken[name].reason, path=config.path),
                        severity="error", markup=False)
            return
        self.request_advance()

    def enter(self) -> None:
        if self.draft.editing:
            self._fill(highlight=self.draft.editing)

    def leave(self) -> None:
        if self._pending is not None:
            self.draft.reset_to(self._pending)
            self._pending = None
            return
        name = self.highlighted_profile
        if name is None:
            if self.draft.editing is not None or not self.draft.provider_id:
                self.draft.reset_to(draft_for_new())
        elif self.draft.editing != name and self.services.config:
            config = self.services.config
            self.draft.reset_to(draft_for_broken(config.broken[name]) if name in config.broken
                                else draft_for_profile(config.profiles[name]))

    # -- profile upkeep ------------------------------------------------------------------

    def _done(self, message: str, warnings: list[str], highlight: str | None = None) -> None:
        self.services.saved_changes.append(message)  # written: leaving must not deny it
        self.services.reload()
        self._fill(highlight)
        self.notify("\n".join([message, *warnings]), markup=False,
                    severity="warning" if warnings else "information")

    def _failed(self, exc: Exception) -> None:
        self.services.reload()  # e.g. the file changed on disk: show what is there now
        self._fill()
        self.notify(str(exc), title=_("Nothing was changed"), severity="error", markup=False)

    @on(Button.Pressed, "#make-default")
    @work(exclusive=True, group="upkeep", exit_on_error=False)
    async def _make_default(self) -> None:
        from smtp_setup.core.profiles.upkeep import set_default

        name = self.highlighted_profile
        try:
            result = await asyncio.to_thread(set_default, self.services.store, name,
                                             expected=self.services.config)
        except Exception as exc:  # ConfigError and friends carry a sentence
            self._failed(exc)
            return
        self._done(_("{name} is now the default profile.").format(name=name), result.warnings, name)

    @on(Button.Pressed, "#delete")
    @work(exclusive=True, group="upkeep", exit_on_error=False)
    async def _delete(self) -> None:
        from smtp_setup.app.widgets.modals import Confirm
        from smtp_setup.core.profiles.upkeep import delete_profile

        name = self.highlighted_profile
        sure = await self.app.push_screen_wait(Confirm(
            _("Delete profile {name}?").format(name=name),
            _("Its settings leave the config file, and a password smtp-setup keeps for it in "
              "the system keyring is removed too. This cannot be undone."),
            _("Delete")))
        if not sure:
            return
        try:
            result = await asyncio.to_thread(delete_profile, self.services.store, name,
                                             expected=self.services.config)
        except Exception as exc:
            self._failed(exc)
            return
        self._done(_("Deleted profile {name}.").format(name=name), result.warnings)

    @on(Button.Pressed, "#rename")
    @work(exclusive=True, group="upkeep", exit_on_error=False)
    async def _rename(self) -> None:
        from smtp_setup.app.widgets.modals import AskText
        from smtp_setup.core.profiles.upkeep import rename_profile

        old = self.highlighted_profile
        taken = set(self.services.profile_names) - {old}

        def check(value: str) -> str | None:
            if value in taken:
                return _("A profile named {name} exists already; choose another name.").format(name=value)
            return validation.profile_name(value)

        new = await self.app.push_screen_wait(
            AskText(_("New name for profile {name}:").format(name=old), old, check, ok=_("Rename")))
        if not new or new == old:
            return
        try:
            result = await asyncio.to_thread(rename_profile, self.services.store, old, new,
                                             expected=self.services.config)
        except Exception as exc:
            self._failed(exc)
            return
        self._done(_("Renamed {old} to {new}.").format(old=old, new=new), result.warnings, new)

    @on(Button.Pressed, "#export")
    @work(exclusive=True, group="upkeep", exit_on_error=False)
    async def _export(self) -> None:
        from smtp_setup.app.widgets.export_dialog import ExportDialog

        name = self.highlighted_profile
        config = self.services.config
        path = await self.app.push_screen_wait(
            ExportDialog(config.profiles[name], config.default_profile))
        if path:
            self.notify(_("Exported {name} to {path} (readable only by you).").format(
                name=name, path=path), markup=False)

    @on(Button.Pressed, "#check-domain")
    def _check_domain(self) -> None:
        from smtp_setup.app.widgets.domain_table import DomainCheckDialog

        profile = self.services.config.profiles[self.highlighted_profile]
        domain = profile.from_email.rpartition("@")[2]
        self.app.push_screen(DomainCheckDialog(domain, profile.provider,
                                               self.services.nameserver))

    @on(Button.Pressed, "#import")
    @work(exclusive=True, group="upkeep", exit_on_error=False)
    async def _import(self) -> None:
        from smtp_setup.app.widgets.modals import AskText, ChooseOne
        from smtp_setup.core.profiles.portable import ImportProblem, read_export_file

        path = await self.app.push_screen_wait(AskText(
            _("Import a profile from an export file (made by smtp-setup export):"), "",
            _existing_file, ok=_("Open")))
        if not path:
            return
        try:
            exported = await asyncio.to_thread(read_export_file, Path(path).expanduser())
        except ImportProblem as exc:
            self.notify(str(exc), title=_("Import"), severity="error", markup=False)
            return
        incoming = exported.profiles
        chosen = incoming[0] if len(incoming) == 1 else None
        if chosen is None:
            key = await self.app.push_screen_wait(ChooseOne(
                _("Which profile do you want to import?"),
                [(p.profile.name, f"{p.profile.name}  {p.profile.server}") for p in incoming]))
            chosen = next((p for p in incoming if p.profile.name == key), None)
        if chosen is None:
            return
        if exported.sealed is not None:
            self.notify(_("This file carries sealed passwords; the wizard asks for the password "
                          "instead. To unseal it, run: smtp-setup import FILE"), markup=False)
        self._pending = draft_for_import(chosen.profile)
        self.request_advance()


def _bold_name(line: str, name: str) -> Text:
    """`line` with its first `\\0` (where the name went) replaced by `name` in bold, and the
    words before the name bold too, as the English "✎ Edit work" shows them."""
    before, _sep, after = line.partition("\0")
    return Text.assemble((before, "bold"), (name, "bold"), after)


def _existing_file(value: str) -> str | None:
    if not value:
        return _("Enter the path of the file.")
    if not Path(value).expanduser().is_file():
        return _("There is no file at {path}; check the path.").format(path=value)
    return None
