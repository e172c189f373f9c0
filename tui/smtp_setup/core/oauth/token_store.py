"""Writing a rotated refresh token back where the profile keeps its sign-in.

Microsoft replaces the refresh token on every renewal, and may refuse the old one later; a
new one that is not kept means "sign in again" some day. It goes where the old one was:
the keyring entry the profile names, or the config file for an inline secret. An
environment variable or a command cannot be written to: that becomes a warning sentence.
Renewal and store-back run under the lock beside the config file (core.config_lock), so
two processes never spend the same refresh token. Storing never raises (only a lock held
too long by another process does), and no sentence contains a token.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from smtp_setup.core.profiles.config_store import ConfigError, ConfigStore
from smtp_setup.core.profiles.model import Profile, SecretRef
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import _

# Where a refresh token can live: places smtp-setup can write each rotated token back to.
WRITABLE_KINDS = ("keyring", "inline")
LOCK_WAIT = 60.0  # seconds; a renewal takes one HTTP request of at most 10 s (oauth_http)


def can_hold_refresh_token(kind: str) -> bool:
    """Whether a secret of this kind can keep a sign-in: the server may replace the
    refresh token on any renewal, and only a place smtp-setup writes to follows it."""
    return kind in WRITABLE_KINDS


class _NoKeyring(Exception):
    """There is no usable keyring here; str() says why."""


class RefreshTokenSaver:
    """`store_rotated` for a saved profile: call it with the new refresh token. Problems
    are collected in `warnings` (sentences for stderr or the UI) instead of raised, so a
    send is never stopped by a keyring that will not take the new token."""

    def __init__(self, profile: Profile, store: ConfigStore, *,
                 also: Callable[[str], None] | None = None) -> None:
        self.profile = profile
        self.store = store
        self.also = also  # told each new token too (the wizard's draft, saved again later)
        self.warnings: list[str] = []
        self.saved = False

    def __repr__(self) -> str:
        return f"RefreshTokenSaver(profile={self.profile.name!r}, saved={self.saved})"

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[str | None]:
        """Keep other smtp-setup processes away from this sign-in for one renewal and its
        store-back. Yields the refresh token stored now (another process may have rotated it
        while this one waited), or None when it cannot be read again. Raises
        core.oauth.OAuthError when the lock stays taken."""
        from smtp_setup.core.profiles.config_lock import LockTimeout, config_lock

        try:
            async with config_lock(self.store.path, timeout=LOCK_WAIT):
                yield await asyncio.to_thread(self._stored_now)
        except LockTimeout as exc:
            from smtp_setup.core.oauth.flows import OAuthError

            raise OAuthError("oauth_timeout", error="locked", sentence=_(
                "The sign-in of profile {name} is being renewed by another smtp-setup "
                "({reason}); try again when it has finished.").format(
                name=repr(self.profile.name), reason=exc)) from None

    def _stored_now(self) -> str | None:
        from smtp_setup.core.profiles.secrets import SecretError, resolve_secret

        try:
            profile = self.store.load().profile(self.profile.name)
        except (ConfigError, LookupError, OSError):
            return None
        ref = profile.password
        if profile.uses_oauth and ref is not None and can_hold_refresh_token(ref.kind):
            try:
                token = resolve_secret(ref, profile.name)
            except SecretError:
                return None
            self.profile = profile  # a new token goes where the file now says
            return token
        return None

    def __call__(self, refresh_token: str) -> None:
        if self.also is not None:
            self.also(refresh_token)
        ref = self.profile.password
        name = self.profile.name
        if ref is None or not can_hold_refresh_token(ref.kind):
            where = ref.describe() if ref else _("nowhere (the profile names no source)")
            self.warnings.append(_(
                "The sign-in server issued a new refresh token for profile {name}, but "
                "smtp-setup cannot write it to {where}; the old one may stop working, so let "
                "smtp-setup keep the sign-in: {command} moves it to the keyring or the config "
                "file.").format(name=repr(name), where=where,
                                command=next_command("edit", name)))
            return
        try:
            if ref.kind == "keyring":
                _store_in_keyring(ref, refresh_token)
            else:  # inline: rewrite this profile's table, leaving the rest of the file alone
                self.profile = self.profile.copy(password=SecretRef("inline", refresh_token))
                self.store.save_profile(self.profile)
        except Exception as exc:  # a keyring backend or the file system; never the token
            reason = (str(exc).rstrip(".") if isinstance(exc, (_NoKeyring, ConfigError))
                      else getattr(exc, "strerror", None) or type(exc).__name__)
            self.warnings.append(_(
                "The new refresh token for profile {name} could not be saved to {where} "
                "({reason}); the old one may stop working, and then you will have to sign in "
                "again ({command}).").format(name=repr(name), where=ref.describe(),
                                             reason=reason, command=next_command("edit", name)))
            return
        self.saved = True


def _store_in_keyring(ref: SecretRef, secret: str) -> None:
    """Replace the secret of the keyring entry `ref` names (not necessarily the one
    secrets.store_in_keyring would pick: a renamed or imported profile keeps its entry)."""
    import keyring

    from smtp_setup.core.profiles.secrets import _split_ref, keyring_status

    usable, why = keyring_status()
    if not usable:
        raise _NoKeyring(why)
    service, key = _split_ref(ref)
    keyring.set_password(service, key, secret)
