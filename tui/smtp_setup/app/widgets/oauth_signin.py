"""The device-code sign-in dialog (any device, any browser), and what it shares with the
browser sign-in (browser_signin.py): provider names, the QR code, countdowns, error
sentences. Both dismiss with a TokenSet, or None when cancelled; the device dialog may also
dismiss with "browser" (switch to the other flow).

Nothing here opens a browser: a TUI over SSH would start a text browser on its own
terminal (oauth.md 6.1). No token is ever put on screen; only the user code is shown.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Static

from smtp_setup.app.translated_bindings import translate_bindings
from smtp_setup.i18n import N_, _

if TYPE_CHECKING:
    from smtp_setup.core.oauth.flows import (
        DeviceCode,
        Endpoints,
        TokenSet,  # noqa: F401 - named in ModalScreen["..."]
    )
    from smtp_setup.core.profiles.oauth_config import OAuthConfig

PROVIDER_NAMES = {"microsoft": "Microsoft", "google": "Google"}
SWITCH_TO_BROWSER = "browser"  # what DeviceSignIn dismisses with for "use the browser instead"
STEPS_WIDTH = 40  # the narrowest text column beside the QR code
CHROME_COLS = 5  # dialog border (2) + padding (2) + the QR code's margin (1)
CHROME_ROWS = 5  # dialog border (2) + button row (3)


def provider_name(oauth: OAuthConfig) -> str:
    return PROVIDER_NAMES.get(oauth.flow_provider, oauth.flow_provider.title())


def qr_text(data: str) -> str | None:
    """The QR code of `data` as half-block text (two modules per character cell), or None
    when segno is not installed. Dark modules are drawn in the foreground colour."""
    try:
        import segno
    except ImportError:
        return None
    rows = [list(row) for row in segno.make(data, error="l").matrix_iter(border=2)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    cells = {(1, 1): "█", (1, 0): "▀", (0, 1): "▄", (0, 0): " "}
    return "\n".join(
        "".join(cells[bool(top), bool(bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    )


def countdown(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def redirect_of(url: str) -> tuple[str, int | None]:
    """The redirect_uri in an authorization URL and its port (for the SSH advice)."""
    try:
        redirect = parse_qs(urlsplit(url).query).get("redirect_uri", [""])[0]
        return redirect, urlsplit(redirect).port
    except ValueError:
        return "", None


def error_sentence(exc: BaseException) -> str:
    """What to show for a failed sign-in. An OAuthError's str() is already one sentence with
    the fix; anything else is a bug, shown by type only so no server text or token leaks."""
    from smtp_setup.core.oauth.flows import OAuthError

    if isinstance(exc, OAuthError):
        return str(exc)
    if isinstance(exc, OSError):
        return _("The sign-in server could not be reached. Check the network connection, "
                 "then try again.")
    return _("The sign-in stopped unexpectedly ({error}). Try again.").format(
        error=type(exc).__name__)


def close_screens_above(screen: ModalScreen) -> None:
    """Close dialogs opened over `screen` (the paste box, help): a worker finishing in the
    background must not leave them behind, and dismiss() pops whatever screen is on top."""
    while screen in screen.app.screen_stack and screen.app.screen is not screen:
        screen.app.screen.dismiss(None)


class DeviceSignIn(ModalScreen["TokenSet | str | None"]):
    """Device authorization grant: a URL and a code to enter on any device.

    Dismisses with the TokenSet, None when cancelled, or "browser" when the person chose the
    browser sign-in after the device flow was blocked by policy."""

    DEFAULT_CSS = """
    DeviceSignIn { align: center middle; }
    DeviceSignIn > Vertical {
        width: 100%; max-width: 84; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
        border-title-style: bold;
    }
    DeviceSignIn #device-body { height: auto; }
    DeviceSignIn #device-steps { width: 1fr; height: auto; }
    DeviceSignIn #device-steps Static { height: auto; }
    DeviceSignIn #device-url { text-style: bold underline; color: $accent; }
    DeviceSignIn #device-code {
        width: auto; height: 3; padding: 0 2; margin-bottom: 1;
        border: tall $accent; background: $boost; color: $text; text-style: bold;
    }
    DeviceSignIn #device-hint { color: $text-muted; }
    DeviceSignIn #device-status { margin-top: 1; }
    DeviceSignIn #device-status.-error { color: $error; }
    DeviceSignIn #device-note { color: $text-muted; margin-top: 1; }
    /* Explicit truecolor black on white, whatever the theme, so a phone camera can read
       it in dark themes too (ANSI "white" becomes grey in some themes). */
    DeviceSignIn #device-qr {
        width: auto; height: auto; margin-left: 1;
        color: #000000; background: #ffffff;
    }
    DeviceSignIn #device-buttons { height: auto; align-horizontal: right; }
    DeviceSignIn #device-buttons Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="device.cancel"),
        Binding("c", "copy_code", N_("Copy code"), id="device.copy_code", show=False),
        Binding("l", "copy_link", N_("Copy link"), id="device.copy_link", show=False),
    ]

    def __init__(self, oauth: OAuthConfig, endpoints: Endpoints, login_hint: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.oauth, self.endpoints, self.login_hint = oauth, endpoints, login_hint
        self.code: DeviceCode | None = None
        self._ticker: Timer | None = None
        self._qr_rows = self._qr_cols = 0

    def compose(self) -> ComposeResult:
        with Vertical() as dialog:
            dialog.border_title = _("Sign in with {provider}").format(
                provider=provider_name(self.oauth))
            with Horizontal(id="device-body"):
                with Vertical(id="device-steps"):
                    yield Static(_("1. On any device, open this page:"), id="device-open")
                    yield Static("", id="device-url", markup=False)
                    yield Static(_("2. Enter this code:"), id="device-enter")
                    yield Static("", id="device-code", markup=False)
                    if self.login_hint:
                        yield Static(_("3. Sign in as {address}").format(address=self.login_hint),
                                     id="device-hint",
                                     markup=False)
                    yield Static("", id="device-status", markup=False)
                    yield Static(
                        _("Only enter this code if you started this sign-in just now."),
                        id="device-note")
                yield Static("", id="device-qr", markup=False)
            with Horizontal(id="device-buttons"):
                yield Button(_("Copy link"), id="device-copy-link")
                yield Button(_("Copy code"), id="device-copy-code", variant="primary")
                yield Button(_("New code"), id="device-retry")
                yield Button(_("Use the browser sign-in instead"), id="device-browser",
                             variant="warning")
                yield Button(_("Cancel"), id="device-cancel")

    def on_mount(self) -> None:
        self.query_one("#device-cancel", Button).focus()
        self._start()

    def _start(self) -> None:
        self._stop_ticking()
        self._show_code(False)
        for button in ("#device-retry", "#device-browser"):
            self.query_one(button).display = False
        self._status(_("Asking {provider} for a code…").format(provider=provider_name(self.oauth)))
        self._sign_in()

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#device-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _show_code(self, shown: bool) -> None:
        # Before the code arrives and after a failure, only the status line is left: no
        # steps without a code, and no old code that would only fail.
        for selector in ("#device-open", "#device-url", "#device-enter", "#device-code",
                         "#device-hint", "#device-note", "#device-copy-link",
                         "#device-copy-code"):
            for widget in self.query(selector):
                widget.display = shown
        self._place_qr()

    def _place_qr(self) -> None:
        """The QR code only when the terminal has room for it beside the text; the URL and
        code stay visible as text either way."""
        qr = self.query_one("#device-qr", Static)
        width, height = self.app.size
        qr.display = bool(
            self.code and self._qr_rows
            and width >= self._qr_cols + STEPS_WIDTH + CHROME_COLS
            and height >= self._qr_rows + CHROME_ROWS
        )

    def on_resize(self) -> None:
        self._place_qr()

    def _tick(self) -> None:
        if self.code is not None:
            left = countdown(self.code.expires_at - time.time())
            self._status(_("Waiting for you to sign in… {time} left.").format(time=left))

    @work(exclusive=True, group="oauth", exit_on_error=False)
    async def _sign_in(self) -> None:
        from smtp_setup.core.oauth.flows import poll_device_flow, start_device_flow

        try:
            code = await start_device_flow(self.oauth, self.endpoints)
            self.code = code
            self.query_one("#device-url", Static).update(code.verification_uri)
            self.query_one("#device-code", Static).update(code.user_code)
            qr = qr_text(code.verification_uri)
            self.query_one("#device-qr", Static).update(qr or "")
            lines = qr.splitlines() if qr else []
            self._qr_rows, self._qr_cols = len(lines), max(map(len, lines), default=0)
            self._show_code(True)
            self.query_one("#device-copy-code", Button).focus()
            # A timer started now ticks in step with the code's clock: each tick is a second.
            self._ticker = self.set_interval(1.0, self._tick)
            self._tick()
            tokens = await poll_device_flow(self.oauth, self.endpoints, code)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence on screen
            self._failed(exc)
            return
        close_screens_above(self)
        self.dismiss(tokens)

    def _stop_ticking(self) -> None:
        self.code = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _failed(self, exc: Exception) -> None:
        self._stop_ticking()
        self._show_code(False)
        self._status(f"✗ {error_sentence(exc)}", error=True)
        blocked = getattr(exc, "code", "") == "oauth_device_flow_blocked"  # OAuthError.code
        self.query_one("#device-browser").display = blocked
        # A blocked flow stays blocked: a new code would only fail the same way.
        self.query_one("#device-retry").display = not blocked
        self.query_one("#device-browser" if blocked else "#device-retry", Button).focus()

    @on(Button.Pressed, "#device-copy-code")
    def action_copy_code(self) -> None:
        if self.code is not None:
            self.app.copy_to_clipboard(self.code.user_code)
            self.notify(_("The code is on the clipboard."), timeout=3)

    @on(Button.Pressed, "#device-copy-link")
    def action_copy_link(self) -> None:
        if self.code is not None:
            self.app.copy_to_clipboard(self.code.verification_uri)
            self.notify(_("The link is on the clipboard."), timeout=3)

    @on(Button.Pressed, "#device-retry")
    def _retry(self) -> None:
        self._start()

    @on(Button.Pressed, "#device-browser")
    def _use_browser(self) -> None:
        self.workers.cancel_group(self, "oauth")
        self.dismiss(SWITCH_TO_BROWSER)

    @on(Button.Pressed, "#device-cancel")
    def action_cancel(self) -> None:
        # The poll sleeps in asyncio.sleep, so cancelling ends it at once.
        self.workers.cancel_group(self, "oauth")
        self.dismiss(None)
