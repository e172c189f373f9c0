"""The browser sign-in dialog: the sign-in page comes back to a listener on this computer
(authorization code with PKCE). It dismisses with a TokenSet, or None when cancelled.

Nothing here opens a browser: a TUI over SSH would start a text browser on its own
terminal (oauth.md 6.1). No token is ever put on screen.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.app.widgets.modals import AskText
from smtp_setup.app.widgets.oauth_signin import (
    close_screens_above,
    error_sentence,
    provider_name,
    redirect_of,
)
from smtp_setup.i18n import N_, _

if TYPE_CHECKING:
    from smtp_setup.core.oauth.flows import (
        Endpoints,
        LoopbackSignIn,
        TokenSet,  # noqa: F401 - named in ModalScreen["..."]
    )
    from smtp_setup.core.profiles.oauth_config import OAuthConfig



def ssh_advice(over_ssh: bool, command: str | None) -> str:
    """How to sign in from a browser elsewhere: forward the port (`command`) or paste the
    address. Whole sentences, one per case, so a translator can order each freely."""
    if over_ssh and command:
        return "! " + _(
            "You are connected over SSH: run  {command}  on your own computer and open the "
            "link there; or open the link anywhere and paste the address the browser ends on "
            "(Paste address…).").format(command=command)
    if over_ssh:
        return "! " + _(
            "You are connected over SSH: open the link anywhere and paste the address the "
            "browser ends on (Paste address…).")
    if command:
        return _("Working over SSH? Run  {command}  on your own computer and open the link "
                 "there; or open the link anywhere and paste the address the browser ends on "
                 "(Paste address…).").format(command=command)
    return _("Working over SSH? Open the link anywhere and paste the address the browser ends "
             "on (Paste address…).")


class BrowserSignIn(ModalScreen["TokenSet | None"]):
    """Authorization code with PKCE: the person opens a link in a browser on this computer and
    the browser comes back to a listener on 127.0.0.1. Dismisses with the TokenSet or None."""

    DEFAULT_CSS = """
    BrowserSignIn { align: center middle; }
    BrowserSignIn > Vertical {
        width: 100%; max-width: 96; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
        border-title-style: bold;
    }
    BrowserSignIn Static { height: auto; }
    BrowserSignIn #browser-url { color: $accent; text-style: bold; margin-bottom: 1; }
    BrowserSignIn #browser-note, BrowserSignIn #browser-ssh { color: $text-muted; }
    BrowserSignIn #browser-ssh.-ssh { color: $warning; }
    BrowserSignIn #browser-status { margin-top: 1; }
    BrowserSignIn #browser-status.-error { color: $error; }
    BrowserSignIn #browser-buttons { height: auto; align-horizontal: right; }
    BrowserSignIn #browser-buttons Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="browser.cancel"),
        Binding("l", "copy_link", N_("Copy link"), id="browser.copy_link", show=False),
    ]

    def __init__(self, oauth: OAuthConfig, endpoints: Endpoints, login_hint: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.oauth, self.endpoints, self.login_hint = oauth, endpoints, login_hint
        self.url = ""
        self._signin: LoopbackSignIn | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = _("Sign in with {provider}").format(
                provider=provider_name(self.oauth))
            yield Static(_("Open this link in a browser on this computer:"))
            yield Static("", id="browser-url", markup=False)
            yield Static("", id="browser-note", markup=False)
            yield Static("", id="browser-ssh", markup=False)
            yield Static("", id="browser-status", markup=False)
            with Horizontal(id="browser-buttons"):
                yield Button(_("Copy link"), id="browser-copy-link", variant="primary")
                yield Button(_("Paste address…"), id="browser-paste")
                yield Button(_("Try again"), id="browser-retry")
                yield Button(_("Cancel"), id="browser-cancel")

    def on_mount(self) -> None:
        self.query_one("#browser-cancel", Button).focus()
        self._start()

    def _start(self) -> None:
        self.url = ""
        for button in ("#browser-retry", "#browser-copy-link", "#browser-paste"):
            self.query_one(button).display = False
        self._status(_("Starting the listener for the browser's return…"))
        self._sign_in()

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#browser-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _show_url(self, url: str) -> None:
        self.url = url
        self.query_one("#browser-url", Static).update(url)
        redirect, port = redirect_of(url)
        self.query_one("#browser-note", Static).update(
            _("The browser must run on this computer: after you sign in, {provider} sends it "
              "back to {address}, where smtp-setup is waiting.").format(
                provider=provider_name(self.oauth), address=redirect or _("this computer")))
        over_ssh = bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))
        connection = os.environ.get("SSH_CONNECTION", "").split()
        host = connection[2] if len(connection) >= 3 else _("<this computer>")
        command = f"ssh -N -L {port}:127.0.0.1:{port} {host}"
        ssh = self.query_one("#browser-ssh", Static)
        ssh.update(ssh_advice(over_ssh, command if port else None))
        ssh.set_class(over_ssh, "-ssh")
        for button in ("#browser-copy-link", "#browser-paste"):
            self.query_one(button).display = True
        self._status(_("Waiting for the browser to come back…"))

    @work(exclusive=True, group="oauth", exit_on_error=False)
    async def _sign_in(self) -> None:
        from smtp_setup.core.oauth.flows import LoopbackSignIn

        signin = self._signin = LoopbackSignIn(self.oauth, self.endpoints,
                                               login_hint=self.login_hint)
        try:
            self._show_url(await signin.start())
            tokens = await signin.wait()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence on screen
            close_screens_above(self)
            self._status(f"✗ {error_sentence(exc)}", error=True)
            self.query_one("#browser-paste").display = False
            self.query_one("#browser-retry").display = True
            self.query_one("#browser-retry", Button).focus()
            return
        finally:
            await self._close(signin)
        close_screens_above(self)
        self.dismiss(tokens)

    async def _close(self, signin: LoopbackSignIn | None) -> None:
        """Stop listening (LoopbackSignIn.close is idempotent)."""
        if signin is not None:
            if self._signin is signin:
                self._signin = None
            await signin.close()

    @on(Button.Pressed, "#browser-copy-link")
    def action_copy_link(self) -> None:
        if self.url:
            self.app.copy_to_clipboard(self.url)
            self.notify(_("The link is on the clipboard."), timeout=3)

    @on(Button.Pressed, "#browser-paste")
    def _paste(self) -> None:
        """For a browser on another computer: the address it ended on carries the answer."""
        signin = self._signin
        if signin is None:
            return
        self.app.push_screen(AskText(
            _("Paste the address your browser ended on:"),
            check=signin.accept_redirect, ok=_("Use address")))

    @on(Button.Pressed, "#browser-retry")
    def _retry(self) -> None:
        self._start()

    @on(Button.Pressed, "#browser-cancel")
    async def action_cancel(self) -> None:
        self.workers.cancel_group(self, "oauth")
        # Close here too, not only in the worker's finally: the port must be shut by the
        # time the dialog is gone.
        await self._close(self._signin)
        self.dismiss(None)
