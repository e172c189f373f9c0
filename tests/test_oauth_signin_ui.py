"""The two OAuth sign-in dialogs, driven by Pilot against the fake authorization server on
127.0.0.1. The tests play the person (and, for the browser flow, the browser itself)."""

from __future__ import annotations

import asyncio
import re
import socket
import urllib.error
import urllib.request
from contextlib import suppress

import pytest
from smtp_setup.app.widgets.browser_signin import BrowserSignIn
from smtp_setup.app.widgets.modals import AskText
from smtp_setup.app.widgets.oauth_signin import DeviceSignIn, qr_text
from smtp_setup.core.oauth.flows import Endpoints, TokenSet
from textual.app import App
from textual.widgets import Button, Input, Static
from textual.worker import WorkerCancelled

SIZE = (80, 24)  # the smallest terminal the wizard promises to fit
MS_SCOPES = ("https://outlook.office.com/SMTP.Send", "offline_access")
NOTHING = object()


class Host(App):
    """Pushes one dialog and records what it dismissed with."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.dialog = screen
        self.result = NOTHING

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._done)

    def _done(self, result) -> None:
        self.result = result


def endpoints(oauth, scopes=MS_SCOPES) -> Endpoints:
    """Every endpoint at the fake server: a test request never leaves 127.0.0.1."""
    def fill(url: str) -> str:
        return url.replace("{tenant}", oauth.tenant or "common")

    return Endpoints(authorize_url=fill(oauth.authorize_url), token_url=fill(oauth.token_url),
                     device_url=fill(oauth.device_url), scopes=scopes)


def device_app(fake_oauth, login_hint: str = "") -> Host:
    oauth = fake_oauth.oauth_config("microsoft")
    return Host(DeviceSignIn(oauth, endpoints(oauth), login_hint=login_hint))


def browser_app(fake_oauth) -> Host:
    oauth = fake_oauth.oauth_config("google")
    return Host(BrowserSignIn(oauth, endpoints(oauth, ("https://mail.google.com/",)),
                              login_hint="me@example.test"))


async def until(pilot, condition, seconds: float = 5.0) -> None:
    """Let the app run until `condition()` holds; fail after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "the dialog did not get there in time"
        await pilot.pause(0.02)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def screen_text(app) -> str:
    return app.export_screenshot()


def assert_no_secrets(app, fake_oauth, *also: str) -> None:
    """No access or refresh token (nor a device code or verifier) on screen or in a toast."""
    shown = screen_text(app) + " ".join(n.message for n in app._notifications)
    for token in [*fake_oauth.issued, *also]:
        assert token not in shown


async def click(app, pilot, selector: str) -> None:
    """Activate a button by keyboard, as a person tabbing to it would."""
    button = app.screen.query_one(selector, Button)
    assert button.display, f"{selector} is hidden"
    button.focus()
    await pilot.press("enter")
    await pilot.pause()


def browser_hop(url: str) -> str:
    """The browser's first hop: the authorize page answers 302; return its Location
    without following it (a real browser would go there next)."""
    class NoFollow(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    # No proxies from the environment: these requests stay on 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoFollow)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(url, timeout=5)
    assert answer.value.code == 302
    return answer.value.headers["Location"]


def browser_lands(location: str) -> str:
    """The browser's second hop: the redirect to smtp-setup's listener on 127.0.0.1."""
    assert location.startswith("http://127.0.0.1:")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(location, timeout=5) as page:
        return page.read().decode()


# -- device code ------------------------------------------------------------------------------

async def test_device_flow_signs_in_after_a_pending_poll(fake_oauth):
    fake_oauth.device_script = ["pending"]
    app = device_app(fake_oauth, login_hint="me@example.test")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.result is not NOTHING)
        assert_no_secrets(app, fake_oauth)
    assert isinstance(app.result, TokenSet)
    assert app.result.refresh_token in fake_oauth.issued
    assert fake_oauth.user_for(app.result.access_token) == "me@example.test"
    polls = [grant for kind, grant in fake_oauth.requests if kind == "token"]
    assert len(polls) == 2  # one "authorization_pending", then the tokens


async def test_device_dialog_shows_code_countdown_and_copies(fake_oauth):
    fake_oauth.device_interval = 30  # the poll sleeps: the dialog stays up
    app = device_app(fake_oauth, login_hint="me@example.test")
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await until(pilot, lambda: dialog.code is not None)
        assert text(app, "#device-code") == "FAKE-CODE"
        assert text(app, "#device-url") == f"{fake_oauth.base_url}/devicelogin"
        assert "me@example.test" in text(app, "#device-hint")
        shown = re.search(r"(\d+):(\d\d) left", text(app, "#device-status"))
        assert shown and shown.groups() in {("15", "00"), ("14", "59")}
        first = text(app, "#device-status")
        await pilot.pause(1.1)  # ticks once a second
        assert text(app, "#device-status") != first

        # The QR code holds the URL only, and it fits beside the text in 80x24.
        qr = app.screen.query_one("#device-qr", Static)
        assert qr.display and str(qr.content) == qr_text(f"{fake_oauth.base_url}/devicelogin")
        assert qr.region.right <= SIZE[0] and qr.region.bottom <= SIZE[1]

        await click(app, pilot, "#device-copy-code")
        assert app.clipboard == "FAKE-CODE"
        await click(app, pilot, "#device-copy-link")
        assert app.clipboard == f"{fake_oauth.base_url}/devicelogin"
        assert_no_secrets(app, fake_oauth, dialog.code.device_code)


async def test_device_qr_hidden_when_the_terminal_is_small(fake_oauth):
    fake_oauth.device_interval = 30
    app = device_app(fake_oauth)
    async with app.run_test(size=(70, 20)) as pilot:
        await until(pilot, lambda: app.dialog.code is not None)
        assert not app.screen.query_one("#device-qr").display
        assert text(app, "#device-code") == "FAKE-CODE"  # the text is always there
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert app.screen.query_one("#device-qr").display


async def test_device_cancel_dismisses_none_at_once(fake_oauth):
    fake_oauth.device_interval = 30
    app = device_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.dialog.code is not None)
        worker = next(w for w in app.workers if w.group == "oauth")
        started = asyncio.get_running_loop().time()
        await pilot.press("escape")
        await until(pilot, lambda: app.result is not NOTHING, seconds=1)
        with suppress(WorkerCancelled):
            await worker.wait()
        assert asyncio.get_running_loop().time() - started < 1
        assert worker.is_cancelled
    assert app.result is None
    assert fake_oauth.count("token") == 0  # no poll was sent after the cancel


async def test_device_flow_blocked_offers_the_browser(fake_oauth):
    fake_oauth.device_script = ["blocked"]
    app = device_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query_one("#device-browser").display)
        status = text(app, "#device-status")
        assert status.startswith("✗ ") and "browser" in status.lower()
        assert not app.screen.query_one("#device-code").display  # the code is dead
        assert not app.screen.query_one("#device-retry").display
        await click(app, pilot, "#device-browser")
    assert app.result == "browser"


async def test_device_declined_then_a_new_code_signs_in(fake_oauth):
    fake_oauth.device_script = ["declined"]
    app = device_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query_one("#device-retry").display)
        assert text(app, "#device-status").startswith("✗ ")
        assert not app.screen.query_one("#device-browser").display
        fake_oauth.device_script = []
        await click(app, pilot, "#device-retry")
        await until(pilot, lambda: app.result is not NOTHING)
    assert isinstance(app.result, TokenSet)
    assert fake_oauth.count("device") == 2


async def test_device_server_down_is_a_sentence(fake_oauth):
    fake_oauth.broken = True  # every answer is a 503 HTML page
    app = device_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query_one("#device-retry").display)
        status = text(app, "#device-status")
        assert status.startswith("✗ ") and "<html>" not in status
        assert not app.screen.query_one("#device-enter").display
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


# -- browser (loopback) -----------------------------------------------------------------------

async def test_browser_flow_signs_in_when_the_browser_comes_back(fake_oauth):
    app = browser_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await until(pilot, lambda: bool(dialog.url))
        url = text(app, "#browser-url")
        assert url == dialog.url and url.startswith(fake_oauth.base_url)
        port = int(re.search(r"127\.0\.0\.1%3A(\d+)", url).group(1))
        assert f"ssh -N -L {port}:127.0.0.1:{port}" in text(app, "#browser-ssh")
        assert f"http://127.0.0.1:{port}/" in text(app, "#browser-note")
        await click(app, pilot, "#browser-copy-link")
        assert app.clipboard == url

        location = await asyncio.to_thread(browser_hop, url)
        page = asyncio.create_task(asyncio.to_thread(browser_lands, location))
        await until(pilot, lambda: app.result is not NOTHING)
        assert "close this tab" in await page
        assert_no_secrets(app, fake_oauth)
    assert isinstance(app.result, TokenSet)
    assert fake_oauth.user_for(app.result.access_token) == "me@example.test"
    assert app.result.refresh_token in fake_oauth.issued


async def test_browser_flow_with_the_pasted_address(fake_oauth):
    """Over SSH the browser runs elsewhere and lands on a dead page: paste its address."""
    app = browser_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.dialog.url))
        location = await asyncio.to_thread(browser_hop, app.dialog.url)
        await click(app, pilot, "#browser-paste")
        assert isinstance(app.screen, AskText)
        app.screen.query_one("#ask-input", Input).value = "http://127.0.0.1:1/?code=x&state=no"
        await pilot.press("enter")
        await pilot.pause()
        assert "another sign-in" in str(app.screen.query_one("#ask-error").content)
        app.screen.query_one("#ask-input", Input).value = location
        await pilot.press("enter")
        await until(pilot, lambda: app.result is not NOTHING)
        assert app.screen is app.screen_stack[0]  # no dialog left behind
    assert isinstance(app.result, TokenSet)


async def test_browser_cancel_closes_the_port(fake_oauth):
    app = browser_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.dialog.url))
        port = int(re.search(r"127\.0\.0\.1%3A(\d+)", app.dialog.url).group(1))
        socket.create_connection(("127.0.0.1", port), timeout=2).close()  # listening
        await click(app, pilot, "#browser-cancel")
        assert app.result is None
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


async def test_browser_refused_consent_is_a_sentence_with_try_again(fake_oauth):
    fake_oauth.authorize_error = "access_denied"
    app = browser_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.dialog.url))
        location = await asyncio.to_thread(browser_hop, app.dialog.url)
        await asyncio.to_thread(browser_lands, location)
        await until(pilot, lambda: app.screen.query_one("#browser-retry").display)
        status = text(app, "#browser-status")
        assert status.startswith("✗ ") and "Traceback" not in status
        fake_oauth.authorize_error = ""
        await click(app, pilot, "#browser-retry")
        await until(pilot, lambda: bool(app.dialog.url))
        location = await asyncio.to_thread(browser_hop, app.dialog.url)
        page = asyncio.create_task(asyncio.to_thread(browser_lands, location))
        await until(pilot, lambda: app.result is not NOTHING)
        await page
    assert isinstance(app.result, TokenSet)


def test_qr_text_is_the_segno_matrix_in_half_blocks():
    segno = pytest.importorskip("segno")
    url = "https://microsoft.com/devicelogin"
    matrix = [list(map(bool, row)) for row in segno.make(url, error="l").matrix_iter(border=2)]
    lines = qr_text(url).splitlines()
    assert (len(lines[0]), len(lines)) == (33, 17)  # version 3: fits beside the text
    top = {"█": True, "▀": True, "▄": False, " ": False}
    bottom = {"█": True, "▀": False, "▄": True, " ": False}
    decoded = []
    for line in lines:
        decoded += [[top[c] for c in line], [bottom[c] for c in line]]
    assert decoded[:len(matrix)] == matrix and not any(decoded[len(matrix):][0])
