"""The portable export: profiles as a TOML file another machine can import.

```toml
format = "smtp-setup-export"
version = 1

[profiles.work]                     # the config file's own schema, except:
password = { ask = true }           # keyring and inline passwords: asked at import
# password = { env = "VAR" } and { command = "..." } are kept as they are

[sealed]                            # only with --include-secrets
sealed_version = 1
kdf = "scrypt"                      # n, r, p, salt: the key derivation's parameters
cipher = "AES-256-GCM"              # nonce, ciphertext: a JSON map name -> password
```

Reading validates the whole file before anything is written: size, TOML, format and
version, every profile and name, and no line breaks in any value.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smtp_setup.core.profiles import sealing, validation
from smtp_setup.core.profiles.model import Profile, ProfileError, SecretRef
from smtp_setup.i18n import _

EXPORT_FORMAT = "smtp-setup-export"
EXPORT_VERSION = 1
MAX_EXPORT_BYTES = 2**20  # far above any real export; keeps a wrong file from filling memory
ASK = {"ask": True}
# Kinds whose value only means something on this machine (or is the secret itself).
_NOT_PORTABLE = ("keyring", "inline")
# i18n: the first line of an export file, the same in every language
_HEADER = "# smtp-setup export: move it with care, import it with: smtp-setup import FILE\n"


class ImportProblem(ValueError):
    """An export file cannot be imported. str() is one sentence; nothing was written."""


@dataclass
class PortableExport:
    """The text of an export file and what the person should know about it."""

    text: str
    warnings: list[str] = field(default_factory=list)


# -- export ------------------------------------------------------------------------


def stored_secrets(profiles: list[Profile]) -> dict[str, str]:
    """The passwords an export would leave behind: those in the keyring or the config file.

    Reads the keyring; raises SecretError naming the profile when it cannot. Env and
    command references travel as references and are not resolved.
    """
    from smtp_setup.core.profiles.secrets import resolve_secret

    return {
        p.name: resolve_secret(p.password, p.name)
        for p in profiles
        if p.password is not None and p.password.kind in _NOT_PORTABLE
    }


def export_portable(
    profiles: list[Profile],
    *,
    secrets: dict[str, str] | None = None,
    passphrase: str | None = None,
) -> PortableExport:
    """The portable TOML for `profiles`. With `secrets` and `passphrase`, the secrets are
    sealed into a [sealed] table; without, no password value is written."""
    warnings: list[str] = []
    parts = [_HEADER + _dumps({"format": EXPORT_FORMAT, "version": EXPORT_VERSION})]
    for profile in profiles:
        table = profile.to_toml()
        for key in profile.extra:  # a newer version's settings may hold secrets
            table.pop(key, None)
        if profile.extra:
            warnings.append(_(
                "Profile {name} has settings this version does not know "
                "({keys}); they were left out."
            ).format(name=repr(profile.name), keys=", ".join(sorted(profile.extra))))
        if profile.password is not None and profile.password.kind in _NOT_PORTABLE:
            table["password"] = dict(ASK)
        if profile.ca_file:
            warnings.append(_(
                "Profile {name} trusts the CA file {path}; "
                "copy that file to the other machine too."
            ).format(name=repr(profile.name), path=profile.ca_file))
        parts.append(_render_table(profile.name, table))
    if secrets and passphrase is not None:
        parts.append(_dumps({"sealed": sealing.seal(secrets, passphrase)}))
    return PortableExport("\n".join(parts), warnings)


def _dumps(data: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(data)


def _render_table(name: str, table: dict[str, Any]) -> str:
    from smtp_setup.core.profiles.toml_tables import render_profile_table

    return render_profile_table(name, table)


# -- import ------------------------------------------------------------------------


@dataclass
class IncomingProfile:
    """One profile from an export file, checked.

    `profile.password` is the env or command reference from the file, or None. When the
    profile logs in and its password stayed behind, `needs_secret` is True; a password
    written in the file itself (hand-made files) is `file_secret`.
    """

    profile: Profile
    needs_secret: bool = False
    file_secret: str | None = field(default=None, repr=False)


@dataclass
class ExportFile:
    """A whole export file, validated; `sealed` is its [sealed] table, checked but closed."""

    source: str
    profiles: list[IncomingProfile]
    sealed: dict[str, Any] | None = None

    def unseal(self, passphrase: str) -> dict[str, str]:
        """The sealed passwords by profile name (as named in the file).

        Raises ImportProblem for a wrong passphrase or unusable content; no secret in it.
        """
        if self.sealed is None:
            return {}
        try:
            secrets = sealing.unseal(self.sealed, passphrase)
        except sealing.SealError as exc:
            raise ImportProblem(_("{source}: {problem} Nothing was imported.").format(
                source=self.source, problem=exc)) from None
        names = {p.profile.name for p in self.profiles}
        for name, secret in secrets.items():
            if name in names and _has_line_break(secret):
                raise ImportProblem(_(
                    "{source}: the sealed password for {name} contains a line "
                    "break, which no mail server accepts. Nothing was imported."
                ).format(source=self.source, name=repr(name)))
        return {k: v for k, v in secrets.items() if k in names}


def read_export_file(path: Path | str) -> ExportFile:
    """Read and validate an export file; "-" reads standard input. Raises ImportProblem."""
    source = _("standard input") if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_EXPORT_BYTES + 1)
    except FileNotFoundError:
        raise ImportProblem(_("{source}: no such file.").format(source=source)) from None
    except IsADirectoryError:
        raise ImportProblem(_("{source}: this is a folder; name the exported file.")
                            .format(source=source)) from None
    except OSError as exc:
        raise ImportProblem(_("{source}: cannot read it ({reason}).").format(
            source=source, reason=exc.strerror)) from None
    return read_export(data, source=source)


def read_export(data: bytes, *, source: str | None = None) -> ExportFile:
    """Validate a whole export file. Raises ImportProblem with one sentence naming `source`."""
    source = _("the file") if source is None else source
    if len(data) > MAX_EXPORT_BYTES:
        raise _problem(
            source, _("larger than {size} MiB; an smtp-setup export is "
                      "a few kilobytes, so this is not one").format(size=MAX_EXPORT_BYTES // 2**20)
        )
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _problem(source, _("not UTF-8 text, so not an smtp-setup export")) from None
    except tomllib.TOMLDecodeError as exc:
        raise _problem(source, _("not valid TOML ({reason})").format(reason=exc)) from None
    _check_header(raw, source)
    tables = raw.get("profiles")
    if not isinstance(tables, dict) or not tables:
        raise _problem(source, _("it holds no [profiles.NAME] tables"))
    incoming = [_incoming(name, table, source) for name, table in tables.items()]
    sealed = raw.get("sealed")
    if sealed is not None:
        try:
            sealing.check_sealed(sealed)
        except sealing.SealError as exc:
            raise _problem(source, str(exc).rstrip(".")) from None
    return ExportFile(source, incoming, sealed)


def _problem(source: str, message: str) -> ImportProblem:
    return ImportProblem(_("{source}: {problem}. Nothing was imported.").format(
        source=source, problem=message))


def _check_header(raw: dict[str, Any], source: str) -> None:
    fmt, version = raw.get("format"), raw.get("version")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and "profiles" in raw:
        raise _problem(
            source, _("this is an smtp-setup config file, not an export; make an export on "
                      "the machine it came from with: {command}").format(
                command="smtp-setup export --all -o FILE")
        )
    if fmt != EXPORT_FORMAT:
        raise _problem(source, _('not an smtp-setup export (format should be "{format}")')
                       .format(format=EXPORT_FORMAT))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _problem(source, _("version must be a whole number"))
    if version > EXPORT_VERSION:
        raise _problem(
            source, _("made by a newer smtp-setup (export version {version}; this one reads "
                      "version {supported}); upgrade smtp-setup on this machine").format(
                version=version, supported=EXPORT_VERSION)
        )


def _incoming(name: Any, table: Any, source: str) -> IncomingProfile:
    shown = repr(name)[:70]
    if validation.profile_name(name):
        raise _problem(
            source, _("the profile name {name} is not allowed (use letters, digits, dot, "
                      "dash or underscore, starting with a letter or digit)").format(name=shown)
        )
    if not isinstance(table, dict):
        raise _problem(source, _("[profiles.{table}] must be a table of settings").format(
            table=name))
    # TRANSLATORS: where in an export file, then what is wrong there
    where = _("in [profiles.{table}], {problem}")
    for key, value in _walk(table):
        if _has_line_break(key) or _has_line_break(value):
            raise _problem(source, where.format(table=name, problem=_(
                "{key} contains a line break").format(key=repr(key[:40]))))
    settings = {k: v for k, v in table.items() if k != "password"}
    try:
        profile = Profile.from_toml(name, settings)
    except ProfileError as exc:
        raise _problem(source, where.format(table=name, problem=str(exc))) from None
    result = IncomingProfile(profile)
    if "password" in table:
        try:
            _take_password(result, table["password"])
        except ProfileError as exc:
            raise _problem(source, where.format(
                table=name, problem=f"password: {exc.message}")) from None
    for problem in profile.problems():
        if problem.field != "password":  # a password still to come is not a problem here
            raise _problem(source, where.format(
                table=name, problem=f"{problem.field}: {problem.message.rstrip('.')}"))
    return result


def _take_password(incoming: IncomingProfile, raw: Any) -> None:
    """Sort the file's password into a reference, a secret to store, or one to ask for."""
    if raw == ASK or isinstance(raw, dict) and set(raw) == {"keyring"}:
        # A keyring entry lives on the machine the file came from: ask for it here.
        incoming.needs_secret = incoming.profile.username is not None
        return
    if isinstance(raw, str):
        if not raw:
            raise ProfileError("password", _("is empty"))
        incoming.file_secret = raw
        return
    if isinstance(raw, dict) and set(raw) == {"ask"}:
        raise ProfileError("password", _("ask must be true"))
    ref = SecretRef.from_toml(raw)  # env or command; raises for anything else
    problem = (
        validation.env_name(ref.value) if ref.kind == "env" else validation.secret_command(ref.value)
    )
    if problem:
        raise ProfileError("password", problem.rstrip("."))
    incoming.profile.password = ref


def _walk(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, scalar) pair in a table, nested tables and arrays included."""
    if isinstance(value, dict):
        pairs: list[tuple[str, Any]] = []
        for k, v in value.items():
            pairs.append((k, None))
            pairs += _walk(v, k)
        return pairs
    if isinstance(value, list):
        return [pair for item in value for pair in _walk(item, key)]
    return [(key, value)]


def _has_line_break(value: Any) -> bool:
    return isinstance(value, str) and any(c in value for c in "\r\n")
