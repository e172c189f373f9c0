"""Access tokens for sending with an OAuth profile.

An OAuth profile keeps only the refresh token (in its `password` SecretRef). At send time
an access token is taken from this process's cache while it has more than five minutes
left, else renewed with core.oauth.refresh(). Microsoft hands out a new refresh token on
every renewal: it is stored (through the caller's `store_rotated`) before the access token
is used, so a crash between the two cannot strand the profile with a spent refresh token.
Tokens never reach a repr, an exception or a log.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.diagnosis import Diagnosis, MissingExtension
from smtp_setup.i18n import _

REUSE_MARGIN = 300.0  # seconds: a token with less life left is renewed first (clock skew)

StoreRotated = Callable[[str], Any]  # may return an awaitable (e.g. a keyring write in a thread)


@runtime_checkable
class SharedRefreshToken(Protocol):
    """A store_rotated for a token other processes use too (RefreshTokenSaver): `hold()`
    locks it for one renewal and yields the token stored now, or None."""

    def __call__(self, refresh_token: str) -> Any: ...

    def hold(self) -> AbstractAsyncContextManager[str | None]: ...


@asynccontextmanager
async def _not_shared() -> AsyncIterator[None]:
    yield None


def _held(store_rotated: StoreRotated | None) -> AbstractAsyncContextManager[str | None]:
    if isinstance(store_rotated, SharedRefreshToken):
        return store_rotated.hold()
    return _not_shared()


@dataclass
class AccessToken:
    """An access token for one profile; `refreshed` says whether it was just renewed."""

    value: str = field(repr=False)
    expires_at: float
    refreshed: bool
    rotated: bool = False  # the server sent a new refresh token (already stored)

    def describe(self) -> str:
        """A short phrase for the stage list (never the token)."""
        left = max(0, round((self.expires_at - time.time()) / 60))
        if self.refreshed and self.rotated:
            text = _("access token refreshed (valid for {minutes} more min); new refresh "
                     "token stored")
        elif self.refreshed:
            text = _("access token refreshed (valid for {minutes} more min)")
        else:
            text = _("access token reused (valid for {minutes} more min)")
        return text.format(minutes=left)


@dataclass
class _Cached:
    token: AccessToken
    identity: tuple[str, ...]


_cache: dict[str, _Cached] = {}
# One renewal at a time per profile (a second caller waits and reuses the result). Locks
# belong to an event loop, and each asyncio.run() has its own.
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


def _identity(profile: Profile) -> tuple[str, ...]:
    """What a cached token is valid for: a changed account or app registration means a new
    token, even under the same profile name."""
    oauth = profile.oauth
    return (profile.provider, profile.username or "",
            *((oauth.flow_provider, oauth.client_id, oauth.tenant, oauth.token_url)
              if oauth else ()))


def _fresh_cached(profile: Profile) -> AccessToken | None:
    cached = _cache.get(profile.name)
    if cached is None or cached.identity != _identity(profile):
        return None
    if cached.token.expires_at - REUSE_MARGIN <= time.time():
        return None
    return AccessToken(cached.token.value, cached.token.expires_at, refreshed=False)


def _lock_for(name: str) -> asyncio.Lock:
    per_loop = _locks.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault(name, asyncio.Lock())


def forget(profile_name: str | None = None) -> None:
    """Drop a cached access token (the server refused it, or the profile signed out); with
    no name, every one."""
    if profile_name is None:
        _cache.clear()
    else:
        _cache.pop(profile_name, None)


async def access_token_for(profile: Profile, refresh_token: str, *,
                           store_rotated: StoreRotated | None = None) -> AccessToken:
    """An access token for `profile`, renewed with `refresh_token` when the cached one has
    five minutes or less left. A rotated refresh token goes to `store_rotated` first; one
    that other processes share (SharedRefreshToken) is locked for the renewal, and the token
    it holds by then is the one renewed.

    Raises core.oauth.OAuthError (a sentence with the fix, and a diagnosis code) when the
    renewal fails, and ValueError when the profile has no OAuth settings.
    """
    if profile.oauth is None:
        raise ValueError(_("Profile {name} has no OAuth settings.").format(
            name=repr(profile.name)))
    if (cached := _fresh_cached(profile)) is not None:
        return cached
    async with _lock_for(profile.name):
        if (cached := _fresh_cached(profile)) is not None:  # renewed while we waited
            return cached
        from smtp_setup.core.oauth.flows import endpoints_for, refresh

        endpoints = endpoints_for(profile.oauth, profile.provider)
        async with _held(store_rotated) as stored_now:
            refresh_token = stored_now or refresh_token
            tokens = await refresh(profile.oauth, endpoints, refresh_token)
            rotated = bool(tokens.refresh_token) and tokens.refresh_token != refresh_token
            if rotated and store_rotated is not None:  # before the access token is ever used
                stored = store_rotated(tokens.refresh_token)
                if inspect.isawaitable(stored):
                    await stored
        token = AccessToken(tokens.access_token, tokens.expires_at, refreshed=True,
                            rotated=rotated and store_rotated is not None)
        _cache[profile.name] = _Cached(token, _identity(profile))
        return token


async def fresh_access_token(profile: Profile, refresh_token: str, *,
                             store_rotated: StoreRotated | None = None) -> str:
    """The access token itself (see access_token_for): what `smtp-setup token` prints."""
    token = await access_token_for(profile, refresh_token, store_rotated=store_rotated)
    return token.value


# -- the auth stage of a test send (sending.py) ----------------------------------------------
def oauth_preflight(profile: Profile, refresh_token: str | None) -> None:
    """Raise InvalidInput when an OAuth profile cannot even try to sign in."""
    if profile.oauth is None:
        raise InvalidInput("oauth", _(
            "Profile {name} signs in with OAuth but has no app registration (client ID); "
            "run: {command}").format(name=repr(profile.name),
                                     command=next_command("edit", profile.name)))
    if not profile.username:
        raise InvalidInput("username", _("OAuth sign-in needs the mailbox address as the "
                                         "user name."))
    if error := validation.username(profile.username):
        raise InvalidInput("username", error)
    if not refresh_token:
        raise InvalidInput("password", _(
            "The profile signs in with OAuth as {username} but holds no sign-in (refresh "
            "token); sign in again: {command}").format(
            username=repr(profile.username), command=next_command("edit", profile.name)))


async def login_xoauth2(smtp: Any, profile: Profile, refresh_token: str, *,
                        store_rotated: StoreRotated | None = None,
                        on_token: Callable[[str], None] | None = None) -> str:
    """The OAuth login on a connected aiosmtplib SMTP (after EHLO, and STARTTLS if any): an
    access token first (a failed renewal raises OAuthError before any AUTH is sent), then
    AUTH XOAUTH2, once. `on_token` learns the access token so the caller can redact it.
    Returns the detail for the stage list; a refusal raises xoauth2.XOAuth2Refused."""
    from smtp_setup.core.oauth import xoauth2

    offered = tuple(m.lower() for m in smtp.server_auth_methods)
    if "xoauth2" not in offered:
        raise MissingExtension("auth", offered)
    token = await access_token_for(profile, refresh_token, store_rotated=store_rotated)
    if on_token is not None:
        on_token(token.value)
    try:
        reply = await xoauth2.authenticate(smtp, profile.username or "", token.value)
    except xoauth2.XOAuth2Refused as exc:
        forget(profile.name)  # renewed on the next run; AUTH is not repeated now
        exc.token_reused = not token.refreshed
        raise
    return f"{token.describe()}; XOAUTH2: {' '.join(f'{reply.code} {reply.message}'.split())}"


def oauth_login_diagnosis(exc: BaseException, profile: Profile) -> Diagnosis | None:
    """The diagnosis of a failed OAuth login at the auth stage, or None when the general
    diagnosis knows better (a 530 asking for encryption first, a timeout, a hang-up)."""
    from smtp_setup.core.oauth.flows import OAuthError
    from smtp_setup.core.oauth.xoauth2 import XOAuth2Refused
    from smtp_setup.core.smtp.oauth_diagnosis import oauth_auth_diagnosis, oauth_diagnosis

    if isinstance(exc, OAuthError):
        return oauth_diagnosis(exc, profile)
    if isinstance(exc, MissingExtension):
        return _no_xoauth2(exc, profile) if exc.offered else None
    if not isinstance(exc, XOAuth2Refused):
        return None
    challenge = exc.challenge
    if challenge is not None and exc.status == "401":  # another account: no scope advice
        challenge = {k: v for k, v in challenge.items() if k != "scope"}
    diagnosis = oauth_auth_diagnosis(exc.code, exc.message, profile, challenge=challenge)
    if diagnosis is None:
        return None
    user = profile.username or ""
    if exc.status:  # Gmail's challenge says which of two things went wrong
        if exc.status == "401":
            said = _("Its challenge said status {status}: the token is valid but belongs to "
                     "another account than {user}.").format(status=exc.status, user=user)
        else:
            said = _("Its challenge said status {status}: the token is not valid for Gmail's "
                     "SMTP (expired, revoked, or without the scope {scope}).").format(
                status=exc.status, scope=exc.scope or "https://mail.google.com/")
        diagnosis.explanation = _("{explanation} {note}").format(
            explanation=diagnosis.explanation, note=said)
    if user:  # the administrator's command, ready to copy
        diagnosis.next_steps = [step.replace("<address>", user) for step in diagnosis.next_steps]
    if exc.token_reused and diagnosis.code != "oauth_smtp_disabled":
        diagnosis.next_steps.insert(0, _("The refused access token was kept from an earlier "
                                         "send and has been dropped: test again to get a new "
                                         "one."))
    return diagnosis


def _no_xoauth2(exc: MissingExtension, profile: Profile) -> Diagnosis:
    """auth_not_offered, in OAuth words: the server logs in, but not with a token."""
    from smtp_setup.core.smtp.diagnosis import diagnose

    diagnosis = diagnose("auth", exc, profile)
    offered = ", ".join(m.upper() for m in exc.offered)
    diagnosis.title = _("The server does not offer OAuth login (XOAUTH2)")
    diagnosis.explanation = _("{server} offers {offered} but not XOAUTH2, so this profile's "
                              "OAuth sign-in cannot be used there.").format(
        server=profile.server, offered=offered)
    diagnosis.next_steps = [
        _("Check the host: Microsoft 365 uses smtp.office365.com, Outlook.com "
          "smtp-mail.outlook.com, Gmail smtp.gmail.com."),
        _("Or log in with a password (an app password) instead: {command}").format(
            command=next_command("edit", profile.name))]
    return diagnosis
