"""What the commands that send or sign in share (test, doctor, token): the profile's
password or refresh token, the --to and --nameserver checks, and the saver that keeps a
rotated refresh token."""

from __future__ import annotations

import sys
from typing import Any

from smtp_setup.cli.output import UsageError, option_problem
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.i18n import _


def check_recipient(to: str | None) -> None:
    """`--to` by the one address rule: a UsageError when it is not an address."""
    from smtp_setup.core.profiles import validation

    if to is not None and (problem := validation.email_address(to)):
        raise UsageError(option_problem("--to", problem, to))


def check_nameserver(nameserver: str | None) -> None:
    if nameserver is None:  # the usual case pays for no import
        return
    from smtp_setup.core.smtp.probe import check_nameserver

    try:
        check_nameserver(nameserver)
    except ValueError as exc:
        raise UsageError(option_problem("--nameserver", exc)) from None


def note_recipient(to: str | None) -> None:
    """A note on stderr when `--to` is on an internal or reserved domain (corp.local): it is
    sent all the same, only the person should know who can deliver it. (The profile's own
    From address got its note when it was set; repeating it on every run is noise.)"""
    from smtp_setup.core.profiles import validation

    if to is not None and (note := validation.address_note(to)):
        print(_("Note: {note}").format(note=note), file=sys.stderr)


def password_for(profile: Profile) -> str | None:
    """The password, only when the profile logs in (no keyring prompt otherwise)."""
    if not profile.username or profile.password is None:
        return None
    from smtp_setup.core.profiles.secrets import SecretError, resolve_secret

    try:
        return resolve_secret(profile.password, profile.name)
    except SecretError as exc:
        raise UsageError(str(exc)) from None


def refresh_token_for(profile: Profile) -> str:
    """The profile's refresh token (its `password` source); UsageError with the fix."""
    from smtp_setup.core.profiles.secrets import SecretError, resolve_secret

    if profile.password is None:
        raise UsageError(_("Profile {name} is not signed in yet; sign in with: {command}")
                         .format(name=repr(profile.name),
                                 command=next_command("edit", profile.name)))
    try:
        return resolve_secret(profile.password, profile.name)
    except SecretError as exc:
        raise UsageError(str(exc)) from None


def token_saver(profile: Profile, store: Any) -> Any:
    """The store_rotated callable for a saved OAuth profile (None for a password profile)."""
    if not profile.uses_oauth:
        return None
    from smtp_setup.core.oauth.token_store import RefreshTokenSaver

    return RefreshTokenSaver(profile, store)


def print_warnings(saver: Any) -> None:
    """What the store-back could not do, one line each on stderr (stdout stays clean for
    JSON and for passwordeval)."""
    for warning in getattr(saver, "warnings", ()):
        print(" ".join(warning.split()), file=sys.stderr)
