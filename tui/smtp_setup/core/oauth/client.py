"""The app's registration as a token request sends it: the client secret read from where the
profile keeps it, and the form fields that carry it."""

from __future__ import annotations

import asyncio

from smtp_setup.core.oauth.http import OAuthError, client_form
from smtp_setup.core.profiles.oauth_config import OAuthConfig
from smtp_setup.i18n import _


def client_secret(oauth: OAuthConfig) -> str | None:
    """The app's client secret (Google installed apps send it), read from its SecretRef;
    None when the profile has none. May block on a keyring or a command."""
    if oauth.client_secret is None:
        return None
    from smtp_setup.core.profiles.secrets import SecretError, resolve_secret

    try:
        return resolve_secret(oauth.client_secret, "oauth")
    except SecretError:
        where = oauth.client_secret.describe()
        raise OAuthError(
            "oauth_client_misconfigured", error="client_secret_unreadable",
            reason=_("the client secret could not be read ({where})").format(where=where),
            sentence=_("The app's client secret could not be read from {where}; make it "
                       "available, then sign in again.").format(where=where),
        ) from None


async def client_request_form(oauth: OAuthConfig) -> dict[str, str]:
    """The client fields of a token request (client_id, and the secret where there is one)."""
    ref = oauth.client_secret
    blocking = ref is not None and ref.kind in ("keyring", "command")
    secret = await asyncio.to_thread(client_secret, oauth) if blocking else client_secret(oauth)
    return client_form(oauth, secret)
