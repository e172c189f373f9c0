"""The profile model: one named set of outgoing-mail settings, as stored in config.toml."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.oauth_config import OAuthConfig
from smtp_setup.core.profiles.secret_ref import SECRET_KINDS, ProfileError, SecretRef
from smtp_setup.i18n import _

__all__ = ["AUTH_KINDS", "KNOWN_KEYS", "SECRET_KINDS", "Profile", "ProfileError", "SecretRef",
           "Security"]


class Security(StrEnum):
    """How the connection is encrypted. Never inferred from the port number."""

    TLS = "tls"  # implicit TLS from the first byte (RFC 8314), usually port 465
    STARTTLS = "starttls"  # plaintext greeting, then a required STARTTLS upgrade
    NONE = "none"  # no encryption at all

    @property
    def label(self) -> str:
        return {
            Security.TLS: _("Implicit TLS (SSL)"),
            Security.STARTTLS: "STARTTLS",
            Security.NONE: _("No encryption"),
        }[self]


# How the profile logs in: "password" (PLAIN/LOGIN/CRAM-MD5 with the password) or "oauth2"
# (XOAUTH2 with an access token; the password SecretRef then holds the refresh token).
AUTH_KINDS = ("password", "oauth2")


# Keys this version writes, in the order they appear in the file.
KNOWN_KEYS = (
    "provider",
    "host",
    "port",
    "security",
    "username",
    "auth",
    "password",
    "from_email",
    "from_name",
    "verify_certificates",
    "ca_file",
    "timeout",
    "oauth",
)


@dataclass
class Profile:
    """A named SMTP profile. `extra` keeps keys this version does not know."""

    name: str
    host: str = ""
    port: int = 587
    security: Security = Security.STARTTLS
    provider: str = "custom"
    username: str | None = None
    password: SecretRef | None = None
    from_email: str = ""
    from_name: str = ""
    verify_certificates: bool = True
    ca_file: str | None = None
    timeout: float = 20.0
    auth: str = "password"  # one of AUTH_KINDS
    oauth: OAuthConfig | None = None  # the app registration, for auth = "oauth2"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_oauth(self) -> bool:
        """True when the profile signs in with OAuth (XOAUTH2) rather than a password."""
        return self.auth == "oauth2"

    @property
    def server(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def copy(self, **changes: Any) -> Profile:
        return replace(self, **{"extra": dict(self.extra), **changes})

    def problems(self, *, check_address: bool = True) -> list[ProfileError]:
        """Every invalid value, for showing all at once. `check_address=False` skips the
        full From-address check (email-validator costs ~15 ms to import); a send reports a
        malformed address as invalid_input by itself."""
        checks = [
            ("name", validation.profile_name(self.name)),
            ("host", validation.host(self.host)),
            ("port", validation.port(str(self.port))),
            ("from_email", validation.email_address(self.from_email) if check_address
             else None if self.from_email.strip() else _("No From address is set.")),
            ("from_name", validation.header_text(self.from_name)),
            ("timeout", validation.timeout(str(self.timeout))),
        ]
        if self.username is not None:
            checks.append(("username", validation.username(self.username)))
        if self.auth not in AUTH_KINDS:
            checks.append(("auth", _('{value} is not one of "password", "oauth2"').format(
                value=repr(self.auth))))
        elif self.uses_oauth:
            checks += self._oauth_problems()
        elif self.username and self.password is None:
            checks.append(("password", _("a username is set but no password source is")))
        return [ProfileError(f, m) for f, m in checks if m]

    def _oauth_problems(self) -> list[tuple[str, str | None]]:
        return [
            ("username", None if self.username else
             _("OAuth sign-in needs the mailbox address as the username")),
            ("oauth", None if self.oauth is not None else
             _("OAuth sign-in needs the app registration (an [oauth] table with the client "
               "ID)")),
            ("password", None if self.password is not None else
             _("not signed in yet: there is no refresh token source")),
        ]

    def to_toml(self) -> dict[str, Any]:
        """The table written under [profiles.NAME]; unknown keys kept after known ones."""
        out: dict[str, Any] = {
            "provider": self.provider,
            "host": self.host,
            "port": self.port,
            "security": str(self.security),
        }
        if self.username:
            out["username"] = self.username
        if self.auth != "password":  # absent means password: older files stay as they were
            out["auth"] = self.auth
        if self.password is not None:
            out["password"] = self.password.to_toml()
        out["from_email"] = self.from_email
        if self.from_name:
            out["from_name"] = self.from_name
        out["verify_certificates"] = self.verify_certificates
        if self.ca_file:
            out["ca_file"] = self.ca_file
        out["timeout"] = int(self.timeout) if float(self.timeout).is_integer() else self.timeout
        if self.oauth is not None:
            out["oauth"] = self.oauth.to_toml()
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_toml(cls, name: str, table: dict[str, Any]) -> Profile:
        """Build a profile from its config table; raises ProfileError on a bad value."""
        if not isinstance(table, dict):
            raise ProfileError(name, _("a profile must be a table"))

        def typed(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
            value = table.get(key, default)
            if value is not default and (
                not isinstance(value, kind) or isinstance(value, bool) and kind is not bool
            ):
                raise ProfileError(key, _("has the wrong type ({type})").format(
                    type=type(value).__name__))
            return value

        security_raw = typed("security", str, "starttls")
        try:
            security = Security(security_raw)
        except ValueError:
            raise ProfileError(
                "security", _('{value} is not one of "tls", "starttls", "none"').format(
                    value=repr(security_raw))
            ) from None
        port = typed("port", int, 587)
        if not 1 <= port <= 65535:
            raise ProfileError("port", _("{port} is not between 1 and 65535").format(port=port))
        password_raw = table.get("password")
        auth = typed("auth", str, "password")
        if auth not in AUTH_KINDS:
            raise ProfileError("auth", _('{value} is not one of "password", "oauth2"').format(
                value=repr(auth)))
        oauth = None
        if "oauth" in table:

            oauth = OAuthConfig.from_toml(table["oauth"])
        elif auth == "oauth2":
            raise ProfileError("oauth", _('auth = "oauth2" needs an [oauth] table with the '
                                          "client ID of your app registration"))
        return cls(
            name=name,
            provider=typed("provider", str, "custom"),
            host=typed("host", str, ""),
            port=port,
            security=security,
            username=typed("username", str, None) or None,
            password=SecretRef.from_toml(password_raw) if password_raw is not None else None,
            from_email=typed("from_email", str, ""),
            from_name=typed("from_name", str, ""),
            verify_certificates=typed("verify_certificates", bool, True),
            ca_file=typed("ca_file", str, None) or None,
            timeout=float(typed("timeout", (int, float), 20)),
            auth=auth,
            oauth=oauth,
            extra={k: v for k, v in table.items() if k not in KNOWN_KEYS},
        )
