"""What reconfiguring a profile changes, for the Review step: old -> new, secrets only
as "changed" / "unchanged" (never their values)."""

from __future__ import annotations

from dataclasses import dataclass

from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.i18n import N_, _

LABELS = {
    "provider": N_("Provider"),
    "host": N_("Server"),
    "port": N_("Port"),
    "security": N_("Encryption"),
    "username": N_("Username"),
    "from_email": N_("From address"),
    "from_name": N_("From name"),
    "verify_certificates": N_("Verify certificates"),
    "ca_file": N_("Extra CA file"),
    "timeout": N_("Time limit"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def _shown(value: object) -> str:
    if value is None or value == "":
        return _("(none)")
    if isinstance(value, Security):
        return value.label
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return _("{seconds} s").format(seconds=f"{value:g}")
    return str(value)


def profile_changes(old: Profile, new: Profile, *, new_secret_typed: bool) -> list[Change]:
    """Every setting that differs, in file order. The password line says where the secret
    lives and whether it changed; an inline secret's value is never shown."""
    changes = [
        Change(str(label), _shown(getattr(old, key)), _shown(getattr(new, key)))
        for key, label in LABELS.items()
        if getattr(old, key) != getattr(new, key)
    ]
    old_ref, new_ref = old.password, new.password
    where_old = old_ref.describe() if old_ref else _("(none)")
    where_new = new_ref.describe() if new_ref else _("(none)")
    password = _("Password")
    if new_ref is None and old_ref is not None:
        changes.append(Change(password, where_old, _("removed (no login)")))
    elif new_ref is not None and (old_ref is None or old_ref.kind != new_ref.kind
                                  or (old_ref.kind != "inline" and old_ref.value != new_ref.value)):
        state = _("{where} (changed)") if new_secret_typed else _("{where} (unchanged)")
        changes.append(Change(password, where_old, state.format(where=where_new)))
    elif new_ref is not None and new_secret_typed:
        changes.append(Change(password, _("unchanged"), _("changed")))
    return changes


def broken_profile_changes(broken, new: Profile, *, new_secret_typed: bool) -> list[Change]:
    """What fixing a broken profile (a `BrokenProfile`) changes: the flagged value as it was
    written (port 70000) -> its new value, then every other setting that differs."""
    salvaged = broken.salvage()
    changes = profile_changes(salvaged, new, new_secret_typed=new_secret_typed) if (
        salvaged is not None) else []
    key = broken.field
    if key not in LABELS or key not in broken.table:
        return changes
    label = str(LABELS[key])
    written = broken.table[key]
    flagged = Change(label, _("(none)") if written in (None, "") else str(written),
                     _shown(getattr(new, key)))
    return [flagged, *(change for change in changes if change.label != label)]
