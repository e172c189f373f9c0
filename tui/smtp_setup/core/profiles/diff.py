"""What reconfiguring a profile changes, for the Review step: old -> new, secrets only
as "changed" / "unchanged" (never their values)."""

from __future__ import annotations

from dataclasses import dataclass

from smtp_setup.core.profiles.model import Profile, Security

LABELS = {
    "provider": "Provider",
    "host": "Server",
    "port": "Port",
    "security": "Encryption",
    "username": "Username",
    "from_email": "From address",
    "from_name": "From name",
    "verify_certificates": "Verify certificates",
    "ca_file": "Extra CA file",
    "timeout": "Time limit",
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, Security):
        return value.label
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g} s"
    return str(value)


def profile_changes(old: Profile, new: Profile, *, new_secret_typed: bool) -> list[Change]:
    """Every setting that differs, in file order. The password line says where the secret
    lives and whether it changed; an inline secret's value is never shown."""
    changes = [
        Change(label, _shown(getattr(old, key)), _shown(getattr(new, key)))
        for key, label in LABELS.items()
        if getattr(old, key) != getattr(new, key)
    ]
    old_ref, new_ref = old.password, new.password
    where_old = old_ref.describe() if old_ref else "(none)"
    where_new = new_ref.describe() if new_ref else "(none)"
    if new_ref is None and old_ref is not None:
        changes.append(Change("Password", where_old, "removed (no login)"))
    elif new_ref is not None and (old_ref is None or old_ref.kind != new_ref.kind
                                  or (old_ref.kind != "inline" and old_ref.value != new_ref.value)):
        state = "changed" if new_secret_typed else "unchanged"
        changes.append(Change("Password", where_old, f"{where_new} ({state})"))
    elif new_ref is not None and new_secret_typed:
        changes.append(Change("Password", "unchanged", "changed"))
    return changes


def broken_profile_changes(broken, new: Profile, *, new_secret_typed: bool) -> list[Change]:
    """What fixing a broken profile (a `BrokenProfile`) changes: the flagged value as it was
    written (port 70000) -> its new value, then every other setting that differs."""
    salvaged = broken.salvage()
    changes = profile_changes(salvaged, new, new_secret_typed=new_secret_typed) if (
        salvaged is not None) else []
    key = broken.field
    label = LABELS.get(key)
    if label is None or key not in broken.table:
        return changes
    written = broken.table[key]
    flagged = Change(label, "(none)" if written in (None, "") else str(written),
                     _shown(getattr(new, key)))
    return [flagged, *(change for change in changes if change.label != label)]
