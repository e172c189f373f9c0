"""A fake OAuth 2.0 authorization server on 127.0.0.1, for the sign-in tests.

Thread-backed (the code under test calls it from worker threads and asyncio alike), with
Microsoft's path layout and error shapes (AADSTS numbers, `error_codes`) for clients of
style "microsoft" and Google's plainer ones for style "google":
- POST .../devicecode: a device code whose polls follow `device_script`;
- GET  .../authorize (or /auth): consent at once, 302 to the redirect_uri with code+state,
  or with `authorize_error`; an unregistered redirect_uri gets an error page, no redirect;
- POST .../token: device_code, authorization_code (PKCE S256 and redirect_uri checked) and
  refresh_token (rotation unless `rotate_refresh` is False; a used or revoked one fails).
For the SMTP side: `valid_access_tokens` and `user_for(token)`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.core.profiles.oauth_config import OAuthConfig

__all__ = ["FakeOAuthServer", "fake_oauth"]

MS_CLIENT = "11111111-2222-3333-4444-555555555555"
GOOGLE_CLIENT = "1234-test.apps.googleusercontent.test"
GOOGLE_SECRET = "fake-google-client-secret"
# Device poll steps: what the n-th poll answers; after the script, success.
DEVICE_ERRORS = {
    "pending": (400, "authorization_pending", 70016, "Authorization is pending."),
    "slow_down": (400, "slow_down", 0, "Polling too fast."),
    "declined": (400, "authorization_declined", 70000, "The user declined the sign-in."),
    "expired": (400, "expired_token", 70019, "The device code has expired."),
    "blocked": (400, "invalid_grant", 53003, "Access has been blocked by Conditional Access "
                "policies. The access policy does not allow token issuance."),
}


class FakeOAuthServer:
    """Start with start(); point an OAuthConfig at it with oauth_config()."""

    def __init__(self) -> None:
        # client_id -> (secret or None for a public client, error style)
        self.clients: dict[str, tuple[str | None, str]] = {
            MS_CLIENT: (None, "microsoft"), GOOGLE_CLIENT: (GOOGLE_SECRET, "google")}
        self.user = "me@example.test"  # who signs in (a login_hint overrides it)
        self.device_script: list[str] = []
        self.device_interval = 0.01
        self.device_expires_in = 900
        self.authorize_error = ""  # e.g. "access_denied": the redirect carries it
        self.registered_redirects = ("http://127.0.0.1:", "http://localhost:")
        self.rotate_refresh = True
        self.access_ttl = 3600
        self.broken = False  # every answer becomes a 503 HTML page
        self.token_delay = 0.0  # seconds the token endpoint thinks first (overlapping clients)
        self.requests: list[tuple[str, str]] = []  # (endpoint, grant_type) in arrival order
        self.authorize_requests: list[dict[str, str]] = []
        self.token_forms: list[dict[str, str]] = []
        self.issued: list[str] = []  # every token handed out, for leak checks
        self.valid_access_tokens: set[str] = set()
        self._access_users: dict[str, str] = {}
        self._refresh: dict[str, dict[str, str]] = {}
        self._codes: dict[str, dict[str, str]] = {}
        self._devices: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # -- life cycle and test controls ----------------------------------------------------
    def start(self) -> FakeOAuthServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass  # quiet, and no request line with a code in the test output

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice (0.5 s by default).
        threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def oauth_config(self, flow_provider: str = "microsoft", *, tenant: str = "",
                     client_id: str = "", with_secret: bool | None = None) -> OAuthConfig:
        """An OAuthConfig whose every endpoint points here ({tenant} left for endpoints_for)."""
        google = flow_provider == "google"
        if google:
            urls = {"authorize_url": f"{self.base_url}/o/oauth2/v2/auth",
                    "token_url": f"{self.base_url}/token", "device_url": ""}
        else:
            root = f"{self.base_url}/{{tenant}}/oauth2/v2.0"
            urls = {"authorize_url": f"{root}/authorize", "token_url": f"{root}/token",
                    "device_url": f"{root}/devicecode"}
        secret = SecretRef("inline", GOOGLE_SECRET) if (google if with_secret is None
                                                         else with_secret) else None
        return OAuthConfig(flow_provider=flow_provider, tenant=tenant, client_secret=secret,
                           client_id=client_id or (GOOGLE_CLIENT if google else MS_CLIENT),
                           **urls)

    def issue_refresh_token(self, client_id: str = MS_CLIENT, user: str = "") -> str:
        """A live refresh token, as if a sign-in had happened."""
        with self._lock:
            return self._tokens(client_id, user or self.user, "scope")["refresh_token"]

    def user_for(self, token: str) -> str | None:
        """The mailbox an access token was issued for, or None when it is not valid."""
        with self._lock:
            return self._access_users.get(token) if token in self.valid_access_tokens else None

    def revoke_all(self) -> None:
        with self._lock:
            self._refresh.clear()
            self.valid_access_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.valid_access_tokens.clear()

    def count(self, endpoint: str) -> int:
        return sum(1 for kind, _ in self.requests if kind == endpoint)

    # -- HTTP -------------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(request.path)
        last = url.path.rstrip("/").rpartition("/")[2]
        kind = {"devicecode": "device", "authorize": "authorize", "auth": "authorize",
                "token": "token"}.get(last, "")
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(body if method == "POST" else url.query).items()}
        if kind == "token" and self.token_delay:
            time.sleep(self.token_delay)  # outside the lock: other requests keep coming in
        with self._lock:
            self.requests.append((kind, form.get("grant_type", "")))
            if self.broken:
                return _send(request, 503, b"<html>Service Unavailable</html>", "text/html")
            if kind == "authorize" and method == "GET":
                return self._authorize(request, form)
            if method != "POST" or kind not in ("device", "token"):
                return _send(request, 404, b"not found", "text/plain")
            self.token_forms.append(dict(form))
            status, answer = self._client_check(form, request.headers.get("Authorization"))
            if status == 200:
                status, answer = (self._device(form) if kind == "device" else self._token(form))
        _send(request, status, json.dumps(answer).encode(), "application/json")

    def _error(self, client_id: str, status: int, error: str, description: str,
               aadsts: int = 0) -> tuple[int, dict[str, Any]]:
        style = self.clients.get(client_id, (None, "microsoft"))[1]
        if style == "google" or not aadsts:
            return status, {"error": error, "error_description": description}
        return status, {"error": error, "error_description": f"AADSTS{aadsts}: {description} "
                        "Trace ID: 0000 Correlation ID: 1111", "error_codes": [aadsts]}

    def _client_check(self, form: dict[str, str], basic: str | None) -> tuple[int, dict]:
        if basic and basic.startswith("Basic "):  # requests-oauthlib style client auth
            cid, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            form.setdefault("client_id", cid)
            form.setdefault("client_secret", secret)
        cid = form.get("client_id", "")
        if cid not in self.clients:
            return self._error(cid, 400, "unauthorized_client", f"Application with identifier "
                               f"'{cid}' was not found in the directory.", 700016)
        secret, _ = self.clients[cid]
        sent = form.get("client_secret")
        if secret is None and sent:
            return self._error(cid, 401, "invalid_client", "The provided request must not "
                               "include a 'client_secret' input parameter.", 700025)
        if secret is not None and sent != secret:
            return self._error(cid, 401, "invalid_client", "Unauthorized")
        return 200, {}

    def _device(self, form: dict[str, str]) -> tuple[int, dict]:
        device_code = secrets.token_urlsafe(24)
        self._devices[device_code] = {"client_id": form["client_id"], "scope": form.get(
            "scope", ""), "script": list(self.device_script),
            "expires": time.time() + self.device_expires_in}
        return 200, {"device_code": device_code, "user_code": "FAKE-CODE",
                     "verification_uri": f"{self.base_url}/devicelogin",
                     "expires_in": self.device_expires_in, "interval": self.device_interval,
                     "message": "To sign in, open the page and enter the code FAKE-CODE."}

    def _token(self, form: dict[str, str]) -> tuple[int, dict]:
        grant, cid = form.get("grant_type", ""), form["client_id"]
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            device = self._devices.get(form.get("device_code", ""))
            if device is None or device["client_id"] != cid:
                return self._error(cid, 400, "bad_verification_code", "Unknown device code.")
            if time.time() > device["expires"]:
                return self._error(cid, 400, *DEVICE_ERRORS["expired"][1:])
            if device["script"]:
                status, error, aadsts, text = DEVICE_ERRORS[device["script"].pop(0)]
                return self._error(cid, status, error, text, aadsts)
            del self._devices[form["device_code"]]
            return 200, self._tokens(cid, self.user, device["scope"])
        if grant == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code["client_id"] != cid:
                return self._error(cid, 400, "invalid_grant", "The code was already redeemed "
                                   "or is not valid.", 54005)
            if form.get("redirect_uri") != code["redirect_uri"]:
                if self.clients[cid][1] == "google":
                    return self._error(cid, 400, "redirect_uri_mismatch", "Bad Request")
                return self._error(cid, 400, "invalid_request", "The redirect URI specified "
                                   "in the request does not match the redirect URIs "
                                   "configured for the application.", 50011)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if not 43 <= len(verifier) <= 128 or challenge.rstrip(b"=").decode() \
                    != code["challenge"]:
                return self._error(cid, 400, "invalid_grant", "The code_verifier does not "
                                   "match the code_challenge supplied in the authorization "
                                   "request.", 501481)
            return 200, self._tokens(cid, code["user"], code["scope"])
        if grant == "refresh_token":
            grant_of = self._refresh.get(form.get("refresh_token", ""))
            if grant_of is None or grant_of["client_id"] != cid:
                if self.clients[cid][1] == "google":
                    return self._error(cid, 400, "invalid_grant",
                                       "Token has been expired or revoked.")
                return self._error(cid, 400, "invalid_grant", "The refresh token has expired "
                                   "due to inactivity.", 70008)
            answer = self._tokens(cid, grant_of["user"], grant_of["scope"],
                                  refresh=self.rotate_refresh)
            if self.rotate_refresh:
                del self._refresh[form["refresh_token"]]
            return 200, answer
        return self._error(cid, 400, "unsupported_grant_type", f"grant_type {grant!r}")

    def _tokens(self, client_id: str, user: str, scope: str, *,
                refresh: bool = True) -> dict[str, Any]:
        access = "fake-at-" + secrets.token_urlsafe(32)
        self.valid_access_tokens.add(access)
        self._access_users[access] = user
        answer: dict[str, Any] = {"token_type": "Bearer", "access_token": access,
                                  "expires_in": self.access_ttl, "scope": scope}
        self.issued.append(access)
        if refresh:
            token = "fake-rt-" + secrets.token_urlsafe(32)
            self._refresh[token] = {"client_id": client_id, "user": user, "scope": scope}
            self.issued.append(token)
            answer["refresh_token"] = token
        return answer

    def _authorize(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        self.authorize_requests.append(dict(query))
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") not in self.clients:
            return _send(request, 400, b"AADSTS700016: unknown client", "text/html")
        if not redirect.startswith(self.registered_redirects):
            return _send(request, 400, b"AADSTS50011: The redirect URI does not match "
                         b"(redirect_uri_mismatch)", "text/html")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge") \
                or query.get("response_type") != "code":
            return _send(request, 400, b"invalid_request: PKCE S256 required", "text/html")
        back = {"state": query.get("state", "")}
        if self.authorize_error:
            back |= {"error": self.authorize_error, "error_description": "The user or an "
                     "administrator did not grant access."}
        else:
            code = secrets.token_urlsafe(24)
            self._codes[code] = {"client_id": query["client_id"], "redirect_uri": redirect,
                                 "challenge": query["code_challenge"],
                                 "scope": query.get("scope", ""),
                                 "user": query.get("login_hint") or self.user}
            back["code"] = code
        request.send_response(302)
        request.send_header("Location", f"{redirect}?{urlencode(back)}")
        request.send_header("Content-Length", "0")
        request.end_headers()


def _send(request: BaseHTTPRequestHandler, status: int, body: bytes, kind: str) -> None:
    request.send_response(status)
    request.send_header("Content-Type", kind)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


@pytest.fixture
def fake_oauth():
    """A running FakeOAuthServer; stopped after the test."""
    server = FakeOAuthServer().start()
    yield server
    server.stop()
