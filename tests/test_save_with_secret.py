"""core.profile_upkeep.save_with_secret, the wizard's Save: a keyring entry of the replaced
profile is removed only after the new file is written, and only when nothing uses it."""

from __future__ import annotations

import pytest
from smtp_setup.core.profiles.config_store import ConfigError, ConfigStore
from smtp_setup.core.profiles.model import Profile, SecretRef
from smtp_setup.core.profiles.upkeep import save_with_secret


def keyring_profile(name: str, ref_name: str | None = None) -> Profile:
    return Profile(name=name, host="smtp.example.com", username="u", from_email="a@example.com",
                   password=SecretRef.keyring_for(ref_name or name))


@pytest.fixture
def store(tmp_path, test_keyring) -> ConfigStore:
    store = ConfigStore(tmp_path / "config.toml")
    store.save_profile(keyring_profile("work"))
    test_keyring.set_password("smtp-setup", "work", "Old-S3cret")
    return store


def test_an_entry_nothing_uses_any_more_goes_after_the_write(store, test_keyring):
    inline = keyring_profile("work").copy(password=SecretRef("inline", "New-S3cret"))
    result = save_with_secret(store, inline)
    assert result.keyring_removed == ["smtp-setup/work"]
    assert test_keyring.get_password("smtp-setup", "work") is None
    assert store.load().profile("work").password.kind == "inline"


def test_an_entry_another_profile_reads_is_kept(store, test_keyring):
    store.save_profile(keyring_profile("twin", ref_name="work"))
    result = save_with_secret(store, keyring_profile("work").copy(password=None, username=None))
    assert result.keyring_removed == [] and result.warnings == []
    assert test_keyring.get_password("smtp-setup", "work") == "Old-S3cret"


def test_nothing_changes_when_the_file_cannot_be_read(store, test_keyring):
    store.path.write_text(store.path.read_text() + "port = = 1\n")
    with pytest.raises(ConfigError):
        save_with_secret(store, keyring_profile("work"), "New-S3cret")
    assert test_keyring.get_password("smtp-setup", "work") == "Old-S3cret"


def test_a_new_secret_replaces_the_old_one_in_the_same_entry(store, test_keyring):
    result = save_with_secret(store, keyring_profile("work"), "New-S3cret")
    assert result.keyring_removed == []
    assert test_keyring.get_password("smtp-setup", "work") == "New-S3cret"
