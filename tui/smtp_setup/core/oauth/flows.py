"""Signing in with OAuth 2.0 for SMTP (XOAUTH2): Microsoft and Google, one small client.

Three ways to get tokens, all asyncio and stdlib HTTP, every URL from the catalog (or the
profile's overrides, which tests point at 127.0.0.1):
- the device authorization grant (RFC 8628): a code typed on any device; Microsoft only,
  since Google's device flow has no mail scope;
- the authorization code grant with PKCE and a loopback redirect (RFC 7636, RFC 8252), in
  oauth_loopback.LoopbackSignIn; never opens a browser itself;
- the refresh grant, at send time.
Failures are OAuthError with a diagnosis code; tokens never reach a message or a repr.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from smtp_setup.core.oauth.client import client_request_form, client_secret
from smtp_setup.core.oauth.http import (
    Endpoints,
    OAuthError,
    TokenSet,
    error_from_answer,
    post_form,
    token_set,
)
from smtp_setup.core.oauth.loopback import LoopbackSignIn, require_refresh_token
from smtp_setup.core.profiles.oauth_config import OAuthConfig
from smtp_setup.i18n import _

__all__ = [
    "DeviceCode", "Endpoints", "LoopbackSignIn", "OAuthError", "TokenSet", "client_secret",
    "endpoints_for", "poll_device_flow", "refresh", "start_device_flow",
]  # fmt: skip

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5.0  # RFC 8628 §3.5: slow_down adds 5 s "for this and all subsequent requests"


@dataclass
class DeviceCode:
    """A device sign-in in progress: show `verification_uri` and `user_code` to the person.
    `interval` grows when the server asks to slow down."""

    user_code: str
    verification_uri: str
    expires_at: float  # time.time() when the code stops working (Microsoft: 15 minutes)
    interval: float  # seconds between polls
    device_code: str = field(repr=False)
    message: str = ""  # the server's own instructions, when it sends them


def endpoints_for(oauth: OAuthConfig, provider_id: str) -> Endpoints:
    """The sign-in endpoints for a profile: the catalog's for its provider (or, for a provider
    without an oauth table, the first one with the same flow_provider), {tenant} filled with
    the profile's tenant or the catalog's default, and the profile's URL overrides winning."""
    from smtp_setup.core.catalog.loader import load_catalog  # the catalog is read once, on demand

    catalog = load_catalog()
    own = catalog.get(provider_id).oauth if provider_id in catalog else None
    if not own or own["flow_provider"] != oauth.flow_provider:
        own = next((p.oauth for p in catalog
                    if p.oauth and p.oauth["flow_provider"] == oauth.flow_provider), None)
    if own is None:
        raise OAuthError("oauth_client_misconfigured", error="unknown_flow_provider",
                         reason=_("no sign-in is known for {name}").format(
                             name=repr(oauth.flow_provider)),
                         sentence=_("smtp-setup cannot sign in with {name}; choose microsoft "
                                    "or google.").format(name=repr(oauth.flow_provider)))
    tenant = quote(oauth.tenant or own["default_tenant"], safe="")

    def pick(key: str) -> str:
        return (getattr(oauth, key) or own[key]).replace("{tenant}", tenant)

    return Endpoints(authorize_url=pick("authorize_url"), token_url=pick("token_url"),
                     device_url=pick("device_url"), scopes=tuple(own["scopes"]),
                     redirect_host=own["redirect_host"])


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


async def start_device_flow(oauth: OAuthConfig, endpoints: Endpoints) -> DeviceCode:
    """Ask for a device code. Call only when the person has asked to sign in: the code is a
    phishing target, and it starts a 15-minute clock."""
    if not endpoints.device_url:
        raise OAuthError("oauth_client_misconfigured", error="no_device_flow",
                         reason=_("this provider has no sign-in with a code for mail"),
                         sentence=_("This provider offers no sign-in with a code for mail; "
                                    "use the browser sign-in."))
    host = _host(endpoints.device_url)
    form = {**await client_request_form(oauth), "scope": " ".join(endpoints.scopes)}
    answer = await post_form(endpoints.device_url, form, stage="device")
    if "error" in answer:
        raise error_from_answer(answer, "device", host)
    uri = answer.get("verification_uri") or answer.get("verification_url")  # Google's name
    user_code, device_code = answer.get("user_code"), answer.get("device_code")
    if not all(isinstance(v, str) and v for v in (uri, user_code, device_code)):
        raise OAuthError("oauth_unreachable", error="bad_device_answer", host=host,
                         detail=_("its answer lacked the code or the address to enter it"))
    try:
        lifetime = float(answer.get("expires_in", 900))
        interval = max(float(answer.get("interval", 5)), 0.0)
    except (TypeError, ValueError):
        lifetime, interval = 900.0, 5.0
    return DeviceCode(user_code=user_code, verification_uri=uri,
                      expires_at=time.time() + lifetime, interval=interval,
                      device_code=device_code, message=str(answer.get("message") or ""))


async def poll_device_flow(oauth: OAuthConfig, endpoints: Endpoints, code: DeviceCode, *,
                           on_tick: Callable[[float], None] | None = None,
                           slow_down_step: float = SLOW_DOWN_STEP) -> TokenSet:
    """Wait for the person to enter the code; the TokenSet once they have.

    Polls every `code.interval` seconds; "authorization_pending" waits on, "slow_down" adds
    `slow_down_step` to the interval for good. `on_tick(seconds_left)` runs before each wait.
    Raises OAuthError: oauth_cancelled (declined), oauth_timeout (expired),
    oauth_device_flow_blocked (AADSTS53003), ... Cancelling the task stops it at once; no
    request follows a cancel."""
    host = _host(endpoints.token_url)
    form = {**await client_request_form(oauth), "grant_type": DEVICE_GRANT,
            "device_code": code.device_code}
    while True:
        left = code.expires_at - time.time()
        if left <= 0:
            raise OAuthError("oauth_timeout", error="expired_token", host=host,
                             sentence=_("The sign-in code expired before it was used; get a "
                                        "new code and try again."))
        if on_tick is not None:
            on_tick(left)
        await asyncio.sleep(min(code.interval, left))
        answer = await post_form(endpoints.token_url, form, stage="device")
        error = answer.get("error")
        if not error:
            return require_refresh_token(token_set(answer, host), host)
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            code.interval += slow_down_step
            continue
        raise error_from_answer(answer, "device", host)


async def refresh(oauth: OAuthConfig, endpoints: Endpoints, refresh_token: str) -> TokenSet:
    """A fresh access token from a refresh token. The TokenSet's refresh_token is the
    rotated one when the server sent one (Microsoft does on every use: store it before using
    the access token), else the one given. OAuthError oauth_refresh_expired means "sign in
    again"; oauth_unreachable is worth a retry later."""
    host = _host(endpoints.token_url)
    form = {**await client_request_form(oauth), "grant_type": "refresh_token",
            "refresh_token": refresh_token}
    if oauth.flow_provider == "microsoft":  # Microsoft wants the scope again; Google keeps it
        form["scope"] = " ".join(endpoints.scopes)
    answer = await post_form(endpoints.token_url, form, stage="refresh")
    if "error" in answer:
        raise error_from_answer(answer, "refresh", host)
    return token_set(answer, host, keep_refresh=refresh_token)
