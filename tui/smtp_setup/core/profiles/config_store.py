"""The config file: read it, and rewrite one profile at a time, atomically.

A file that does not parse, or holds a value of the wrong type, is reported with its
line and column and is never overwritten. Keys this version does not know (at the top
level and inside each profile) are written back unchanged.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.broken import BrokenProfile
from smtp_setup.core.profiles.model import Profile, ProfileError
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.profiles.private_file import write_private_file
from smtp_setup.core.profiles.toml_positions import TOML_POSITION, find_line, toml_error_position
from smtp_setup.core.profiles.toml_tables import render_profile_table, toml_key
from smtp_setup.i18n import N_, LazyText, _

FORMAT = 1
ENV_VAR = "SMTP_SETUP_CONFIG"
_EDIT_HINT = N_("Fix it in a text editor (smtp-setup has not changed the file)")
_TOML_AT_END = "(at end of document)"  # i18n: tomllib's own words


def default_config_path() -> Path:
    """$SMTP_SETUP_CONFIG if set, else the platform's per-user config folder."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path("smtp-setup") / "config.toml"


class ConfigError(Exception):
    """The config file cannot be used. str() reads "PATH:LINE:COL: message. next step"."""

    def __init__(
        self,
        message: str,
        path: Path,
        line: int | None = None,
        column: int | None = None,
        hint: str | LazyText | None = _EDIT_HINT,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        # TRANSLATORS: "PATH:LINE:COL: what is wrong." of a config file error
        text = _("{where}: {message}.").format(where=where, message=self.message.rstrip("."))
        # TRANSLATORS: a config file error followed by what to do
        return _("{text} {hint}.").format(text=text, hint=self.hint) if self.hint else text


class ConfigConflict(ConfigError):
    """The file changed on disk after the caller read it; nothing was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            _("The config file changed on disk since it was read "
              "(another smtp-setup or an editor?)"),
            path,
            hint=_("Reload and try again; nothing was written"),
        )

    def __str__(self) -> str:  # the sentence alone: the path is the one being edited
        return _("{message}. {hint}.").format(message=self.message, hint=self.hint)


class BrokenProfileError(ConfigError):
    """The named profile holds a value this version cannot use; the others still work."""

    def __init__(self, broken: BrokenProfile, path: Path) -> None:
        self.broken = broken
        super().__init__(
            _("in [profiles.{table}], {reason}").format(table=toml_key(broken.name),
                                                        reason=broken.reason),
            path,
            broken.line,
            broken.column,
            hint=(_("Fix it in a text editor or with: {command} (the other profiles still work)")
                  .format(command=next_command("edit", broken.name))
                  if broken.salvage() is not None else
                  _("Fix it in a text editor (the other profiles still work)")),
        )


class UnknownProfileError(LookupError):
    """No profile has that name. str() is a sentence listing the names there are."""

    def __init__(self, name: str | None, known: list[str]) -> None:
        self.name = name
        self.known = known
        if name is None:  # no NAME given and no default profile
            text = (_("No profile was named and there is no default profile; give a NAME "
                      "(profiles: {names}).").format(names=", ".join(known)) if known else
                    _("No profile was named and there is no default profile; give a NAME: "
                      "there are no profiles yet. Run {command} to create one.").format(
                        command=next_command()))
        elif known:
            text = _("No profile named {name}. Profiles: {names}.").format(
                name=repr(name), names=", ".join(known))
        else:
            text = _("No profile named {name}. There are no profiles yet; run {command} to "
                     "create one.").format(name=repr(name), command=next_command())
        super().__init__(text)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Config:
    """Everything read from the config file."""

    path: Path
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # unknown top-level keys, kept
    fingerprint: str | None = None  # sha256 of the bytes read; None when there was no file
    # Profiles with a value this version cannot use: listed, kept as written, not usable.
    broken: dict[str, BrokenProfile] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # every profile name, in file order

    @property
    def names(self) -> list[str]:
        """Every profile in the file, broken ones too, in file order."""
        return self.order or [*self.profiles, *self.broken]

    def profile(self, name: str | None) -> Profile:
        """The named profile (None: the default one); raises UnknownProfileError with the
        known names, BrokenProfileError (a ConfigError) for a broken one."""
        if name is None:
            name = self.default_profile
            if name not in self.profiles and name not in self.broken:
                raise UnknownProfileError(None, self.names)
        if name in self.broken:
            raise BrokenProfileError(self.broken[name], self.path)
        try:
            return self.profiles[name]
        except KeyError:
            raise UnknownProfileError(name, self.names) from None

    def saved(self, name: str) -> Profile | None:
        """The profile as far as it can be read: a broken one with its bad values left
        out (None if even that fails, or if there is no such profile)."""
        if name in self.broken:
            return self.broken[name].salvage()
        return self.profiles.get(name)


@dataclass
class _Document:
    """The file as parsed, with raw profile tables kept for a faithful rewrite."""

    config: Config
    raw_profiles: dict[str, dict[str, Any]]


class ConfigStore:
    """Reads and writes one config file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_config_path()

    def load(self) -> Config:
        """Read the file. A missing file is an empty config; anything unusable raises ConfigError."""
        return self._read_file().config

    def has_changed(self, config: Config) -> bool:
        """True when the file on disk is no longer the one `config` was read from."""
        return _fingerprint_of(self.path) != config.fingerprint

    def render_profile(self, profile: Profile) -> str:
        """The exact TOML text of the [profiles.NAME] table that save_profile would write."""
        return render_profile_table(profile.name, profile.to_toml())

    def save_profile(
        self,
        profile: Profile,
        *,
        make_default: bool = False,
        previous_name: str | None = None,
        expected: Config | None = None,
    ) -> Path:
        """Add or replace one profile and rewrite the file atomically; returns its path.

        The file is read again first, so changes made to other profiles since it was
        loaded survive, unless `expected` (the Config the caller read) is given: then a
        file that changed since raises ConfigConflict and nothing is written. A file that
        cannot be read raises ConfigError and is left as it is. `previous_name` renames:
        that table is replaced in place. The first profile (or one saved while the
        default names nothing) becomes the default.
        """
        return self.save_profiles(
            [profile], make_default=make_default, previous_name=previous_name, expected=expected
        )

    def save_profiles(
        self,
        profiles: list[Profile],
        *,
        make_default: bool = False,
        previous_name: str | None = None,
        expected: Config | None = None,
    ) -> Path:
        """save_profile for several profiles in one atomic write (all or none).

        `make_default` and `previous_name` apply to the first profile.
        """
        for profile in profiles:
            problem = validation.profile_name(profile.name)
            if problem:
                raise ProfileError("name", problem)
        doc = self._read(expected)
        raws = dict(doc.raw_profiles)
        default = doc.config.default_profile
        for index, profile in enumerate(profiles):
            renamed_from = previous_name if index == 0 else None
            raws = _replace_table(raws, profile, renamed_from)
            if renamed_from and default == renamed_from:
                default = profile.name
        if profiles and (make_default or default not in raws):
            default = profiles[0].name
        self._write(doc.config, raws, default)
        return self.path

    def delete_profile(self, name: str, *, expected: Config | None = None) -> None:
        """Remove a profile. If it was the default, the first remaining one becomes it.

        With `expected`, a file changed since that Config was read raises ConfigConflict.
        """
        doc = self._read(expected)
        if name not in doc.raw_profiles:
            raise UnknownProfileError(name, list(doc.raw_profiles))
        raws = {k: v for k, v in doc.raw_profiles.items() if k != name}
        default = doc.config.default_profile
        if default not in raws:
            default = next(iter(raws), None)
        self._write(doc.config, raws, default)

    def set_default(self, name: str, *, expected: Config | None = None) -> None:
        """Make an existing profile the default (ConfigConflict as for delete_profile)."""
        doc = self._read(expected)
        if name not in doc.raw_profiles:
            raise UnknownProfileError(name, list(doc.raw_profiles))
        self._write(doc.config, doc.raw_profiles, name)

    # -- reading ---------------------------------------------------------------

    def _read(self, expected: Config | None = None) -> _Document:
        doc = self._read_file()
        if expected is not None and doc.config.fingerprint != expected.fingerprint:
            raise ConfigConflict(self.path)
        return doc

    def _read_file(self) -> _Document:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return _Document(Config(path=self.path), {})
        except IsADirectoryError:
            raise ConfigError(
                _("this is a folder, not a config file"), self.path,
                hint=_("Use --config to name a file")
            ) from None
        except OSError as exc:
            raise ConfigError(
                _("cannot read the config file ({reason})").format(reason=exc.strerror),
                self.path,
                hint=_("Check the file's permissions"),
            ) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ConfigError(_("the file is not UTF-8 text"), self.path, line) from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, column = toml_error_position(exc, text)
            reason = TOML_POSITION.sub("", str(exc)).replace(_TOML_AT_END, "").strip()
            reason = reason[:1].lower() + reason[1:]
            raise ConfigError(_("not valid TOML ({reason})").format(reason=reason), self.path,
                              line, column) from None
        return self._parse(raw, text, hashlib.sha256(data).hexdigest())

    def _parse(self, raw: dict[str, Any], text: str, fingerprint: str) -> _Document:
        fmt = raw.get("format", FORMAT)
        if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
            raise self._key_error(text, "format", _("format must be the number 1"))
        if fmt > FORMAT:
            raise ConfigError(
                _("this file uses format {format}, written by a newer smtp-setup; "
                  "this version reads format {supported}").format(format=fmt, supported=FORMAT),
                self.path,
                *find_line(text, None, "format"),
                hint=_("Upgrade smtp-setup, or use --config to point at another file"),
            )
        default = raw.get("default_profile")
        if default is not None and not isinstance(default, str):
            raise self._key_error(
                text, "default_profile", _("default_profile must be a profile name in quotes")
            )
        tables = raw.get("profiles", {})
        if not isinstance(tables, dict):
            raise self._key_error(text, "profiles",
                                  _("profiles must be tables like [profiles.work]"))
        profiles: dict[str, Profile] = {}
        broken: dict[str, BrokenProfile] = {}
        for name, table in tables.items():
            if not isinstance(table, dict):
                raise ConfigError(
                    _("[profiles.{table}] must be a table of settings").format(
                        table=toml_key(name)),
                    self.path,
                    *find_line(text, None, name),
                )
            try:
                profiles[name] = Profile.from_toml(name, table)
            except ProfileError as exc:  # only this profile is unusable; the file still is
                key = exc.field.split(".")[0]
                broken[name] = BrokenProfile(name, exc, *find_line(text, name, key), table)
        extra = {k: v for k, v in raw.items() if k not in ("format", "default_profile", "profiles")}
        config = Config(self.path, profiles, default, extra, fingerprint, broken, list(tables))
        return _Document(config, dict(tables))

    def _key_error(self, text: str, key: str, message: str) -> ConfigError:
        return ConfigError(message, self.path, *find_line(text, None, key))

    # -- writing ---------------------------------------------------------------

    def _write(self, config: Config, raws: dict[str, dict[str, Any]], default: str | None) -> None:
        import tomli_w

        head: dict[str, Any] = {"format": FORMAT}
        if default is not None:
            head["default_profile"] = default
        head.update(config.extra)
        parts = [tomli_w.dumps(head)]
        parts += [render_profile_table(name, table) for name, table in raws.items()]
        write_private_file(self.path, "\n".join(parts).encode("utf-8"))


def _replace_table(
    raws: dict[str, dict[str, Any]], profile: Profile, previous_name: str | None
) -> dict[str, dict[str, Any]]:
    """The tables with `profile` in place of its old self (or of `previous_name`), else last."""
    out: dict[str, dict[str, Any]] = {}
    replaced = False
    for name, table in raws.items():
        if name in (profile.name, previous_name):
            if not replaced:  # keep the profile where it was in the file
                out[profile.name] = profile.to_toml()
                replaced = True
            continue
        out[name] = table
    if not replaced:
        out[profile.name] = profile.to_toml()
    return out


def _fingerprint_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
