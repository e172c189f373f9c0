"""Delete, rename, default and imported saves: config and keyring move together, and a
file changed behind our back is never overwritten."""

from __future__ import annotations

from dataclasses import replace

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked
from smtp_setup.core.profiles.config_store import ConfigConflict, ConfigError, ConfigStore
from smtp_setup.core.profiles.model import Profile, ProfileError, SecretRef, Security
from smtp_setup.core.profiles.secrets import SecretError, store_in_keyring
from smtp_setup.core.profiles.upkeep import (
    Incoming,
    NameTakenError,
    delete_profile,
    parse_secret_store,
    rename_profile,
    save_imported,
    set_default,
)

SECRET = "Ku9-upkeep-Secret-Value"
CONFLICT = (
    "The config file changed on disk since it was read (another smtp-setup or an editor?). "
    "Reload and try again; nothing was written."
)


def profile(name: str, **changes) -> Profile:
    base = Profile(
        name=name,
        host="smtp.example.com",
        port=587,
        security=Security.STARTTLS,
        username="me",
        password=SecretRef.keyring_for(name),
        from_email="me@example.com",
    )
    return replace(base, **changes)


@pytest.fixture
def store(tmp_path) -> ConfigStore:
    return ConfigStore(tmp_path / "conf" / "config.toml")


def in_keyring(name: str) -> str | None:
    return keyring.get_password("smtp-setup", name)


class LockedKeyring(KeyringBackend):
    """Reads work, changes are refused: a keyring locked after the secret was read."""

    priority = 1

    def __init__(self, data: dict[str, str]) -> None:
        super().__init__()
        self.data = data

    def get_password(self, service, username):
        return self.data.get(username)

    def set_password(self, service, username, password):
        raise KeyringLocked("locked")

    def delete_password(self, service, username):
        raise KeyringLocked("locked")


# -- concurrency ---------------------------------------------------------------------


def change_behind_its_back(store: ConfigStore) -> bytes:
    ConfigStore(store.path).save_profile(profile("elsewhere", password=None, username=None))
    return store.path.read_bytes()


@pytest.mark.parametrize(
    "action",
    [
        lambda s, c: s.save_profile(profile("work", port=2525), expected=c),
        lambda s, c: s.save_profiles([profile("new")], expected=c),
        lambda s, c: s.delete_profile("work", expected=c),
        lambda s, c: s.set_default("work", expected=c),
        lambda s, c: delete_profile(s, "work", expected=c),
        lambda s, c: rename_profile(s, "work", "job", expected=c),
        lambda s, c: set_default(s, "work", expected=c),
        lambda s, c: save_imported(s, [Incoming(profile("new"), SECRET)], expected=c),
    ],
    ids=["save", "save_many", "delete", "default", "upkeep_delete", "rename", "upkeep_default",
         "import"],
)
def test_a_file_changed_since_it_was_read_is_left_alone(store, test_keyring, action):
    store_in_keyring("work", SECRET)
    store.save_profile(profile("work"))
    config = store.load()
    before = change_behind_its_back(store)
    with pytest.raises(ConfigConflict) as caught:
        action(store, config)
    assert str(caught.value) == CONFLICT
    assert isinstance(caught.value, ConfigError)
    assert store.path.read_bytes() == before
    assert in_keyring("work") == SECRET  # nothing moved, nothing deleted
    assert in_keyring("job") is None and in_keyring("new") is None


def test_without_expected_the_old_merge_behaviour_stays(store):
    store.save_profile(profile("work"))
    config = store.load()
    change_behind_its_back(store)
    store.save_profile(profile("work", port=2525))  # the app's plain save still merges
    assert set(store.load().profiles) == {"work", "elsewhere"}
    assert store.has_changed(config)


def test_unchanged_file_and_missing_file_pass_the_check(store):
    empty = store.load()
    store.save_profile(profile("work"), expected=empty)  # no file yet: nothing to conflict
    config = store.load()
    store.save_profile(profile("work", port=2525), expected=config)
    assert store.load().profiles["work"].port == 2525


def test_save_profiles_writes_all_at_once(store):
    store.save_profile(profile("work"))
    store.save_profiles([profile("a"), profile("work", port=25), profile("b")])
    config = store.load()
    assert list(config.profiles) == ["work", "a", "b"] and config.profiles["work"].port == 25
    with pytest.raises(ProfileError):
        store.save_profiles([profile("ok"), profile("not ok")])
    assert "ok" not in store.load().profiles


# -- delete ------------------------------------------------------------------------------


def test_delete_removes_the_keyring_entry(store, test_keyring):
    store_in_keyring("work", SECRET)
    store_in_keyring("home", "other")
    store.save_profile(profile("work"))
    store.save_profile(profile("home"))
    result = delete_profile(store, "work")
    assert list(store.load().profiles) == ["home"]
    assert result.keyring_removed == ["smtp-setup/work"] and result.warnings == []
    assert result.default == "home" and result.names == ["work"]
    assert in_keyring("work") is None and in_keyring("home") == "other"


def test_delete_keeps_an_entry_another_profile_uses(store, test_keyring):
    store_in_keyring("work", SECRET)
    store.save_profile(profile("work"))
    store.save_profile(profile("copy", password=SecretRef.keyring_for("work")))
    result = delete_profile(store, "work")
    assert in_keyring("work") == SECRET and result.keyring_removed == []
    assert result.warnings == ["The keyring entry smtp-setup/work was kept: profile 'copy' uses it too."]


def test_delete_leaves_foreign_and_non_keyring_secrets_alone(store, test_keyring):
    keyring.set_password("other-app", "work", "theirs")
    store.save_profile(profile("work", password=SecretRef("keyring", "other-app/work")))
    store.save_profile(profile("env", password=SecretRef("env", "PW")))
    assert delete_profile(store, "work").keyring_removed == []
    assert delete_profile(store, "env").keyring_removed == []
    assert keyring.get_password("other-app", "work") == "theirs"


def test_delete_with_a_locked_keyring_deletes_and_warns(store):
    store.save_profile(profile("work"))
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring({"work": SECRET}))
    try:
        result = delete_profile(store, "work")
    finally:
        keyring.set_keyring(previous)
    assert store.load().profiles == {}
    (warning,) = result.warnings
    assert "'work'" in warning and "keyring" in warning and SECRET not in warning


def test_delete_with_no_keyring_at_all_says_where_the_entry_may_be(store, null_keyring):
    store.save_profile(profile("work"))
    result = delete_profile(store, "work")
    assert store.load().profiles == {}
    assert "smtp-setup/work" in result.warnings[0] and "not usable" in result.warnings[0]


def test_delete_unknown_profile(store):
    store.save_profile(profile("work"))
    with pytest.raises(LookupError, match="No profile named 'nope'. Profiles: work."):
        delete_profile(store, "nope")


# -- rename ------------------------------------------------------------------------------


def test_rename_moves_the_keyring_entry_and_the_default(store, test_keyring):
    store_in_keyring("work", SECRET)
    store.save_profile(profile("work", extra={"future": 1}))
    store.save_profile(profile("home", password=None, username=None))
    result = rename_profile(store, "work", "job")
    config = store.load()
    assert list(config.profiles) == ["job", "home"]  # in place
    assert config.default_profile == "job" == result.default
    assert config.profiles["job"].password == SecretRef.keyring_for("job")
    assert config.profiles["job"].extra == {"future": 1}
    assert in_keyring("job") == SECRET and in_keyring("work") is None
    assert result.keyring_removed == ["smtp-setup/work"] and result.warnings == []


def test_rename_keeps_other_references(store, test_keyring):
    store.save_profile(profile("work", password=SecretRef("env", "PW")))
    rename_profile(store, "work", "job")
    assert store.load().profiles["job"].password == SecretRef("env", "PW")


def test_rename_without_keyring_keeps_the_old_entry_in_use(store, null_keyring):
    store.save_profile(profile("work"))
    result = rename_profile(store, "work", "job")
    assert store.load().profiles["job"].password == SecretRef.keyring_for("work")
    assert "smtp-setup/work" in result.warnings[0]


def test_rename_refusals(store, test_keyring):
    store.save_profile(profile("work"))
    store.save_profile(profile("home"))
    before = store.path.read_bytes()
    with pytest.raises(NameTakenError, match="A profile named 'home' already exists"):
        rename_profile(store, "work", "home")
    with pytest.raises(ProfileError):
        rename_profile(store, "work", "../x")
    with pytest.raises(LookupError):
        rename_profile(store, "nope", "x")
    assert store.path.read_bytes() == before


def test_rename_undoes_the_keyring_copy_when_the_config_cannot_be_written(store, test_keyring):
    store_in_keyring("work", SECRET)
    store.save_profile(profile("work"))
    config = store.load()
    change_behind_its_back(store)
    with pytest.raises(ConfigConflict):
        rename_profile(store, "work", "job", expected=config)
    assert in_keyring("job") is None and in_keyring("work") == SECRET


def test_set_default(store):
    store.save_profile(profile("work"))
    store.save_profile(profile("home"))
    assert set_default(store, "home").default == "home"
    assert store.load().default_profile == "home"
    with pytest.raises(LookupError):
        set_default(store, "nope")


# -- imported profiles ------------------------------------------------------------------


def test_parse_secret_store():
    assert parse_secret_store("keyring") == ("keyring", "")
    assert parse_secret_store("file") == ("file", "")
    assert parse_secret_store("env:SMTP_PW") == ("env", "SMTP_PW")
    assert parse_secret_store("command:pass show x") == ("command", "pass show x")
    for bad in ("vault", "env:", "env:1X", "command:", "keyring:x"):
        with pytest.raises(ValueError, match="--store"):
            parse_secret_store(bad)


def test_save_imported_stores_each_password_as_chosen(store, test_keyring):
    items = [
        Incoming(profile("a", password=None), SECRET),
        Incoming(profile("b", password=SecretRef("env", "B_PW"))),
        Incoming(profile("c", password=None, username=None)),
    ]
    result = save_imported(store, items)
    config = store.load()
    assert config.profiles["a"].password == SecretRef.keyring_for("a")
    assert in_keyring("a") == SECRET
    assert config.profiles["b"].password == SecretRef("env", "B_PW")
    assert config.profiles["c"].password is None
    assert result.names == ["a", "b", "c"] and result.default == "a"

    save_imported(ConfigStore(store.path.with_name("f.toml")), [Incoming(profile("a", password=None), SECRET)],
                  secret_store=("file", ""))
    assert ConfigStore(store.path.with_name("f.toml")).load().profiles["a"].password == SecretRef(
        "inline", SECRET
    )


def test_save_imported_with_env_store_does_not_keep_the_password(store, test_keyring):
    result = save_imported(
        store, [Incoming(profile("a", password=None), SECRET)], secret_store=("env", "A_PW")
    )
    assert store.load().profiles["a"].password == SecretRef("env", "A_PW")
    assert in_keyring("a") is None and SECRET not in store.path.read_text()
    assert "A_PW" in result.warnings[0] and SECRET not in result.warnings[0]


def test_save_imported_refuses_taken_names_unless_replacing(store, test_keyring):
    store_in_keyring("a", "old secret")
    store.save_profile(profile("a"))
    store.save_profile(profile("b"))
    with pytest.raises(NameTakenError, match=r"Profile 'a' already exists in .*--as NEW_NAME.*--replace"):
        save_imported(store, [Incoming(profile("a", password=None), SECRET)])
    assert in_keyring("a") == "old secret"
    save_imported(store, [Incoming(profile("a", password=None, port=25), SECRET)], replace=True)
    assert store.load().profiles["a"].port == 25 and in_keyring("a") == SECRET


def test_replacing_with_an_env_reference_removes_our_old_entry(store, test_keyring):
    store_in_keyring("a", "old secret")
    store.save_profile(profile("a"))
    result = save_imported(
        store, [Incoming(profile("a", password=SecretRef("env", "A_PW")))], replace=True
    )
    assert in_keyring("a") is None and result.keyring_removed == ["smtp-setup/a"]


def test_failed_import_puts_the_keyring_back(store, test_keyring):
    store_in_keyring("a", "old secret")
    store.save_profile(profile("a"))
    config = store.load()
    change_behind_its_back(store)
    items = [Incoming(profile("a", password=None), SECRET), Incoming(profile("n", password=None), "x")]
    with pytest.raises(ConfigConflict):
        save_imported(store, items, replace=True, expected=config)
    assert in_keyring("a") == "old secret" and in_keyring("n") is None


def test_save_imported_needs_a_password_for_a_login(store, test_keyring):
    with pytest.raises(SecretError, match="'a' logs in but has no password"):
        save_imported(store, [Incoming(profile("a", password=None))])
    assert not store.path.exists()


class GoneKeyring(KeyringBackend):
    """A backend that looked viable but fails at call time with its own error type,
    like libsecret's GLib.Error (keyring issues 558 and 561)."""

    priority = 1

    def get_password(self, service, username):
        raise OSError("org.freedesktop.DBus.Error.ServiceUnknown")

    set_password = delete_password = get_password


def test_a_keyring_failing_with_a_foreign_error_names_the_profile(store):
    from smtp_setup.core.profiles.secrets import resolve_secret

    store.save_profile(profile("work"))
    previous = keyring.get_keyring()
    keyring.set_keyring(GoneKeyring())
    try:
        with pytest.raises(SecretError) as caught:
            resolve_secret(SecretRef.keyring_for("work"), "work")
        assert "'work'" in str(caught.value) and "smtp-setup edit work" in str(caught.value)
        with pytest.raises(SecretError, match="'work'"):
            store_in_keyring("work", SECRET)
        renamed = rename_profile(store, "work", "job")
        deleted = delete_profile(store, "job")
    finally:
        keyring.set_keyring(previous)
    assert "smtp-setup/work" in renamed.warnings[0]
    assert "keyring entry stays" in deleted.warnings[0] and store.load().profiles == {}


def test_rename_onto_the_entry_name_it_already_uses(store, test_keyring):
    """After a rename the keyring could not follow, renaming back must not lose the entry."""
    store_in_keyring("work", SECRET)
    store.save_profile(profile("job", password=SecretRef.keyring_for("work")))
    result = rename_profile(store, "job", "work")
    assert store.load().profiles["work"].password == SecretRef.keyring_for("work")
    assert in_keyring("work") == SECRET and result.keyring_removed == []
    rename_profile(store, "work", "later")  # an entry of ours under another name moves too
    assert in_keyring("later") == SECRET and in_keyring("work") is None
