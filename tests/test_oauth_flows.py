"""OAuth sign-in against the fake authorization server on 127.0.0.1: device flow, browser
(loopback + PKCE) flow, refresh, and the failures of each. The test plays the browser."""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from fake_oauth_server import GOOGLE_CLIENT, GOOGLE_SECRET, MS_CLIENT
from smtp_setup.core.oauth.flows import (
    DeviceCode,
    LoopbackSignIn,
    OAuthError,
    TokenSet,
    endpoints_for,
    poll_device_flow,
    refresh,
    start_device_flow,
)
from smtp_setup.core.oauth.loopback import pkce_pair
from smtp_setup.core.profiles.model import ProfileError, SecretRef
from smtp_setup.core.profiles.oauth_config import OAuthConfig


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> tuple[int, str, str]:
    opener = urllib.request.build_opener(_NoRedirects(), urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.headers.get("Location") or "", response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Location") or "", exc.read().decode()


async def browser(url: str) -> tuple[int, str, str]:
    """GET without following redirects, off the event loop (the listener runs on it)."""
    return await asyncio.to_thread(_get, url)


def on_loopback(url: str) -> str:
    """The redirect as the browser would follow it, with localhost pinned to 127.0.0.1."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))


def with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


async def begin(oauth, ends, **options) -> tuple[LoopbackSignIn, str, asyncio.Task]:
    """A started browser sign-in, its URL, and the task waiting for its redirect."""
    sign_in = LoopbackSignIn(oauth, ends, **options)
    url = await sign_in.start()
    return sign_in, url, asyncio.create_task(sign_in.wait())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def microsoft(fake_oauth):
    oauth = fake_oauth.oauth_config("microsoft")
    return oauth, endpoints_for(oauth, "outlook")


@pytest.fixture
def google(fake_oauth):
    oauth = fake_oauth.oauth_config("google")
    return oauth, endpoints_for(oauth, "gmail")


# -- the profile's oauth table ------------------------------------------------------------
def test_oauth_config_keeps_keys_a_newer_version_wrote():
    table = {"flow_provider": "google", "client_id": "x", "future_setting": {"a": 1}}
    assert OAuthConfig.from_toml(table).to_toml() == table


def test_oauth_config_round_trip_and_rejects():
    config = OAuthConfig(flow_provider="google", client_id="id", tenant="",
                         client_secret=SecretRef("env", "GOOGLE_CLIENT_SECRET"),
                         token_url="http://127.0.0.1:9/token")
    assert OAuthConfig.from_toml(config.to_toml()) == config
    assert config.to_toml() == {"flow_provider": "google", "client_id": "id", "client_secret":
                                {"env": "GOOGLE_CLIENT_SECRET"},
                                "token_url": "http://127.0.0.1:9/token"}
    for table, field in [({"flow_provider": "yahoo", "client_id": "x"}, "oauth.flow_provider"),
                         ({"flow_provider": "google"}, "oauth.client_id"),
                         ({"flow_provider": "google", "client_id": 3}, "oauth.client_id"),
                         ({"flow_provider": "microsoft", "client_id": "x", "tenant": "a/b"},
                          "oauth.tenant"),
                         ({"flow_provider": "google", "client_id": "x",
                           "token_url": "http://example.com/token"}, "oauth.token_url"),
                         ({"flow_provider": "google", "client_id": "x", "client_secret": 1},
                          "oauth.client_secret"),
                         ("nope", "oauth")]:
        with pytest.raises(ProfileError) as raised:
            OAuthConfig.from_toml(table)
        assert raised.value.field == field


# -- device flow ---------------------------------------------------------------------------
async def test_device_flow_pending_then_success(fake_oauth, microsoft):
    oauth, ends = microsoft
    fake_oauth.device_script = ["pending", "pending"]
    code = await start_device_flow(oauth, ends)
    assert (code.user_code, code.verification_uri) == ("FAKE-CODE",
                                                       f"{fake_oauth.base_url}/devicelogin")
    assert 890 < code.expires_at - time.time() <= 900 and "FAKE-CODE" in code.message
    ticks: list[float] = []
    tokens = await poll_device_flow(oauth, ends, code, on_tick=ticks.append)
    assert fake_oauth.user_for(tokens.access_token) == fake_oauth.user
    assert tokens.refresh_token and 3590 < tokens.expires_at - time.time() <= 3600
    assert len(ticks) == 3 and all(0 < t <= 900 for t in ticks)
    assert [r for r in fake_oauth.requests if r[0] == "token"] == [
        ("token", "urn:ietf:params:oauth:grant-type:device_code")] * 3
    device_request = fake_oauth.token_forms[0]
    assert device_request == {"client_id": MS_CLIENT,
                              "scope": "https://outlook.office.com/SMTP.Send offline_access"}
    assert all("client_secret" not in form for form in fake_oauth.token_forms)  # public client


async def test_slow_down_raises_the_interval_for_good(fake_oauth, microsoft):
    oauth, ends = microsoft
    fake_oauth.device_script = ["slow_down", "pending", "slow_down"]
    code = await start_device_flow(oauth, ends)
    await poll_device_flow(oauth, ends, code, slow_down_step=0.02)
    assert code.interval == pytest.approx(0.01 + 2 * 0.02)


async def test_slow_down_adds_five_seconds_and_cancel_is_immediate(fake_oauth, microsoft):
    oauth, ends = microsoft
    fake_oauth.device_script = ["slow_down"]
    code = await start_device_flow(oauth, ends)
    task = asyncio.create_task(poll_device_flow(oauth, ends, code))
    deadline = time.monotonic() + 5
    while code.interval < 5 and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    assert code.interval == pytest.approx(5.01)  # RFC 8628 §3.5
    polls = fake_oauth.count("token")
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.1
    await asyncio.sleep(0.1)
    assert fake_oauth.count("token") == polls == 1  # nothing after the cancel


@pytest.mark.parametrize(("step", "code", "aadsts", "words"), [
    ("declined", "oauth_cancelled", (70000,), "declined or cancelled"),
    ("expired", "oauth_timeout", (70019,), "code expired"),
    ("blocked", "oauth_device_flow_blocked", (53003,), "browser sign-in"),
])
async def test_device_flow_failures(fake_oauth, microsoft, step, code, aadsts, words):
    oauth, ends = microsoft
    fake_oauth.device_script = ["pending", step]
    device = await start_device_flow(oauth, ends)
    with pytest.raises(OAuthError) as raised:
        await poll_device_flow(oauth, ends, device)
    assert (raised.value.code, raised.value.aadsts) == (code, aadsts)
    assert words in str(raised.value)


async def test_a_code_past_its_time_is_not_polled(fake_oauth, microsoft):
    oauth, ends = microsoft
    code = DeviceCode("X", "https://example.test", time.time() - 1, 0.01, device_code="d")
    with pytest.raises(OAuthError) as raised:
        await poll_device_flow(oauth, ends, code)
    assert raised.value.code == "oauth_timeout" and fake_oauth.count("token") == 0


async def test_no_device_flow_for_google(fake_oauth, google):
    with pytest.raises(OAuthError) as raised:
        await start_device_flow(*google)
    assert raised.value.code == "oauth_client_misconfigured"
    assert "browser sign-in" in str(raised.value) and fake_oauth.requests == []


@pytest.mark.parametrize(("client_id", "secret", "aadsts", "words"), [
    ("not-registered", False, 700016, "client ID is not known"),
    (MS_CLIENT, True, 700025, "must not send a client secret"),
])
async def test_misregistered_client(fake_oauth, client_id, secret, aadsts, words):
    oauth = fake_oauth.oauth_config("microsoft", client_id=client_id, with_secret=secret)
    with pytest.raises(OAuthError) as raised:
        await start_device_flow(oauth, endpoints_for(oauth, "microsoft365"))
    assert (raised.value.code, raised.value.aadsts) == ("oauth_client_misconfigured", (aadsts,))
    assert words in str(raised.value)


# -- browser sign-in (loopback + PKCE) -------------------------------------------------------
async def test_loopback_microsoft_success(fake_oauth, microsoft):
    oauth, ends = microsoft
    sign_in = LoopbackSignIn(oauth, ends, login_hint="who@example.test")
    url = await sign_in.start()
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    port = urlsplit(sign_in.redirect_uri).port
    assert sign_in.redirect_uri == f"http://localhost:{port}/"
    assert query["redirect_uri"] == sign_in.redirect_uri and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["login_hint"] == "who@example.test" and len(query["state"]) >= 32
    assert query["scope"] == "https://outlook.office.com/SMTP.Send offline_access"
    waiting = asyncio.create_task(sign_in.wait())
    status, location, _ = await browser(url)
    assert status == 302 and location.startswith(sign_in.redirect_uri)
    status, _, page = await browser(on_loopback(location))
    assert status == 200 and "You can close this tab" in page
    tokens = await waiting
    assert fake_oauth.user_for(tokens.access_token) == "who@example.test"
    exchange = fake_oauth.token_forms[-1]
    assert exchange["grant_type"] == "authorization_code" and "client_secret" not in exchange
    assert exchange["redirect_uri"] == sign_in.redirect_uri
    assert 43 <= len(exchange["code_verifier"]) <= 128
    with pytest.raises(OSError):  # one redirect only: the listener is gone
        await browser(on_loopback(location))


async def test_loopback_google_sends_the_client_secret(fake_oauth, google):
    sign_in = LoopbackSignIn(*google)
    url = await sign_in.start()
    assert sign_in.redirect_uri.startswith("http://127.0.0.1:")
    waiting = asyncio.create_task(sign_in.wait())
    _, location, _ = await browser(url)
    await browser(location)
    tokens = await waiting
    assert tokens.scope == "https://mail.google.com/" and tokens.refresh_token
    assert fake_oauth.token_forms[-1]["client_secret"] == GOOGLE_SECRET
    assert fake_oauth.token_forms[-1]["client_id"] == GOOGLE_CLIENT


async def test_loopback_google_without_its_secret(fake_oauth):
    oauth = fake_oauth.oauth_config("google", with_secret=False)
    sign_in, url, waiting = await begin(oauth, endpoints_for(oauth, "gmail"))
    _, location, _ = await browser(url)
    status, _, page = await browser(location)
    assert status == 200 and "Sign-in did not finish" in page
    with pytest.raises(OAuthError) as raised:
        await waiting
    assert raised.value.code == "oauth_client_misconfigured"
    assert "client ID or client secret is wrong" in str(raised.value)


async def test_pkce_mismatch(fake_oauth, microsoft):
    sign_in, url, waiting = await begin(*microsoft)
    _, location, _ = await browser(with_param(url, code_challenge=pkce_pair()[1]))
    await browser(on_loopback(location))
    with pytest.raises(OAuthError) as raised:
        await waiting
    assert (raised.value.code, raised.value.error, raised.value.aadsts) == (
        "oauth_client_misconfigured", "invalid_grant", (501481,))


@pytest.mark.parametrize(("flow", "error", "aadsts"), [
    ("microsoft", "invalid_request", (50011,)), ("google", "redirect_uri_mismatch", ())])
async def test_wrong_redirect_in_the_exchange(fake_oauth, flow, error, aadsts):
    oauth = fake_oauth.oauth_config(flow)
    provider = "outlook" if flow == "microsoft" else "gmail"
    sign_in, url, waiting = await begin(oauth, endpoints_for(oauth, provider))
    # The code is issued for another redirect address, then handed to our listener.
    other = f"http://127.0.0.1:{closed_port()}/"
    _, location, _ = await browser(with_param(url, redirect_uri=other))
    assert location.startswith(other)
    await browser(sign_in.redirect_uri.replace("localhost", "127.0.0.1") + "?"
                  + urlsplit(location).query)
    with pytest.raises(OAuthError) as raised:
        await waiting
    assert (raised.value.code, raised.value.error, raised.value.aadsts) == (
        "oauth_client_misconfigured", error, aadsts)
    assert "redirect address" in str(raised.value)


async def test_unregistered_redirect_times_out_with_advice(fake_oauth, microsoft):
    fake_oauth.registered_redirects = ("https://elsewhere.example/",)
    sign_in, url, waiting = await begin(*microsoft, timeout=0.3)
    status, _, page = await browser(url)
    assert status == 400 and "AADSTS50011" in page  # the browser shows it; no redirect
    with pytest.raises(OAuthError) as raised:
        await waiting
    assert raised.value.code == "oauth_timeout" and "AADSTS50011" in str(raised.value)


async def test_wrong_state_is_refused_and_the_real_redirect_still_works(fake_oauth, microsoft):
    sign_in, url, waiting = await begin(*microsoft)
    here = on_loopback(sign_in.redirect_uri)
    status, _, page = await browser(here + "?code=forged&state=wrong")
    assert status == 400 and "does not belong" in page
    assert (await browser(here + "?code=forged&state=%C3%A9"))[0] == 400  # non-ASCII state
    assert (await browser(on_loopback(sign_in.redirect_uri) + "favicon.ico"))[0] == 404
    assert not waiting.done()
    _, location, _ = await browser(url)
    assert (await browser(on_loopback(location)))[0] == 200
    assert isinstance(await waiting, TokenSet)
    assert all(form.get("code") != "forged" for form in fake_oauth.token_forms)


async def test_access_denied(fake_oauth, google):
    fake_oauth.authorize_error = "access_denied"
    sign_in, url, waiting = await begin(*google)
    _, location, _ = await browser(url)
    assert "error=access_denied" in location
    status, _, page = await browser(location)
    assert status == 200 and "Access was not granted" in page
    with pytest.raises(OAuthError) as raised:
        await waiting
    assert (raised.value.code, raised.value.error) == ("oauth_consent_required", "access_denied")
    assert fake_oauth.count("token") == 0


async def test_cancel_wait_closes_the_listener(microsoft):
    sign_in, _, waiting = await begin(*microsoft)
    await asyncio.sleep(0.01)
    started = time.monotonic()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert time.monotonic() - started < 0.1
    with pytest.raises(OSError):
        await browser(on_loopback(sign_in.redirect_uri))
    await sign_in.close()  # idempotent


async def test_pasted_redirect_address(fake_oauth, google):
    sign_in = LoopbackSignIn(*google)
    url = await sign_in.start()
    _, location, _ = await browser(url)
    assert "another sign-in" in sign_in.accept_redirect(with_param(location, state="x"))
    assert "no sign-in answer" in sign_in.accept_redirect("http://127.0.0.1:1/")
    assert sign_in.accept_redirect(location) is None
    tokens = await sign_in.wait()
    assert fake_oauth.user_for(tokens.access_token) == fake_oauth.user


# -- refresh -------------------------------------------------------------------------------
async def test_refresh_rotates_and_the_old_token_dies(fake_oauth, microsoft):
    oauth, ends = microsoft
    old = fake_oauth.issue_refresh_token()
    tokens = await refresh(oauth, ends, old)
    assert tokens.refresh_token not in (None, old)
    assert fake_oauth.user_for(tokens.access_token) == fake_oauth.user
    assert fake_oauth.token_forms[-1]["scope"] == " ".join(ends.scopes)
    again = await refresh(oauth, ends, tokens.refresh_token)
    assert again.refresh_token != tokens.refresh_token
    with pytest.raises(OAuthError) as raised:
        await refresh(oauth, ends, old)
    assert (raised.value.code, raised.value.error, raised.value.aadsts) == (
        "oauth_refresh_expired", "invalid_grant", (70008,))
    assert "sign in again" in str(raised.value)


async def test_refresh_without_rotation_keeps_the_token(fake_oauth, google):
    oauth, ends = google
    fake_oauth.rotate_refresh = False
    old = fake_oauth.issue_refresh_token(GOOGLE_CLIENT)
    tokens = await refresh(oauth, ends, old)
    assert tokens.refresh_token == old
    form = fake_oauth.token_forms[-1]
    assert form["client_secret"] == GOOGLE_SECRET and "scope" not in form
    fake_oauth.revoke_all()
    with pytest.raises(OAuthError) as raised:
        await refresh(oauth, ends, old)
    assert raised.value.code == "oauth_refresh_expired"
    assert raised.value.detail == "Token has been expired or revoked."


async def test_client_secret_from_the_environment(fake_oauth, monkeypatch):
    oauth = OAuthConfig(**{**fake_oauth.oauth_config("google").__dict__,
                           "client_secret": SecretRef("env", "FAKE_GOOGLE_SECRET")})
    ends = endpoints_for(oauth, "gmail")
    token = fake_oauth.issue_refresh_token(GOOGLE_CLIENT)
    with pytest.raises(OAuthError) as raised:
        await refresh(oauth, ends, token)
    assert raised.value.code == "oauth_client_misconfigured"
    assert "FAKE_GOOGLE_SECRET" in str(raised.value) and fake_oauth.requests == []
    monkeypatch.setenv("FAKE_GOOGLE_SECRET", GOOGLE_SECRET)
    assert (await refresh(oauth, ends, token)).access_token


# -- the server cannot be reached ----------------------------------------------------------
async def test_unreachable_endpoint():
    port = closed_port()
    oauth = OAuthConfig(flow_provider="microsoft", client_id="x",
                        token_url=f"http://127.0.0.1:{port}/token",
                        device_url=f"http://127.0.0.1:{port}/devicecode")
    ends = endpoints_for(oauth, "outlook")
    started = time.monotonic()
    for call in (refresh(oauth, ends, "rt"), start_device_flow(oauth, ends)):
        with pytest.raises(OAuthError) as raised:
            await call
        assert (raised.value.code, raised.value.host) == ("oauth_unreachable", "127.0.0.1")
        assert "could not be reached" in str(raised.value) and "refused" in str(raised.value)
    assert time.monotonic() - started < 2


async def test_a_server_that_answers_no_json(fake_oauth, microsoft):
    fake_oauth.broken = True
    with pytest.raises(OAuthError) as raised:
        await refresh(*microsoft, "rt")
    assert raised.value.code == "oauth_unreachable" and "HTTP 503" in str(raised.value)


# -- no token in any message or repr -------------------------------------------------------
async def test_no_token_in_any_exception_or_repr(fake_oauth, microsoft, google):
    oauth, ends = microsoft
    seen: list[object] = []
    code = await start_device_flow(oauth, ends)
    tokens = await poll_device_flow(oauth, ends, code)
    rotated = await refresh(oauth, ends, tokens.refresh_token)
    seen += [code, tokens, rotated]
    for attempt in (refresh(oauth, ends, tokens.refresh_token),  # rotated away
                    refresh(*google, tokens.refresh_token)):
        with pytest.raises(OAuthError) as raised:
            await attempt
        seen.append(raised.value)
    sign_in = LoopbackSignIn(oauth, ends)
    url = await sign_in.start()
    seen.append(sign_in)
    waiting = asyncio.create_task(sign_in.wait())
    _, location, _ = await browser(with_param(url, code_challenge=pkce_pair()[1]))
    await browser(on_loopback(location))
    with pytest.raises(OAuthError) as raised:
        await waiting
    seen.append(raised.value)
    secrets_ = [*fake_oauth.issued, code.device_code, sign_in._verifier, GOOGLE_SECRET]
    assert len(fake_oauth.issued) == 4
    for thing in seen:
        texts = [str(thing), repr(thing)]
        if isinstance(thing, OAuthError):
            texts += [thing.detail, thing.error, thing.reason, repr(thing.args)]
        for text in texts:
            assert not any(secret in text for secret in secrets_), text
