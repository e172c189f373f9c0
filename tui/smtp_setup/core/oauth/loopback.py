"""Browser sign-in: the authorization code grant with PKCE and a loopback redirect.

A tiny asyncio HTTP listener on 127.0.0.1 (and ::1 when the redirect host is "localhost",
the only loopback form Microsoft's portal can register) at a random port waits for the one
redirect that carries this sign-in's `state`. It never opens a browser: the caller shows the
URL, and the person opens it (RFC 8252 §7.3, §8.3).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import secrets
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from smtp_setup.core.oauth.client import client_secret
from smtp_setup.core.oauth.http import (
    Endpoints,
    OAuthError,
    TokenSet,
    client_form,
    error_from_answer,
    token_request,
)
from smtp_setup.i18n import _, current_language

if TYPE_CHECKING:
    from smtp_setup.core.profiles.oauth_config import OAuthConfig

REDIRECT_PATH = "/"
_HEAD_LIMIT = 16_384  # a redirect with a code is well under 4 KB
_READ_TIMEOUT = 10.0  # a browser that connects but sends nothing is not waited for


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier (86 URL-safe characters, RFC 7636 allows 43-128) and its S256
    challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def require_refresh_token(tokens: TokenSet, host: str) -> TokenSet:
    """A sign-in without a refresh token is useless to a saved profile: say so now."""
    if not tokens.refresh_token:
        raise OAuthError("oauth_client_misconfigured", error="no_refresh_token", host=host,
                         reason=_("the sign-in gave no refresh token (offline access "
                                  "missing)"),
                         sentence=_("The sign-in gave no refresh token, so smtp-setup could "
                                    "not send later; the app must be allowed offline access "
                                    "(offline_access), then sign in again."))
    return tokens


def _page(title: str, text: str, status: str = "200 OK") -> bytes:
    """The whole HTTP answer: a small page in the language of this run."""
    lang = html.escape(current_language(), quote=True)
    body = (f"<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>"
            f"{html.escape(title)}</title></head><body style=\"font-family:sans-serif;"
            f"margin:3em\"><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body>"
            "</html>").encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
            "Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + body


# The browser's pages, built when sent (the language is the run's, not the import's).
def _wrong_state() -> bytes:
    return _page(_("Not this sign-in"), _("This address does not belong to the sign-in "
                                          "running in smtp-setup. Start the sign-in from "
                                          "smtp-setup again."), "400 Bad Request")


def _finished() -> bytes:
    return _page(_("Sign-in already finished"), _("smtp-setup is no longer waiting for this "
                                                  "sign-in. Return to the terminal."), "410 Gone")


def _not_found() -> bytes:
    return _page(_("Not found"), _("Nothing here."), "404 Not Found")


def _signed_in() -> bytes:
    return _page(_("Signed in"), _("You can close this tab and return to smtp-setup."))


def _stopped() -> bytes:
    return _page(_("Sign-in stopped"), _("smtp-setup stopped waiting. Return to the terminal."))


def _not_finished(reason: str) -> bytes:
    return _page(_("Sign-in did not finish"), reason)


def _first(query: dict[str, list[str]], key: str) -> str:
    return (query.get(key) or [""])[0]


def _same(a: str, b: str) -> bool:
    # compare_digest refuses non-ASCII str, and a forged state may hold anything
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class LoopbackSignIn:
    """One browser sign-in: `url = await start()`, show it, `tokens = await wait()`, and
    `await close()` in any case (wait() closes on its way out too)."""

    def __init__(self, oauth: OAuthConfig, endpoints: Endpoints, *, login_hint: str = "",
                 timeout: float = 300.0) -> None:
        self._oauth, self._endpoints = oauth, endpoints
        self._login_hint = login_hint
        self._timeout = timeout
        self._verifier, self._challenge = pkce_pair()
        self._state = secrets.token_urlsafe(24)
        self._servers: list[asyncio.Server] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._answer: asyncio.Future[bytes] | None = None  # the browser's page, once known
        self._redirect: asyncio.Future[tuple[dict[str, list[str]], asyncio.Future[bytes]]] \
            | None = None
        self.redirect_uri = ""
        self.url = ""

    def __repr__(self) -> str:  # the verifier and state stay out of logs
        return f"LoopbackSignIn(redirect_uri={self.redirect_uri!r})"

    async def start(self) -> str:
        """Listen on a random loopback port and return the URL for the person to open."""
        if self._redirect is not None:
            raise RuntimeError("this sign-in has already started")  # i18n: a programming error
        self._redirect = asyncio.get_running_loop().create_future()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_HEAD_LIMIT)
        self._servers.append(server)
        port = server.sockets[0].getsockname()[1]
        host = self._endpoints.redirect_host
        if host == "localhost":  # the browser may resolve localhost to ::1 first
            try:
                self._servers.append(await asyncio.start_server(
                    self._serve, "::1", port, limit=_HEAD_LIMIT))
            except OSError:
                pass  # no IPv6 loopback, or the port is taken there: 127.0.0.1 still serves
        self.redirect_uri = f"http://{host}:{port}{REDIRECT_PATH}"
        params = {"client_id": self._oauth.client_id, "response_type": "code",
                  "redirect_uri": self.redirect_uri, "scope": " ".join(self._endpoints.scopes),
                  "state": self._state, "code_challenge": self._challenge,
                  "code_challenge_method": "S256"}
        if self._login_hint:
            params["login_hint"] = self._login_hint
        joiner = "&" if "?" in self._endpoints.authorize_url else "?"
        self.url = self._endpoints.authorize_url + joiner + urlencode(params, quote_via=quote)
        return self.url

    def accept_redirect(self, address: str) -> str | None:
        """For a browser on another machine: the address it ended on (an error page, since
        nothing listens there). Returns why it cannot be used, or None when wait() will go
        on with it."""
        try:
            query = parse_qs(urlsplit(address.strip()).query)
        except ValueError:
            return _("That is not a web address.")
        if not ("code" in query or "error" in query):
            return _("That address holds no sign-in answer (no code= in it).")
        if not _same(_first(query, "state"), self._state):
            return _("That address belongs to another sign-in; use the one from this "
                     "sign-in.")
        if self._redirect is None or self._redirect.done():
            return _("This sign-in is not waiting any more.")
        self._answer = asyncio.get_running_loop().create_future()
        self._redirect.set_result((query, self._answer))
        self._stop_listening()
        return None

    async def wait(self) -> TokenSet:
        """Wait for the redirect, check its state, exchange the code with the PKCE verifier,
        answer the browser with a short page, and return the tokens. OAuthError otherwise
        (oauth_timeout after `timeout` seconds without a redirect)."""
        if self._redirect is None:
            raise RuntimeError("call start() first")
        host = urlsplit(self._endpoints.token_url).hostname or ""
        answer: asyncio.Future[bytes] | None = None
        try:
            try:
                query, answer = await asyncio.wait_for(self._redirect, self._timeout)
            except TimeoutError:
                raise OAuthError("oauth_timeout", error="timeout", sentence=_(
                    "No answer came back from the browser within {minutes} minutes; if it "
                    "showed an error such as redirect_uri_mismatch or AADSTS50011, the app "
                    "registration lacks the redirect address ({host}). Fix it, then sign in "
                    "again.").format(minutes=f"{self._timeout / 60:g}",
                                     host=self._endpoints.redirect_host)) from None
            if _first(query, "error"):
                raise error_from_answer({"error": _first(query, "error"), "error_description":
                                         _first(query, "error_description")}, "code", host)
            form = {**client_form(self._oauth, await self._secret()),
                    "grant_type": "authorization_code", "code": _first(query, "code"),
                    "redirect_uri": self.redirect_uri, "code_verifier": self._verifier}
            tokens = await token_request(self._endpoints.token_url, form, stage="code")
            require_refresh_token(tokens, host)
            answer.set_result(_signed_in())
            return tokens
        except OAuthError as exc:
            if answer is not None and not answer.done():
                answer.set_result(_not_finished(str(exc)))
            raise
        finally:
            if answer is not None and not answer.done():
                answer.set_result(_stopped())
            await self.close()

    async def close(self) -> None:
        """Stop listening and hang up on idle browser connections (a browser opens spare
        ones); the redirect's own connection gets its page first. Idempotent."""
        if self._redirect is not None and not self._redirect.done():
            self._redirect.cancel()
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(_stopped())
        self._stop_listening()
        for writer in list(self._writers):
            writer.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    async def _secret(self) -> str | None:
        ref = self._oauth.client_secret
        if ref is not None and ref.kind in ("keyring", "command"):
            return await asyncio.to_thread(client_secret, self._oauth)
        return client_secret(self._oauth)

    def _stop_listening(self) -> None:
        for server in self._servers:
            server.close()  # only one redirect is ever accepted

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            writer.write(await self._respond(reader, writer))
            await writer.drain()
        except ConnectionError:
            pass  # the browser went away; nothing to tell it
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _respond(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            return b""
        method, _sep, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
        try:
            target = urlsplit(rest.rpartition(" ")[0])
        except ValueError:
            return _not_found()
        if method != "GET" or target.path != REDIRECT_PATH:
            return _not_found()  # /favicon.ico and stray hits
        query = parse_qs(target.query)
        if self._redirect is None or self._redirect.done():
            return _finished()
        if not _same(_first(query, "state"), self._state):
            return _wrong_state()  # not ours (or forged): keep waiting for the real redirect
        self._answer = answer = asyncio.get_running_loop().create_future()
        self._redirect.set_result((query, answer))
        self._stop_listening()
        self._writers.discard(writer)  # close() spares it: its page is always sent
        return await answer  # wait() answers once the code is exchanged
