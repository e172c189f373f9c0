"""What the provider catalog advises when a send fails: the catalog entry for a profile,
its username and password advice, and its hints on a topic, each prefixed with the
provider's name. Advice is data (providers.toml), so it stays right when the catalog is
updated; the catalog is imported lazily and its absence only means less advice.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from smtp_setup.core.profiles.model import Profile
from smtp_setup.i18n import _


def provider_for(profile: Profile) -> Any:
    """The catalog entry for this profile (by id, else by host), or None. Never raises:
    a diagnosis must still be given when the catalog cannot be read."""
    try:
        from smtp_setup.core.catalog.loader import load_catalog

        catalog = load_catalog()
        if profile.provider and profile.provider != "custom":
            try:
                return catalog.get(profile.provider)
            except KeyError:
                pass
        host = profile.host.strip().rstrip(".").casefold()
        if host == "localhost" or _is_ip(host):  # loopback relays are not a provider's server
            return None
        return next((p for p in catalog if host in (h.casefold() for h in p.hosts.values())),
                    None)
    except Exception:  # ImportError, a catalog error: advice is a bonus, not a requirement
        return None


def credential_steps(profile: Profile) -> list[str]:
    """The provider's username and password advice, for a refused login."""
    provider = provider_for(profile)
    if provider is None:
        return []
    name = provider.name
    steps = [_("{provider}: {hint}").format(provider=name, hint=hint)
             for hint in (getattr(provider, "username_hint", ""),
                          getattr(provider, "password_hint", "")) if hint]
    if getattr(provider, "username_kind", "") == "literal" and provider.username_value:
        if profile.username != provider.username_value:
            steps.insert(0, _("{provider}: the username must be exactly {username}.").format(
                provider=name, username=provider.username_value))
    return steps


def hints_about(profile: Profile, topic: str = "sender") -> list[str]:
    """The provider's catalog hints on `topic` ("sender", "recipient" or "login")."""
    provider = provider_for(profile)
    if provider is None:
        return []
    from smtp_setup.core.catalog.loader import source_catalog

    # A hint is chosen by its English words (a translation has one hint for each, in order)
    # and shown in the language chosen.
    shown = getattr(provider, "hints", ())
    try:
        english = source_catalog().get(provider.id).hints
    except KeyError:
        english = shown
    words = _HINT_WORDS[topic]
    return [_("{provider}: {hint}").format(provider=provider.name, hint=hint)
            for hint, source in zip(shown, english, strict=False)
            if any(word in source.casefold() for word in words)]


# Which catalog hints belong to which failure, by the words they use.
_HINT_WORDS = {
    "sender": ("verif", "from address", "domain"),
    "recipient": ("recipient", "sandbox"),
    "login": ("password", "credential", "key", "token", "login", "sign-in", "smtp auth",
              "region", "data centre"),
}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
