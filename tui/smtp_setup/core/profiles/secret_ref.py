"""Where a profile's secret lives (`SecretRef`) and the error a bad profile value raises
(`ProfileError`): the two things every other profile module builds on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smtp_setup.i18n import _


class ProfileError(ValueError):
    """A profile value is invalid. `field` names the offending key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


SECRET_KINDS = ("keyring", "env", "command", "inline")
@dataclass(frozen=True)
class SecretRef:
    """Where a password lives. Only `inline` holds the secret itself."""

    kind: str  # one of SECRET_KINDS
    value: str

    def __post_init__(self) -> None:
        if self.kind not in SECRET_KINDS:
            raise ProfileError("password", _("unknown secret kind {kind}").format(
                kind=repr(self.kind)))

    def __repr__(self) -> str:  # never let an inline secret reach a log or traceback
        shown = "********" if self.kind == "inline" else self.value
        return f"SecretRef(kind={self.kind!r}, value={shown!r})"

    @classmethod
    def keyring_for(cls, profile_name: str) -> SecretRef:
        return cls("keyring", f"smtp-setup/{profile_name}")

    def to_toml(self) -> Any:
        if self.kind == "inline":
            return self.value
        return {self.kind: self.value}

    @classmethod
    def from_toml(cls, raw: Any) -> SecretRef:
        if isinstance(raw, str):
            return cls("inline", raw)
        if isinstance(raw, dict) and len(raw) == 1:
            ((kind, value),) = raw.items()
            if kind in ("keyring", "env", "command") and isinstance(value, str) and value:
                return cls(kind, value)
        raise ProfileError(
            "password",
            _('expected a string or one of {{ keyring = "..." }}, {{ env = "..." }}, '
              '{{ command = "..." }}'),
        )

    def describe(self) -> str:
        """A human description that never reveals an inline secret."""
        if self.kind == "keyring":
            return _("system keyring ({entry})").format(entry=self.value)
        if self.kind == "env":
            return _("environment variable {name}").format(name=self.value)
        if self.kind == "command":
            return _("output of the command `{command}`").format(command=self.value)
        return _("stored in the config file")
