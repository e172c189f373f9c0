"""Keeping profiles over time: delete, rename, make default, and save imported ones,
together with the keyring entries that belong to them.

The config file is the source of truth, so it is written first where that is safe and
keyring trouble afterwards becomes a warning rather than a half-done change: a deleted
profile whose keyring entry could not be removed is still deleted, and the leftover
entry is reported. Every function takes `expected` (the Config the caller showed the
person); a file changed on disk since raises ConfigConflict before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.config_store import Config, ConfigStore
from smtp_setup.core.profiles.model import Profile, ProfileError, SecretRef
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.profiles.secrets import SERVICE, SecretError
from smtp_setup.i18n import _, ngettext

SECRET_STORES = ("keyring", "file", "env:VAR", "command:CMD")


class NameTakenError(ValueError):
    """A profile with that name exists already. str() is a sentence with the way out."""


@dataclass
class UpkeepResult:
    """What a change did. `names` are the profiles written (or deleted); `warnings` are
    plain sentences about things left for the person to do."""

    path: Path
    names: list[str]
    default: str | None
    keyring_removed: list[str] = field(default_factory=list)  # keyring refs deleted
    warnings: list[str] = field(default_factory=list)


def _ours(ref: SecretRef | None) -> bool:
    """True for a keyring entry smtp-setup made (service "smtp-setup"), for any name:
    after a rename the keyring could not follow, the entry keeps the old name."""
    return ref is not None and ref.kind == "keyring" and ref.value.startswith(f"{SERVICE}/")


def _in_use(config: Config, ref: SecretRef, but: set[str]) -> str | None:
    """Another profile (not in `but`, broken ones too) that reads its password from `ref`."""
    for name in config.names:
        profile = config.saved(name) if name not in but else None
        if profile is not None and profile.password == ref:
            return name
    return None


def _remove_entry(ref: SecretRef, name: str, result: UpkeepResult) -> None:
    """Delete a keyring entry; trouble becomes a warning, since the config is already right."""
    from smtp_setup.core.profiles.secrets import delete_keyring_secret, keyring_status

    usable, why = keyring_status()
    if not usable:
        result.warnings.append(_(
            "The password of profile {name} may still be in the system keyring as "
            "{entry}; the keyring is not usable here ({why}), so remove it with "
            "your keyring's own tool when it is."
        ).format(name=repr(name), entry=ref.value, why=why))
        return
    try:
        delete_keyring_secret(ref)
    except SecretError as exc:
        result.warnings.append(_("Profile {name} is done, but its keyring entry stays: {reason}")
                               .format(name=repr(name), reason=exc))
        return
    result.keyring_removed.append(ref.value)


def delete_profile(store: ConfigStore, name: str, *, expected: Config | None = None) -> UpkeepResult:
    """Delete a profile (a broken one too), then its keyring entry if smtp-setup made it
    and no other profile uses it. Raises UnknownProfileError, ConfigConflict, ConfigError."""
    config = expected if expected is not None else store.load()
    if name not in config.broken:
        config.profile(name)
    store.delete_profile(name, expected=config)
    after = store.load()
    result = UpkeepResult(store.path, [name], after.default_profile)
    saved = config.saved(name)
    ref = saved.password if saved is not None else None
    if _ours(ref):
        other = _in_use(config, ref, {name})
        if other:
            result.warnings.append(
                _("The keyring entry {entry} was kept: profile {other} uses it too.").format(
                    entry=ref.value, other=repr(other))
            )
        else:
            _remove_entry(ref, name, result)
    return result


def check_new_name(config: Config, new: str) -> None:
    """Raise ProfileError for an invalid name, NameTakenError for one in use."""
    problem = validation.profile_name(new)
    if problem:
        raise ProfileError("name", problem)
    if new in config.names:
        raise NameTakenError(_(
            "A profile named {name} already exists; choose another name, or delete it "
            "first ({command})."
        ).format(name=repr(new), command=next_command("delete", new)))


def rename_profile(
    store: ConfigStore, old: str, new: str, *, expected: Config | None = None
) -> UpkeepResult:
    """Rename a profile in place; the default follows it, and a keyring entry smtp-setup
    made for it moves to smtp-setup/NEW (written before the config, removed after).

    If the keyring cannot be read, the profile is still renamed and keeps reading its
    password from the old entry (a warning says so).
    """
    from smtp_setup.core.profiles.secrets import (
        delete_keyring_secret,
        resolve_secret,
        store_in_keyring,
    )

    config = expected if expected is not None else store.load()
    profile = config.profile(old)
    check_new_name(config, new)
    result = UpkeepResult(store.path, [new], None)
    renamed = profile.copy(name=new)
    old_ref = profile.password
    moved = False
    target = SecretRef.keyring_for(new)
    if _ours(old_ref) and old_ref != target and not _in_use(config, old_ref, {old}):
        try:
            secret = resolve_secret(old_ref, old)
            renamed.password = store_in_keyring(new, secret)
            moved = True
        except SecretError as exc:
            result.warnings.append(_(
                "The password stays in the keyring entry {entry}, which the renamed "
                "profile keeps using ({reason})"
            ).format(entry=old_ref.value, reason=exc))
    try:
        store.save_profile(renamed, previous_name=old, expected=config)
    except BaseException:
        if moved:  # undo the copy: the old entry is still the one in use
            try:
                delete_keyring_secret(renamed.password)
            except SecretError:
                pass
        raise
    if moved:
        _remove_entry(old_ref, old, result)
    result.default = store.load().default_profile
    return result


def set_default(store: ConfigStore, name: str, *, expected: Config | None = None) -> UpkeepResult:
    """Make `name` the default profile. Raises UnknownProfileError, ConfigConflict."""
    config = expected if expected is not None else store.load()
    config.profile(name)
    store.set_default(name, expected=config)
    return UpkeepResult(store.path, [name], name)


def save_with_secret(
    store: ConfigStore, profile: Profile, secret: str | None = None, *, make_default: bool = False
) -> UpkeepResult:
    """Write one profile (the wizard's Save), keeping the profile it replaces whole until the
    new file is written.

    `secret`, when given, goes to the profile's own keyring entry first; if the file then
    cannot be written, that entry gets its old value back. Only once the file is written is
    a keyring entry of ours that the replaced profile used, and no profile uses now, removed.
    """
    from smtp_setup.core.profiles.secrets import store_in_keyring

    old = store.load().saved(profile.name)
    result = UpkeepResult(store.path, [profile.name], None)
    undo: list[tuple[str, str | None]] = []
    try:
        if secret is not None:
            undo.append((profile.name, _keyring_value(profile.name)))
            profile = profile.copy(password=store_in_keyring(profile.name, secret))
        store.save_profile(profile, make_default=make_default)
    except BaseException:
        _restore_keyring(undo)
        raise
    after = store.load()
    result.default = after.default_profile
    ref = old.password if old is not None else None
    if _ours(ref) and ref != profile.password and not _in_use(after, ref, {profile.name}):
        _remove_entry(ref, profile.name, result)
    return result


# -- saving imported profiles ---------------------------------------------------------------


def parse_secret_store(text: str) -> tuple[str, str]:
    """`keyring`, `file`, `env:VAR` or `command:CMD` -> (kind, value). Raises ValueError."""
    kind, _colon, value = text.partition(":")
    if kind in ("keyring", "file") and not value:
        return kind, ""
    problem = None
    if kind == "env":
        problem = validation.env_name(value)
    elif kind == "command":
        problem = validation.secret_command(value)
    else:
        problem = _("Choose one of {choices}.").format(choices=", ".join(SECRET_STORES))
    if problem:
        # TRANSLATORS: an option, its value and what is wrong: "--store 'x': ..."
        raise ValueError(_("{option} {value}: {problem}").format(
            option="--store", value=repr(text), problem=problem))
    return kind, value


@dataclass
class Incoming:
    """A profile to import under its final name, with the password to store for it (if any)."""

    profile: Profile
    secret: str | None = field(default=None, repr=False)


def save_imported(
    store: ConfigStore,
    items: list[Incoming],
    *,
    secret_store: tuple[str, str] = ("keyring", ""),
    replace: bool = False,
    expected: Config | None = None,
) -> UpkeepResult:
    """Store each password the way chosen, then write all profiles in one atomic write.

    A profile that already reads its password from env or a command keeps that. With
    `secret_store` env/command, profiles without one read it from there and any
    password that came with them is not stored (a warning says so). Names that exist
    raise NameTakenError unless `replace`. If the config cannot be written, keyring
    entries written here are put back as they were.
    """
    config = expected if expected is not None else store.load()
    taken = [i.profile.name for i in items if i.profile.name in config.names]
    if not replace:
        check_import_names(config, taken)
    kind, value = secret_store
    result = UpkeepResult(store.path, [i.profile.name for i in items], None)
    undo: list[tuple[str, str | None]] = []
    profiles = []
    try:
        for item in items:
            profiles.append(_with_password(item, kind, value, result, undo))
        store.save_profiles(profiles, expected=config)
    except BaseException:
        _restore_keyring(undo)
        raise
    for name in taken:  # an entry of ours the replacement no longer uses
        saved = config.saved(name)
        old = saved.password if saved is not None else None
        new = next(p.password for p in profiles if p.name == name)
        if _ours(old) and new != old and not _in_use(config, old, {name}):
            _remove_entry(old, name, result)
    result.default = store.load().default_profile
    return result


def check_import_names(config: Config, names: list[str]) -> None:
    """Raise NameTakenError naming every profile of `names` that exists in `config`."""
    taken = [n for n in names if n in config.names]
    if taken:
        raise NameTakenError(ngettext(
            "Profile {names} already exists in {path}; use --as NEW_NAME to import under "
            "another name, or --replace.",
            "Profiles {names} already exist in {path}; use --as NEW_NAME to import under "
            "another name, or --replace.", len(taken)).format(
                names=", ".join(repr(n) for n in taken), path=config.path))


def _with_password(
    item: Incoming, kind: str, value: str, result: UpkeepResult, undo: list
) -> Profile:
    from smtp_setup.core.profiles.secrets import store_in_keyring

    profile = item.profile.copy()
    if profile.password is not None:
        return profile
    if kind in ("env", "command"):
        if profile.username is not None or item.secret is not None:
            profile.password = SecretRef(kind, value)
            if item.secret is not None:
                result.warnings.append(_(
                    "The password that came with profile {name} was not stored: "
                    "it reads the password from {where}."
                ).format(name=repr(profile.name), where=profile.password.describe()))
        return profile
    if item.secret is None:
        if profile.username is not None:
            raise SecretError(_("Profile {name} logs in but has no password to store.")
                              .format(name=repr(profile.name)))
        return profile
    if kind == "file":
        profile.password = SecretRef("inline", item.secret)
        return profile
    undo.append((profile.name, _keyring_value(profile.name)))
    profile.password = store_in_keyring(profile.name, item.secret)
    return profile


def _keyring_value(name: str) -> str | None:
    """What the keyring holds for `name` now, to put back if the import fails."""
    import keyring

    try:
        return keyring.get_password(SERVICE, name)
    except Exception:  # unreadable: the write that follows will say so clearly
        return None


def _restore_keyring(undo: list[tuple[str, str | None]]) -> None:
    import keyring

    for name, previous in reversed(undo):
        try:
            if previous is None:
                keyring.delete_password(SERVICE, name)
            else:
                keyring.set_password(SERVICE, name, previous)
        except Exception:  # best effort: the error being raised is the one that matters
            pass

