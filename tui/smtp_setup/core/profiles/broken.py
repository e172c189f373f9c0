"""A profile whose table holds a value this version cannot use (port = 70000,
security = "ssl"): it is kept in the file exactly as written, listed with its reason,
and blocks only itself; every other profile keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smtp_setup.core.profiles.model import Profile, ProfileError


@dataclass(frozen=True)
class BrokenProfile:
    """One unusable [profiles.NAME] table: the first bad key, where it is, the raw table."""

    name: str
    error: ProfileError
    line: int | None = None
    column: int | None = None
    table: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def field(self) -> str:
        """The offending key; `oauth.client_id` counts as `oauth`."""
        return self.error.field.split(".")[0]

    @property
    def reason(self) -> str:
        """`port: 70000 is not between 1 and 65535`."""
        return f"{self.error.field}: {self.error.message}"

    def salvage(self) -> Profile | None:
        """The profile with each unusable key left out (so its default stands in), for the
        wizard to fix; None when leaving keys out does not make it readable."""
        table = dict(self.table)
        for _ in range(len(self.table) + 1):
            try:
                return Profile.from_toml(self.name, table)
            except ProfileError as exc:
                key = exc.field.split(".")[0]
                if key not in table:
                    return None
                del table[key]
        return None
