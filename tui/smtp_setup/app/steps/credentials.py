"""Step 4: the login, and where its secret is kept."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, RadioSet, Static

from smtp_setup.app.draft import STORE_COMMAND, STORE_ENV, STORE_FILE, STORE_KEYRING
from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.widgets.field import Field
from smtp_setup.app.widgets.oauth_panel import OAuthPanel
from smtp_setup.app.widgets.toggles import Checkbox, RadioButton
from smtp_setup.core.oauth.token_store import can_hold_refresh_token
from smtp_setup.core.profiles import validation
from smtp_setup.i18n import N_, _

STORES = (STORE_KEYRING, STORE_ENV, STORE_COMMAND, STORE_FILE)


def _required(value: str) -> str | None:
    return None if value else _("This field is required.")


class CredentialsStep(StepPane):
    step_id = "credentials"
    title = N_("Login")
    why = N_(
        "Most servers want a username and a secret before they accept mail. The secret is "
        "often not your account password: many providers want an app password, an API key "
        "or a dedicated SMTP key. Choose below where smtp-setup keeps it."
    )

    BINDINGS = [
        Binding(key="ctrl+r", action="reveal",
                description=N_("Show/hide password"), id="credentials.reveal"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static("", id="no-login", markup=False)
        yield Checkbox(_("This server needs a login (SMTP AUTH)"), value=True, id="use-auth")
        yield OAuthPanel(id="oauth-panel")
        yield Field(_("Username"), check=_username_check, input_id="username", id="username-field")
        yield Field(_("Password"), input_id="password", password=True, id="password-field",
                    optional=True)
        yield Static(_("Keep the password in"), classes="field-label", id="store-label")
        with RadioSet(id="store"):
            yield RadioButton(_("the system keyring (recommended)"), id=STORE_KEYRING)
            yield RadioButton(_("an environment variable"), id=STORE_ENV)
            yield RadioButton(_("the output of a command (e.g. pass show smtp/work)"),
                              id=STORE_COMMAND)
            yield RadioButton(_("the config file (readable only by you)"), id=STORE_FILE)
        yield Field(_("Environment variable name"), check=validation.env_name, input_id="env-name",
                    placeholder="SMTP_PASSWORD", id="env-field")
        yield Field(_("Command that prints the password"), check=validation.secret_command,
                    input_id="secret-command", placeholder="pass show smtp/work", id="command-field")  # i18n: an example command, typed as is
        yield Static("", id="store-note", markup=False)

    @property
    def provider(self):
        return self.services.catalog.get(self.draft.provider_id or "custom")

    def enter(self) -> None:
        provider, draft = self.provider, self.draft
        profile = draft.profile
        needs_auth = provider.needs_auth
        optional_auth = provider.id == "custom" or provider.host_editable
        no_login = self.query_one("#no-login", Static)
        no_login.display = not needs_auth
        no_login.update(_("{provider} needs no login. Press Next to continue.").format(
            provider=provider.name))
        use_auth = self.query_one("#use-auth", Checkbox)
        use_auth.display = needs_auth and optional_auth
        use_auth.value = draft.use_auth
        user = self.query_one("#username-field", Field)
        user.value = profile.username or ""
        user.input.disabled = provider.username_locked
        user.hint = provider.username_hint or ""
        if provider.username_locked:
            user.hint = _("Set by {provider}: the username is the literal word {value}.").format(
                provider=provider.name, value=provider.username_value)
        password = self.query_one("#password-field", Field)
        password.label = provider.password_label or _("Password")
        password.query_one(".field-label", Static).update(password.label)
        password.value = draft.password
        hint = provider.password_hint or ""
        if draft.kept_secret is not None:
            hint = _("Leave empty to keep the saved password. {hint}").format(hint=hint)
        password.hint = hint
        self.query_one(OAuthPanel).load(provider, profile, draft.kept_secret,
                                        self.services.extras.get("oauth_overrides"))
        ok, why_not = self.services.keyring
        keyring_button = self.query_one(f"#{STORE_KEYRING}", RadioButton)
        keyring_button.disabled = not ok
        if not ok:
            keyring_button.label = _("the system keyring (not available here; F1 explains)")
            if draft.secret_store == STORE_KEYRING:
                draft.secret_store = STORE_ENV if draft.editing else STORE_FILE
        self.query_one(f"#{draft.secret_store}", RadioButton).value = True
        target = draft.secret_target
        self.query_one("#env-field", Field).value = target if draft.secret_store == STORE_ENV else ""
        self.query_one("#command-field", Field).value = (
            target if draft.secret_store == STORE_COMMAND else ""
        )
        self._refresh()

    @property
    def store(self) -> str:
        pressed = self.query_one("#store", RadioSet).pressed_button
        store = pressed.id if pressed and pressed.id in STORES else STORE_FILE
        if self.oauth_on and not can_hold_refresh_token(store):
            # Only a place smtp-setup writes to can follow a refresh token the server replaces.
            return STORE_KEYRING if self.services.keyring[0] else STORE_FILE
        return store

    @property
    def auth_on(self) -> bool:
        return self.provider.needs_auth and self.query_one("#use-auth", Checkbox).value

    @property
    def oauth_on(self) -> bool:
        return self.auth_on and self.query_one(OAuthPanel).uses_oauth

    def _refresh(self) -> None:
        self.refresh_bindings()  # Ctrl+R (show/hide password) only while a password shows
        auth, store = self.auth_on, self.store
        for selector in ("#username-field", "#password-field", "#store-label", "#store"):
            self.query_one(selector).display = auth
        self.query_one(OAuthPanel).display = auth and bool(self.provider.oauth)
        if self.oauth_on:
            self.query_one("#password-field").display = False
        self.query_one("#store-label", Static).update(
            _("Keep the sign-in (refresh token) in") if self.oauth_on
            else _("Keep the password in"))
        self.query_one("#env-field").display = auth and store == STORE_ENV
        self.query_one("#command-field").display = auth and store == STORE_COMMAND
        oauth = self.oauth_on
        pressed = self.query_one("#store", RadioSet).pressed_button
        if oauth and pressed is not None and pressed.id != store:
            # An OAuth sign-in moves off a variable or a command. (Before the RadioSet has
            # seen a new choice, pressed_button is stale: this runs again once it has.)
            self.query_one(f"#{store}", RadioButton).value = True
        for unwritable in (STORE_ENV, STORE_COMMAND):
            button = self.query_one(f"#{unwritable}", RadioButton)
            button.display, button.disabled = not oauth, oauth
        note = self.query_one("#store-note", Static)
        note.display = auth
        note.set_class(store == STORE_FILE, "-warning")
        if oauth:
            note.update(self._oauth_note(store))
            self.fields_changed()
            return
        text = {
            STORE_KEYRING: N_("The password goes to your system keyring when you save; the "
                              "config file only names the keyring entry."),
            STORE_ENV: N_("The config file names the variable; the password is read from it "
                          "each time you send. Type it above only to test now (it is not saved)."),
            STORE_COMMAND: N_("The command runs each time you send and its output is the "
                              "password. Type it above only to test now (it is not saved)."),
            STORE_FILE: N_("! The password is written into the config file as plain text. The "
                           "file is readable only by you (mode 0600), but backups and copies "
                           "carry it."),
        }[store]
        note.update(str(text))
        self.fields_changed()

    def _oauth_note(self, store: str) -> str:
        where = (_("The sign-in goes to your system keyring when you save; the config file "
                   "only names the keyring entry.") if store == STORE_KEYRING else
                 _("! The sign-in is written into the config file as plain text. The file is "
                   "readable only by you (mode 0600), but backups and copies carry it."))
        kept = self.draft.kept_secret
        if kept is not None and not can_hold_refresh_token(kept.kind):
            where = _("{where} It was read from the {place}, which smtp-setup cannot "
                      "update: saving moves it here.").format(where=where, place=kept.describe())
        return _("Only places smtp-setup can write to are offered: the server may replace the "
                 "sign-in (refresh token) each time it is used.\n{where}").format(where=where)

    def focus_first(self) -> bool:
        """The first text the person must type (the username, else the password), not the
        "How do you log in?" choice above it: a password manager's auto-type (username,
        Tab, password) must fill the two fields in order."""
        if self.auth_on:
            for selector in ("#username", "#password"):
                field = self.query_one(selector, Input)
                if not field.disabled and (selector == "#username" or not self.oauth_on):
                    field.focus(scroll_visible=False)
                    return True
        return super().focus_first()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":  # only where a password field is shown
            return bool(self.query_one("#password-field").display)
        return True

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    @on(OAuthPanel.Changed)
    def _changed(self) -> None:
        self._refresh()

    @on(OAuthPanel.SignedIn)
    def _signed_in(self, event: OAuthPanel.SignedIn) -> None:
        self.draft.refresh_token, self.draft.signed_in = event.refresh_token, True

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if not self.errors():
            self.request_advance()

    def action_reveal(self) -> None:
        field = self.query_one("#password-field", Field)
        field.input.password = not field.input.password

    def errors(self) -> list[str]:
        if not self.auth_on:
            return []
        problems = []
        user = self.query_one("#username-field", Field)
        if not user.value:
            problems.append(_("Enter the username."))
        elif user.error:
            problems.append(user.error)
        store = self.store
        typed = self.query_one("#password-field", Field).value
        kept = self.draft.kept_secret
        if self.oauth_on:
            problems += self.query_one(OAuthPanel).errors()
        elif store in (STORE_KEYRING, STORE_FILE) and not typed:
            same_store = kept is not None and kept.kind == store
            if not same_store:
                problems.append(_("Enter the {secret}.").format(secret=_mid_sentence(self.provider)))
        if store == STORE_ENV:
            error = self.query_one("#env-field", Field).error
            if error:
                problems.append(error)
        if store == STORE_COMMAND:
            error = self.query_one("#command-field", Field).error
            if error:
                problems.append(error)
        return problems

    def leave(self) -> None:
        draft = self.draft
        draft.use_auth = self.auth_on
        if draft.use_auth:
            draft.profile.username = self.query_one("#username-field", Field).value
        draft.password = self.query_one("#password-field", Field).value
        panel = self.query_one(OAuthPanel)
        oauth = self.oauth_on
        draft.profile.auth = "oauth2" if oauth else "password"
        draft.profile.oauth = panel.oauth_config() if oauth else None
        if oauth:  # the secret kept for an OAuth profile is its refresh token
            draft.password = draft.refresh_token
        draft.secret_store = self.store
        if draft.secret_store == STORE_ENV:
            draft.secret_target = self.query_one("#env-field", Field).value
        elif draft.secret_store == STORE_COMMAND:
            draft.secret_target = self.query_one("#command-field", Field).value


def _username_check(value: str) -> str | None:
    return _required(value) or validation.username(value)


def _mid_sentence(provider) -> str:
    """The secret's label inside a sentence: "app password", but "API key", "SMTP key" and
    "Bridge password" (a word of the provider's name is a name) keep their capitals."""
    label = provider.password_label or _("password")
    first = label.split()[0]
    if first[1:2].islower() and first not in provider.name.split():
        return label[0].lower() + label[1:]
    return label
