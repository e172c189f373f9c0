"""The `[profiles.NAME.oauth]` table: which app registration a profile signs in with.

Only non-secret data lives here (the provider, the client ID, the tenant, endpoint
overrides). The refresh token is the profile's `password` SecretRef; a Google client secret
is a SecretRef of its own, so it can stay out of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from smtp_setup.core.profiles.secret_ref import ProfileError, SecretRef
from smtp_setup.i18n import _

FLOW_PROVIDERS = ("microsoft", "google")
URL_KEYS = ("authorize_url", "token_url", "device_url")
KNOWN_KEYS = ("flow_provider", "client_id", "tenant", "client_secret", *URL_KEYS)
# common | consumers | organizations | a tenant GUID | a tenant domain: it is pasted into a
# URL path, so only characters that need no escaping are allowed.
_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class OAuthConfig:
    """The app registration a profile signs in with; "" means "unset, use the catalog"."""

    flow_provider: str  # one of FLOW_PROVIDERS
    client_id: str
    tenant: str = ""  # Microsoft only
    client_secret: SecretRef | None = None  # Google's installed-app secret (not really secret)
    authorize_url: str = ""
    token_url: str = ""
    device_url: str = ""
    # Keys a newer version wrote: kept and written back unchanged (design.md).
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_toml(self) -> dict[str, Any]:
        """The table written under [profiles.NAME.oauth]; unset values are left out."""
        out: dict[str, Any] = {"flow_provider": self.flow_provider, "client_id": self.client_id}
        if self.tenant:
            out["tenant"] = self.tenant
        if self.client_secret is not None:
            out["client_secret"] = self.client_secret.to_toml()
        for key in URL_KEYS:
            if getattr(self, key):
                out[key] = getattr(self, key)
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_toml(cls, table: Any) -> OAuthConfig:
        """Build from the config table; raises ProfileError naming the bad key."""
        if not isinstance(table, dict):
            raise ProfileError("oauth", _("must be a table"))
        extra = {key: value for key, value in table.items() if key not in KNOWN_KEYS}
        values: dict[str, str] = {}
        for key in ("flow_provider", "client_id", "tenant", *URL_KEYS):
            value = table.get(key, "")
            if not isinstance(value, str):
                raise ProfileError(f"oauth.{key}", _("has the wrong type ({type})").format(
                    type=type(value).__name__))
            values[key] = value.strip()
        if values["flow_provider"] not in FLOW_PROVIDERS:
            raise ProfileError(
                "oauth.flow_provider",
                _("{value} is not one of {choices}").format(
                    value=repr(values["flow_provider"]),
                    choices=", ".join(f'"{p}"' for p in FLOW_PROVIDERS)),
            )
        if not values["client_id"]:
            raise ProfileError(
                "oauth.client_id", _("is required: the client ID of your own app registration")
            )
        if any(c.isspace() or not c.isprintable() for c in values["client_id"]):
            raise ProfileError("oauth.client_id",
                               _("must not contain spaces or control characters"))
        if values["tenant"] and not _TENANT.fullmatch(values["tenant"]):
            raise ProfileError(
                "oauth.tenant",
                _("must be common, consumers, organizations, a tenant ID or a tenant domain"),
            )
        for key in URL_KEYS:
            problem = endpoint_problem(values[key]) if values[key] else None
            if problem:
                raise ProfileError(f"oauth.{key}", problem)
        secret = None
        if "client_secret" in table:
            try:
                secret = SecretRef.from_toml(table["client_secret"])
            except ProfileError as exc:
                raise ProfileError("oauth.client_secret", exc.message) from None
        return cls(client_secret=secret, extra=extra, **values)


def endpoint_problem(url: str) -> str | None:
    """Why `url` cannot be a sign-in endpoint, or None. Tokens travel to it, so it must be
    https; plain http is allowed only on this computer (test servers)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return _("{url} is not a valid address").format(url=repr(url))
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host in _LOOPBACK_HOSTS:
        return None
    return _("{url} must start with https:// (http:// only for 127.0.0.1 or localhost)").format(
        url=repr(url))
