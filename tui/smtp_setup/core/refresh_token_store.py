"""Writing a rotated refresh token back where the profile keeps its sign-in.

Microsoft replaces the refresh token on every renewal, and may refuse the old one later; a
new one that is not kept means "sign in again" some day. It goes where the old one was:
the keyring entry the profile names, or the config file for an inline secret. An
environment variable or a command cannot be written to: that becomes a warning sentence.
Nothing here raises, and no sentence contains a token.
"""

from __future__ import annotations

from smtp_setup.core.config_store import ConfigError, ConfigStore
from smtp_setup.core.next_command import next_command
from smtp_setup.core.profile import Profile, SecretRef


class _NoKeyring(Exception):
    """There is no usable keyring here; str() says why."""


class RefreshTokenSaver:
    """`store_rotated` for a saved profile: call it with the new refresh token. Problems
    are collected in `warnings` (sentences for stderr or the UI) instead of raised, so a
    send is never stopped by a keyring that will not take the new token."""

    def __init__(self, profile: Profile, store: ConfigStore) -> None:
        self.profile = profile
        self.store = store
        self.warnings: list[str] = []
        self.saved = False

    def __repr__(self) -> str:
        return f"RefreshTokenSaver(profile={self.profile.name!r}, saved={self.saved})"

    def __call__(self, refresh_token: str) -> None:
        ref = self.profile.password
        name = self.profile.name
        if ref is None or ref.kind in ("env", "command"):
            where = ref.describe() if ref else "nowhere (the profile names no source)"
            self.warnings.append(
                f"The sign-in server issued a new refresh token for profile {name!r}, but "
                f"smtp-setup cannot write it to {where}; the old one may stop working, so keep "
                f"the sign-in in the keyring instead ({next_command('edit', name)}).")
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
            self.warnings.append(
                f"The new refresh token for profile {name!r} could not be saved to "
                f"{ref.describe()} ({reason}); the old one may stop working, and then "
                f"you will have to sign in again ({next_command('edit', name)}).")
            return
        self.saved = True


def _store_in_keyring(ref: SecretRef, secret: str) -> None:
    """Replace the secret of the keyring entry `ref` names (not necessarily the one
    secrets.store_in_keyring would pick: a renamed or imported profile keeps its entry)."""
    import keyring

    from smtp_setup.core.secrets import _split_ref, keyring_status

    usable, why = keyring_status()
    if not usable:
        raise _NoKeyring(why)
    service, key = _split_ref(ref)
    keyring.set_password(service, key, secret)
