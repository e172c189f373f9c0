"""Step 7: name the profile, see exactly what will be written, save."""

from __future__ import annotations

import asyncio

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Static

from smtp_setup.app.draft import STORE_KEYRING
from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.widgets.field import Field
from smtp_setup.app.widgets.toggles import Checkbox
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import N_, _, pgettext


class SummaryRows:
    """The summary's grid, and the same rows as plain text for whatever reads the screen."""

    def __init__(self, grid: Table, text: str) -> None:
        self.grid, self.text = grid, text

    def __rich__(self) -> Table:
        return self.grid

    def __str__(self) -> str:
        return self.text


class ReviewStep(StepPane):
    step_id = "review"
    title = N_("Review and save")
    why = N_(
        "This is exactly what will be written for this profile in your config file. Secrets "
        "appear only as "
        "where they are kept. Nothing is saved until you press Save."
    )
    next_label = N_("Save")

    def compose_body(self) -> ComposeResult:
        yield Field(_("Profile name"), check=validation.profile_name, input_id="profile-name",
                    placeholder="work", id="name-field")
        yield Checkbox(_("Make this the default profile"), id="make-default")
        yield Static("", id="changes", markup=False)
        yield Static("", id="summary", markup=False)
        yield Static("", id="toml-preview", markup=False)
        yield Static("", id="save-path", classes="dim", markup=False)
        yield Static("", id="save-error", classes="-error", markup=False)

    def enter(self) -> None:
        draft, services = self.draft, self.services
        name_field = self.query_one("#name-field", Field)
        if not name_field.value:
            name_field.value = draft.name_to_suggest(services.profile_names)
        config = services.config
        default = self.query_one("#make-default", Checkbox)
        is_default = bool(config and config.default_profile == draft.editing and draft.editing)
        default.value = is_default or not services.profile_names
        self.query_one("#save-error").display = False
        self._refresh()

    @property
    def profile_name(self) -> str:
        return self.query_one("#name-field", Field).value.strip()

    def _refresh(self) -> None:
        draft, services = self.draft, self.services
        field = self.query_one("#name-field", Field)
        field.refresh_message(show_errors=True)
        name = self.profile_name
        message = field.query_one(".field-message", Static)
        if not field.error and name in services.profile_names and name != draft.editing:
            message.update(_("! A profile named {name} exists; Save asks before replacing it.").format(
                name=name))
        elif not field.error and draft.editing and name != draft.editing:
            message.update(_("Saving under a new name makes a copy; {name} stays as it is.").format(
                name=draft.editing))
        draft.profile.name = name
        profile = draft.to_profile()
        profile.name = name or "unnamed"
        self.query_one("#summary", Static).update(self._summary(profile))
        self._show_changes(profile)
        shown = profile.copy()
        if shown.password is not None and shown.password.kind == "inline":
            shown.password = SecretRef("inline", "********")  # the file gets the real one
        self.query_one("#toml-preview", Static).update(services.store.render_profile(shown))
        self.query_one("#save-path", Static).update(
            _("File: {path}").format(path=services.store.path))
        self.validity_changed()

    def _show_changes(self, profile) -> None:
        """When reconfiguring: what differs from the saved profile, old -> new."""
        from smtp_setup.core.profiles.diff import broken_profile_changes, profile_changes

        box = self.query_one("#changes", Static)
        config, editing = self.services.config, self.draft.editing
        box.display = bool(editing and config and (
            editing in config.profiles or editing in config.broken))
        if not box.display:
            return
        typed = bool(self.draft.password)
        if editing in config.profiles:
            changes = profile_changes(config.profiles[editing], profile.copy(name=editing),
                                      new_secret_typed=typed)
        else:  # a broken profile being fixed: its bad value as written -> the new one
            changes = broken_profile_changes(config.broken[editing], profile.copy(name=editing),
                                             new_secret_typed=typed)
        text = Text()
        text.append(_("Changes to {name}:").format(name=editing) + "\n", style="bold")
        if not changes:
            text.append("  " + _("none: saving writes the same settings again") + "\n", style="dim")
        for change in changes:
            text.append(f"  {change.label}: ", style="bold")
            text.append(change.old, style="dim")
            text.append(" → ")
            text.append(f"{change.new}\n")
        box.update(text)

    def _summary(self, profile) -> SummaryRows:
        provider = self.services.catalog.get(profile.provider)
        draft = self.draft
        rows = [
            (_("Provider"), provider.name),
            (_("Server"), f"{profile.server} · {profile.security.label}"),
            (_("Login"), profile.username or _("none")),
            (_("Password"), profile.password.describe() if profile.password else _("none")),
            # TRANSLATORS: the row of the From address in the Save step's summary
            (pgettext("summary row", "From"), f"{profile.from_name} <{profile.from_email}>"
             if profile.from_name else profile.from_email),
        ]
        test = pgettext("summary row", "Test")
        if draft.test_ok:
            rows.append((test, _("✓ accepted by the server")))
        elif draft.test_ok is False:
            rows.append((test, _("✗ the last test failed; you can save anyway, and after saving "
                                 "{command} tries again").format(
                command=next_command("test", profile.name))))
        else:
            rows.append((test, _("! not tested; run {command} after saving").format(
                command=next_command("test", profile.name))))
        # labels right-aligned in a column of at least 9 cells (a Japanese character takes
        # 2); a long value wraps under itself, not under its label
        grid = Table.grid(padding=(0, 2, 0, 0))
        grid.add_column(justify="right", no_wrap=True,
                        min_width=max(9, *(cell_len(label) for label, _value in rows)))
        grid.add_column(ratio=1)
        for label, value in rows:
            grid.add_row(Text(label, style="bold"), Text(value))
        return SummaryRows(grid, "".join(f"{label}  {value}\n" for label, value in rows))

    @on(Input.Changed, "#profile-name")
    def _name_changed(self) -> None:
        self._refresh()

    @on(Input.Submitted, "#profile-name")
    def _submitted(self) -> None:
        if not self.errors():
            self.request_advance()

    def errors(self) -> list[str]:
        problems = []
        error = self.query_one("#name-field", Field).error
        if error:
            problems.append(error)
        if self.services.config_error:
            problems.append(_("The config file has an error; fix it before saving."))
        return problems

    def leave(self) -> None:
        self.draft.profile.name = self.profile_name

    def submit(self) -> bool:
        self.save()
        return True

    @work(exclusive=True, group="save", exit_on_error=False)
    async def save(self) -> None:
        """Ask before replacing another profile, then store the secret where chosen and
        write the profile (core keeps the replaced one whole until the file is written)."""
        from smtp_setup.core.profiles.config_store import ConfigError
        from smtp_setup.core.profiles.secrets import SecretError, resolve_secret_async
        from smtp_setup.core.profiles.upkeep import save_with_secret

        draft, services = self.draft, self.services
        name = self.profile_name
        draft.profile.name = name
        try:
            await self._move_kept_sign_in()
        except SecretError as exc:
            self._show_error(_("✗ Not saved: the sign-in could not be moved ({error}). Sign in "
                               "again on the Login step instead.").format(error=exc))
            return
        profile = draft.to_profile()
        replaced = name in services.profile_names
        if replaced and name != draft.editing and not await self._replace_confirmed(name):
            return  # No: the saved profile stays as it is, and so does this step
        try:
            secret = None
            if profile.password is not None and draft.secret_store == STORE_KEYRING:
                if draft.password:
                    secret = draft.password
                elif draft.kept_secret and draft.kept_secret != profile.password:
                    # Saving a copy under a new name: copy the keyring entry too.
                    secret = await resolve_secret_async(draft.kept_secret, draft.editing or name)
            make_default = self.query_one("#make-default", Checkbox).value
            result = await asyncio.to_thread(
                save_with_secret, services.store, profile, secret, make_default=make_default
            )
        except (SecretError, ConfigError, OSError) as exc:
            self._show_error(_("✗ Not saved: {error}").format(error=exc))
            return
        self.post_message(self.Saved(name, str(result.path), replaced, result.warnings))

    async def _replace_confirmed(self, name: str) -> bool:
        """Ask, naming what would be lost: the server, the port and where the password is."""
        from smtp_setup.app.widgets.modals import Confirm

        config = self.services.config
        old = config.saved(name) if config else None
        login = (_("its password is kept in {place}").format(place=old.password.describe())
                 if old and old.password else _("it does not log in"))
        if config and name in config.broken:  # its server settings may be the bad ones
            what = _("It is broken ({reason}), and {login}.").format(
                reason=config.broken[name].reason, login=login)
        elif old is not None:
            what = _("It sends through {host}, port {port} ({security}), and {login}.").format(
                host=old.host, port=old.port, security=old.security.label, login=login)
        else:
            what = _("Its settings are replaced.")
        return bool(await self.app.push_screen_wait(Confirm(
            _("Replace the saved profile {name}?").format(name=name),
            _("{what} Saving replaces all of it with these settings. Choose Keep it to leave "
              "it as it is and pick another name.").format(what=what),
            _("Replace"), variant="warning", no=_("Keep it"))))

    async def _move_kept_sign_in(self) -> None:
        """An OAuth profile kept where the wizard cannot write (a variable, a command) and
        not signed in again: its refresh token is read now and saved in the chosen place.
        Leaving the old reference would lose the sign-in at the first renewal by a server
        that replaces the token, since nothing could write the new one there."""
        from smtp_setup.core.profiles.secrets import resolve_secret_async

        draft, kept = self.draft, self.draft.kept_secret
        if (draft.profile.uses_oauth and draft.use_auth and not draft.password
                and kept is not None and kept.kind != draft.secret_store):
            draft.password = await resolve_secret_async(kept, draft.editing or "")

    def _show_error(self, text: str) -> None:
        error = self.query_one("#save-error", Static)
        error.display = True
        error.update(text)
