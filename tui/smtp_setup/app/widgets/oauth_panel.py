"""The Login step's choice between a password and "Sign in with Microsoft / Google", and
the sign-in itself (your own app registration: client ID, tenant, client secret)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, RadioSet, Static

from smtp_setup.app.widgets.field import Field
from smtp_setup.app.widgets.toggles import RadioButton
from smtp_setup.i18n import _, pgettext

PASSWORD, OAUTH = "method-password", "method-oauth"


def guide_hint() -> str:
    """Where to read how to register an app: the README in the person's language, by the
    heading it has there (tests/test_oauth_guide.py checks that the heading exists)."""
    return _("Register your own app once; {readme}, section '{section}' shows how.").format(
        readme=pgettext("the README file in this language", "README.md"),
        section=pgettext("a heading of the README", "OAuth: your own client ID"))


def _required(value: str) -> str | None:
    return None if value.strip() else _("This field is required.")


class OAuthPanel(Vertical):
    """Shown only for providers that accept OAuth for SMTP. `tokens` holds a fresh sign-in."""

    class Changed(Message):
        """The method, a field or the sign-in state changed."""

    class SignedIn(Message):
        """A sign-in just finished; `refresh_token` is what it is kept by."""

        def __init__(self, refresh_token: str) -> None:
            super().__init__()
            self.refresh_token = refresh_token

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.provider = None
        self.tokens = None
        self.signed_in_before = False
        self.overrides: dict[str, str] = {}  # endpoint URLs: a profile's own, or tests' loopback

    def compose(self) -> ComposeResult:
        yield Static(_("How do you log in?"), classes="field-label")
        with RadioSet(id="method"):
            yield RadioButton(_("with a password (app password)"), id=PASSWORD)
            yield RadioButton(_("sign in with my account (OAuth)"), id=OAUTH)
        yield Static("", id="method-why", classes="dim", markup=False)
        with Vertical(id="oauth-fields"):
            yield Field(_("Client ID of your app registration"), check=_required,
                        input_id="client-id", id="client-id-field",
                        hint=guide_hint())
            yield Field(_("Tenant (Microsoft)"), input_id="tenant", id="tenant-field",
                        optional=True)
            yield Field(_("Client secret (Google installed app)"), check=_required,
                        input_id="client-secret", id="client-secret-field")
            with Horizontal():
                yield Button(_("Sign in with a code"), id="sign-in-device", variant="primary")
                yield Button(_("Sign in with the browser"), id="sign-in-browser")
            yield Static("", id="oauth-status", markup=False)

    # -- set up from the provider and the draft -------------------------------------------

    def load(self, provider, profile, kept_secret, overrides: dict | None = None) -> None:
        self.provider = provider
        current = profile.oauth
        self.overrides = dict(overrides or {}) or (
            {key: getattr(current, key) for key in ("authorize_url", "token_url", "device_url")
             if getattr(current, key)} if current else {})
        self.display = bool(provider.oauth)
        if not provider.oauth:
            return
        oauth = provider.oauth
        name = "Microsoft" if oauth["flow_provider"] == "microsoft" else "Google"
        self.query_one(f"#{OAUTH}", RadioButton).label = _("sign in with {name} (OAuth)").format(
            name=name)
        only_oauth = provider.password_kind == "oauth2_only"
        self.query_one(f"#{PASSWORD}", RadioButton).disabled = only_oauth
        use_oauth = profile.uses_oauth or only_oauth
        self.query_one(f"#{OAUTH if use_oauth else PASSWORD}", RadioButton).value = True
        self.query_one("#method-why", Static).update(
            _("{provider} accepts only OAuth sign-in for SMTP.").format(provider=provider.name)
            if only_oauth else
            _("Use a password (an app password where the provider offers one) unless your "
              "administrator forbids it; OAuth needs an app registration of your own."))
        self.query_one("#client-id-field", Field).value = current.client_id if current else ""
        tenant = current.tenant if current and current.tenant else oauth["default_tenant"]
        self.query_one("#tenant-field", Field).value = tenant
        secret = current.client_secret if current else None
        self.query_one("#client-secret-field", Field).value = (
            secret.value if secret is not None and secret.kind == "inline" else "")
        microsoft = oauth["flow_provider"] == "microsoft"
        self.query_one("#tenant-field").display = microsoft
        self.query_one("#client-secret-field").display = not microsoft
        self.query_one("#sign-in-device").display = bool(oauth["device_flow"])
        self.signed_in_before = bool(profile.uses_oauth and kept_secret is not None)
        self._status()

    @property
    def uses_oauth(self) -> bool:
        if not self.display:
            return False
        pressed = self.query_one("#method", RadioSet).pressed_button
        return pressed is not None and pressed.id == OAUTH

    def oauth_config(self):
        from smtp_setup.core.profiles.model import SecretRef
        from smtp_setup.core.profiles.oauth_config import OAuthConfig

        microsoft = self.provider.oauth["flow_provider"] == "microsoft"
        secret = self.query_one("#client-secret-field", Field).value.strip()
        return OAuthConfig(
            flow_provider=self.provider.oauth["flow_provider"],
            client_id=self.query_one("#client-id-field", Field).value.strip(),
            tenant=self.query_one("#tenant-field", Field).value.strip() if microsoft else "",
            client_secret=SecretRef("inline", secret) if secret and not microsoft else None,
            **self.overrides,
        )

    def errors(self) -> list[str]:
        if not self.uses_oauth:
            return []
        problems = [f.error for f in self.query(Field) if f.display and f.error]
        if not problems and self.tokens is None and not self.signed_in_before:
            problems.append(_("Sign in to finish this step."))
        return problems

    def _status(self, text: str = "") -> None:
        status = self.query_one("#oauth-status", Static)
        if not text:
            text = ("✓ " + _("Signed in. The refresh token is kept where you choose below.")
                    if self.tokens is not None else
                    "✓ " + _("Signed in earlier; sign in again only to replace that sign-in.")
                    if self.signed_in_before else
                    _("Not signed in yet."))
        status.update(text)
        self.query_one("#oauth-fields").display = self.uses_oauth

    @on(RadioSet.Changed, "#method")
    @on(Input.Changed)
    def _changed(self) -> None:
        for field in self.query(Field):
            field.refresh_message(show_errors=False)
        self._status()
        self.post_message(self.Changed())

    # -- signing in ---------------------------------------------------------------------

    @on(Button.Pressed, "#sign-in-device")
    def _device(self) -> None:
        self.sign_in("device")

    @on(Button.Pressed, "#sign-in-browser")
    def _browser(self) -> None:
        self.sign_in("browser")

    @work(exclusive=True, group="oauth-sign-in", exit_on_error=False)
    async def sign_in(self, how: str, login_hint: str = "") -> None:
        from smtp_setup.app.widgets.browser_signin import BrowserSignIn
        from smtp_setup.app.widgets.oauth_signin import SWITCH_TO_BROWSER, DeviceSignIn
        from smtp_setup.core.oauth.flows import OAuthError, endpoints_for

        problems = [f.error for f in self.query(Field) if f.display and f.error]
        if problems:
            self._status(f"✗ {problems[0]}")
            return
        oauth = self.oauth_config()
        try:
            endpoints = endpoints_for(oauth, self.provider.id)
        except OAuthError as exc:
            self._status(f"✗ {exc}")
            return
        screen = DeviceSignIn if how == "device" else BrowserSignIn
        result = await self.app.push_screen_wait(screen(oauth, endpoints, login_hint))
        if result == SWITCH_TO_BROWSER:
            result = await self.app.push_screen_wait(BrowserSignIn(oauth, endpoints, login_hint))
        if result is None or isinstance(result, str):
            self._status("! " + _("Sign-in cancelled; nothing changed."))
            return
        self.tokens = result
        self._status()
        self.post_message(self.SignedIn(result.refresh_token or ""))
        self.post_message(self.Changed())
