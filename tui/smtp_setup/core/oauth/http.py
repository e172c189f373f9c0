"""Talking to a sign-in server: form-encoded POSTs, JSON answers, and what goes wrong.

Stdlib only (urllib in a worker thread), so importing this costs little and nothing here
knows about any one provider: every URL comes from core.oauth.Endpoints. A server's error
becomes an OAuthError carrying one diagnosis code; no token ever reaches an exception.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, ProxyHandler, Request, build_opener

from smtp_setup.i18n import N_, _

if TYPE_CHECKING:
    from smtp_setup.core.profiles.oauth_config import OAuthConfig

REQUEST_TIMEOUT = 10.0  # seconds per request; sign-in servers answer in well under one
_MAX_BODY = 1 << 20  # token answers are a few KB; never read an unbounded body
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_AADSTS = re.compile(r"\bAADSTS(\d{4,9})\b")


@dataclass(frozen=True)
class Endpoints:
    """Where one sign-in happens: catalog defaults with the tenant filled, overrides applied."""

    authorize_url: str
    token_url: str
    device_url: str  # "" when the provider has no device flow for mail (Google)
    scopes: tuple[str, ...]
    redirect_host: str = "127.0.0.1"  # Microsoft's portal can only register http://localhost


@dataclass
class TokenSet:
    """What a sign-in or a refresh returns. The repr never shows a token."""

    access_token: str
    expires_at: float  # time.time() when the access token stops working
    refresh_token: str | None
    scope: str = ""

    def __repr__(self) -> str:
        left = self.expires_at - time.time()
        return (f"TokenSet(access_token=<hidden>, expires_in={left:.0f}s, refresh_token="
                f"{'<hidden>' if self.refresh_token else None}, scope={self.scope!r})")


# What each failure means for the person, and what to do; str(OAuthError) is one of these.
_SENTENCES = {
    "oauth_unreachable": N_("The sign-in server {host} could not be reached ({detail}); check that "
                         "this computer is online, then try again."),
    "oauth_device_flow_blocked": N_("Your organisation blocks sign-in with a code (AADSTS53003); "
                                 "use the browser sign-in instead."),
    "oauth_cancelled": N_("The sign-in was declined or cancelled; start it again when you are ready."),
    "oauth_timeout": "{detail}",
    "oauth_refresh_expired": N_("Your sign-in has expired or was revoked ({detail}); sign in again."),
    "oauth_consent_required": N_("Access was not granted ({detail}): an administrator may have to "
                              "approve the app, or a Google app in Testing must list you as a "
                              "test user; then sign in again."),
    "oauth_client_misconfigured": N_("The app registration is not set up right: {detail}. Fix it "
                                  "as the guide in the README says, then sign in again."),
}
# Registration mistakes named by Microsoft's AADSTS number or by the OAuth error string.
_MISREGISTERED = {
    7000218: N_("it must allow public client flows (Authentication > Advanced settings)"),
    50011: N_("the redirect address is not registered (add http://localhost under Mobile and "
           "desktop applications)"),
    700016: N_("the client ID is not known in this tenant (check the client ID and the tenant)"),
    50194: N_("a single-tenant app needs its tenant ID instead of common"),
    9002332: N_("the app does not allow personal Microsoft accounts"),
    700025: N_("a public client must not send a client secret (remove client_secret)"),
    7000112: N_("the application is disabled (use your own app registration)"),
    501481: N_("the sign-in code did not match its PKCE verifier"),
    54005: N_("the sign-in code was already used"),
    "redirect_uri_mismatch": N_("the redirect address is not allowed (create a Desktop app client)"),
    "invalid_client": N_("the client ID or client secret is wrong, or the client was deleted"),
    "unauthorized_client": N_("the client is not allowed to use this sign-in"),
    "invalid_scope": N_("the requested permissions were refused"),
    "deleted_client": N_("the client was deleted"), "disabled_client": N_("the client is disabled"),
}
_CONSENT = {65001, 90094, 90095, 530035, 53003}
_CONSENT_ERRORS = {"consent_required", "admin_policy_enforced", "access_denied", "org_internal",
                   "interaction_required"}


class OAuthError(Exception):
    """A sign-in or refresh failed. `code` is a diagnosis code, `error` the server's error
    string (or ours: "unreachable", "timeout", ...), `detail` its description, `aadsts` the
    Microsoft error numbers, `reason` a short phrase for a diagnosis. str() is one sentence
    with the fix; never a token."""

    def __init__(self, code: str, *, error: str = "", detail: str = "",
                 aadsts: tuple[int, ...] = (), host: str = "", sentence: str = "",
                 reason: str = "") -> None:
        self.code = code
        self.error = error
        self.detail = detail
        self.aadsts = aadsts
        self.host = host
        self.reason = str(reason) or detail.split(". ")[0].strip().rstrip(".")[:200] or error \
            or _("no details")
        self.sentence = sentence or str(_SENTENCES.get(code, "{detail}")).format(
            host=host or _("the server"), detail=self.reason)
        super().__init__(self.sentence)

    def __repr__(self) -> str:
        return f"OAuthError(code={self.code!r}, error={self.error!r}, aadsts={self.aadsts!r})"


def classify(error: str, detail: str, aadsts: tuple[int, ...], stage: str) -> str:
    """The diagnosis code for a server's error at `stage` ("device", "code", "refresh")."""
    numbers = set(aadsts)
    if 53003 in numbers and stage == "device":
        return "oauth_device_flow_blocked"
    # RFC 8628's "the person said no" (Microsoft's own word for it too); 65004: declined consent
    if (error in ("authorization_declined", "access_denied") and stage == "device") \
            or 65004 in numbers:
        return "oauth_cancelled"
    if error in ("expired_token", "bad_verification_code"):
        return "oauth_timeout"
    if error in ("server_error", "temporarily_unavailable"):
        return "oauth_unreachable"
    if numbers & _CONSENT or (error in _CONSENT_ERRORS and stage != "refresh"):
        return "oauth_consent_required"
    if stage == "refresh" and error in ("invalid_grant", "interaction_required"):
        return "oauth_refresh_expired"
    return "oauth_client_misconfigured"


def error_from_answer(answer: dict[str, Any], stage: str, host: str) -> OAuthError:
    """Turn a JSON error answer ({"error", "error_description", "error_codes"}) into an
    OAuthError with the right code and a sentence naming the fix."""
    error = str(answer.get("error") or "")
    detail = " ".join(str(answer.get("error_description") or "").split())[:500]
    listed = answer.get("error_codes")
    codes = [c for c in listed if isinstance(c, int)] if isinstance(listed, list) else []
    codes += [int(n) for n in _AADSTS.findall(detail)]
    aadsts = tuple(dict.fromkeys(codes))
    code = classify(error, detail, aadsts, stage)
    sentence = reason = ""
    if code == "oauth_client_misconfigured":
        reason = next((_MISREGISTERED[n] for n in aadsts if n in _MISREGISTERED),
                      _MISREGISTERED.get(error) or (
                          _("the server answered {error}").format(error=error) if error
                          else _("the server answered an error")))
    elif code == "oauth_timeout":
        sentence = _("The sign-in code expired before it was used; get a new code and try "
                     "again.")
    return OAuthError(code, error=error, detail=detail, aadsts=aadsts, host=host,
                      sentence=sentence, reason=reason)


class _NoRedirects(HTTPRedirectHandler):
    """A token endpoint never redirects; following one could send a token elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(host: str) -> Any:
    # Loopback never goes through a proxy (tests, and a proxy would see the tokens).
    handlers: list[Any] = [_NoRedirects()]
    if host in _LOOPBACK:
        handlers.append(ProxyHandler({}))
    return build_opener(*handlers)


def _post_sync(url: str, form: dict[str, str], timeout: float) -> tuple[int, Any]:
    host = urlsplit(url).hostname or url
    request = Request(url, data=urlencode(form).encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
        "User-Agent": "smtp-setup"})
    try:
        with _opener(host).open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(_MAX_BODY)
    except HTTPError as exc:  # 4xx/5xx still carry the JSON error
        with exc:
            status, raw = exc.code, exc.read(_MAX_BODY)
    except (URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            why = _("no answer within {seconds} seconds").format(seconds=f"{timeout:g}")
        else:
            why = getattr(reason, "strerror", None) or str(reason) or type(exc).__name__
        raise OAuthError("oauth_unreachable", error="unreachable", detail=str(why),
                         host=host) from None
    try:
        return status, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return status, None


async def post_form(url: str, form: dict[str, str], *, stage: str,
                    timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
    """POST `form` to `url` and return its JSON object. An OAuth error answer is returned
    as it is (the device poll reads "authorization_pending" from it); a network failure or
    an answer that is not JSON raises OAuthError. Cancelling returns at once."""
    host = urlsplit(url).hostname or url
    status, answer = await asyncio.to_thread(_post_sync, url, form, timeout)
    if not isinstance(answer, dict):
        raise OAuthError("oauth_unreachable", error=f"http_{status}", host=host,
                         detail=_("it answered HTTP {status} without a sign-in answer")
                         .format(status=status))
    if status >= 500 and "error" not in answer:
        raise OAuthError("oauth_unreachable", error=f"http_{status}", host=host,
                         detail=_("it answered HTTP {status}").format(status=status))
    if status >= 400 and "error" not in answer:
        answer = {"error": f"http_{status}", "error_description": f"HTTP {status}"}
    return answer


async def token_request(url: str, form: dict[str, str], *, stage: str) -> TokenSet:
    """POST to a token endpoint; the TokenSet, or OAuthError for any error answer."""
    host = urlsplit(url).hostname or url
    answer = await post_form(url, form, stage=stage)
    if "error" in answer:
        raise error_from_answer(answer, stage, host)
    return token_set(answer, host)


def token_set(answer: dict[str, Any], host: str, *, keep_refresh: str | None = None) -> TokenSet:
    """A TokenSet from a token answer; `keep_refresh` when the server sends no new one."""
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthError("oauth_unreachable", error="no_access_token", host=host,
                         detail=_("its answer held no access token"))
    try:
        lifetime = float(answer.get("expires_in", 3600))
    except (TypeError, ValueError):
        lifetime = 3600.0  # a malformed lifetime is not worth failing a sign-in over
    refresh = answer.get("refresh_token")
    return TokenSet(access_token=access, expires_at=time.time() + lifetime,
                    refresh_token=refresh if isinstance(refresh, str) and refresh
                    else keep_refresh, scope=str(answer.get("scope") or ""))


def client_form(oauth: OAuthConfig, secret: str | None) -> dict[str, str]:
    """The client's own fields of a token request: the ID, and the secret when there is one
    (Google's installed apps need it; Microsoft public clients must not send one)."""
    form = {"client_id": oauth.client_id}
    if secret:
        form["client_secret"] = secret
    return form
