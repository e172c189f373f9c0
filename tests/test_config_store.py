"""The config file: round trips, unknown keys, permissions, atomic writes, broken files."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smtp_setup.core.profiles.config_store import (
    BrokenProfileError,
    ConfigError,
    ConfigStore,
    UnknownProfileError,
    default_config_path,
)
from smtp_setup.core.profiles.model import Profile, ProfileError, SecretRef, Security


def work_profile(**changes) -> Profile:
    base = Profile(
        name="work",
        provider="sendgrid",
        host="smtp.sendgrid.net",
        port=465,
        security=Security.TLS,
        username="apikey",
        password=SecretRef.keyring_for("work"),
        from_email="alerts@example.com",
        from_name="Example Alerts",
        ca_file="/etc/ssl/private-ca.pem",
        timeout=12.5,
    )
    return replace(base, **changes)  # Profile.copy(extra=...) collides with its own extra=


@pytest.fixture
def store(tmp_path) -> ConfigStore:
    return ConfigStore(tmp_path / "conf" / "config.toml")


def test_default_path_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_SETUP_CONFIG", str(tmp_path / "x.toml"))
    assert default_config_path() == tmp_path / "x.toml"
    assert ConfigStore().path == tmp_path / "x.toml"
    monkeypatch.delenv("SMTP_SETUP_CONFIG")
    assert default_config_path().parts[-2:] == ("smtp-setup", "config.toml")


def test_missing_file_is_an_empty_config(store):
    config = store.load()
    assert config.profiles == {} and config.default_profile is None
    assert config.fingerprint is None and config.path == store.path
    assert not store.path.exists()  # loading never creates anything


def test_round_trip_keeps_every_value(store):
    saved = work_profile()
    path = store.save_profile(saved)
    assert path == store.path
    config = store.load()
    assert config.profiles == {"work": saved}
    assert config.default_profile == "work"  # the first profile becomes the default


def test_file_layout_follows_the_design(store):
    store.save_profile(work_profile())
    text = store.path.read_text()
    assert text.startswith('format = 1\ndefault_profile = "work"\n')
    assert 'password = { keyring = "smtp-setup/work" }' in text
    assert text.index("[profiles.work]") > text.index("default_profile")


def test_render_profile_is_exactly_what_save_writes(store):
    profile = work_profile(name="home.mail", password=SecretRef("env", "HOME_PW"))
    store.save_profile(work_profile())
    store.save_profile(profile)
    rendered = store.render_profile(profile)
    assert rendered.startswith('[profiles."home.mail"]\n')
    assert rendered in store.path.read_text()
    assert tomllib.loads(rendered)["profiles"]["home.mail"] == profile.to_toml()


def test_file_is_private_and_written_atomically(store):
    store.save_profile(work_profile())
    store.save_profile(work_profile(port=587, security=Security.STARTTLS))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert os.listdir(store.path.parent) == ["config.toml"]  # no temp file left behind


def test_existing_permissive_file_becomes_private(store):
    store.path.parent.mkdir()
    store.path.write_text("format = 1\n")
    store.path.chmod(0o644)
    store.save_profile(work_profile())
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_unknown_keys_survive_a_rewrite(store):
    store.path.parent.mkdir()
    store.path.write_text(
        "format = 1\n"
        'theme = "dark"\n'
        "[ui]\nwide = true\n"
        "[profiles.work]\n"
        'host = "smtp.example.com"\n'
        'from_email = "a@example.com"\n'
        'dkim_selector = "s1"\n'
        "[profiles.work.relay]\n"
        'client_id = "abc"\n'
        'scopes = ["mail", "send"]\n'
        "[profiles.other]\n"
        'host = "other.example.com"\n'
        "future_flag = 3\n"
    )
    loaded = store.load()
    assert loaded.extra == {"theme": "dark", "ui": {"wide": True}}
    work = loaded.profiles["work"]
    assert work.extra == {
        "dkim_selector": "s1",
        "relay": {"client_id": "abc", "scopes": ["mail", "send"]},
    }

    store.save_profile(work.copy(port=2525))
    again = store.load()
    assert again.extra == loaded.extra
    assert again.profiles["work"].extra == work.extra
    assert again.profiles["work"].port == 2525
    assert again.profiles["other"].extra == {"future_flag": 3}
    assert list(again.profiles) == ["work", "other"]  # order in the file is kept


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    extra=st.dictionaries(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8
        ).filter(lambda k: k not in Profile.__dataclass_fields__ and k != "password"),
        st.one_of(
            st.booleans(),
            st.integers(-(2**63), 2**63 - 1),
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
            st.dictionaries(
                st.from_regex(r"[a-z]{1,5}", fullmatch=True), st.integers(), max_size=3
            ),
        ),
        max_size=4,
    ),
    name=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True),
)
def test_any_extra_keys_round_trip(tmp_path, extra, name):
    store = ConfigStore(tmp_path / f"rt-{abs(hash((name, repr(extra))))}.toml")
    profile = work_profile(name=name, extra=extra)
    store.save_profile(profile)
    assert store.load().profiles[name] == profile


def test_inline_password_round_trips(store):
    store.save_profile(work_profile(password=SecretRef("inline", 'p"a\\ss word')))
    assert store.load().profiles["work"].password == SecretRef("inline", 'p"a\\ss word')


def test_rename_replaces_in_place_and_moves_the_default(store):
    store.save_profile(work_profile())
    store.save_profile(work_profile(name="second"))
    store.save_profile(work_profile(name="job"), previous_name="work")
    config = store.load()
    assert list(config.profiles) == ["job", "second"]
    assert config.default_profile == "job"


def test_make_default_and_set_default(store):
    store.save_profile(work_profile())
    store.save_profile(work_profile(name="b"))
    assert store.load().default_profile == "work"
    store.save_profile(work_profile(name="c"), make_default=True)
    assert store.load().default_profile == "c"
    store.set_default("b")
    assert store.load().default_profile == "b"
    with pytest.raises(
        UnknownProfileError, match=r"No profile named 'zz'\. Profiles: work, b, c\."
    ):
        store.set_default("zz")


def test_delete_profile_moves_the_default(store):
    store.save_profile(work_profile())
    store.save_profile(work_profile(name="b"))
    store.delete_profile("work")
    config = store.load()
    assert list(config.profiles) == ["b"] and config.default_profile == "b"
    store.delete_profile("b")
    config = store.load()
    assert config.profiles == {} and config.default_profile is None
    with pytest.raises(UnknownProfileError, match="no profiles yet"):
        store.delete_profile("b")


def test_save_refuses_an_invalid_name(store):
    with pytest.raises(ProfileError):
        store.save_profile(work_profile(name="has space"))
    assert not store.path.exists()


def test_has_changed_notices_another_writer(store):
    store.save_profile(work_profile())
    config = store.load()
    assert config.fingerprint and not store.has_changed(config)
    ConfigStore(store.path).save_profile(work_profile(name="other"))
    assert store.has_changed(config)


def test_save_keeps_profiles_written_since_load(store):
    store.save_profile(work_profile())
    ConfigStore(store.path).save_profile(work_profile(name="elsewhere"))
    store.save_profile(work_profile(port=587))  # this store loaded before "elsewhere" existed
    assert set(store.load().profiles) == {"work", "elsewhere"}


BROKEN = 'format = 1\n\n[profiles.work]\nhost = "smtp.example.com"\nport = = 587\n'


def test_broken_toml_reports_line_and_column(store):
    store.path.parent.mkdir()
    store.path.write_text(BROKEN)
    with pytest.raises(ConfigError) as caught:
        store.load()
    error = caught.value
    assert (error.line, error.column) == (5, 8)
    assert error.path == store.path
    assert str(error).startswith(f"{store.path}:5:8: not valid TOML")
    assert "\n" not in str(error)


def test_error_at_end_of_document_still_has_a_position(store):
    store.path.parent.mkdir()
    store.path.write_text('format = 1\nname = "unterminated')
    with pytest.raises(ConfigError) as caught:
        store.load()
    assert (caught.value.line, caught.value.column) == (2, 21)  # just past the last character


@pytest.mark.parametrize(
    "content",
    [
        BROKEN,
        "format = 7\n",
        b"format = 1\n\xff\xfe\n",
    ],
)
def test_failed_save_leaves_a_bad_file_byte_identical(store, content):
    store.path.parent.mkdir()
    data = content if isinstance(content, bytes) else content.encode()
    store.path.write_bytes(data)
    with pytest.raises(ConfigError):
        store.save_profile(work_profile(name="new"))
    with pytest.raises(ConfigError):
        store.delete_profile("work")
    assert store.path.read_bytes() == data
    assert os.listdir(store.path.parent) == ["config.toml"]


@pytest.mark.parametrize(
    ("body", "key", "line"),
    [
        ('port = "587"', "port", 4),
        ('security = "ssl"', "security", 4),
        ("verify_certificates = 1", "verify_certificates", 4),
        ("port = 70000", "port", 4),
        ('password = { vault = "x" }', "password", 4),
        ("timeout = true", "timeout", 4),
    ],
)
def test_wrong_values_name_the_profile_and_key(store, body, key, line):
    store.path.parent.mkdir()
    store.path.write_text(f'format = 1\n[profiles.work]\nhost = "h.example.com"\n{body}\n')
    config = store.load()  # one broken profile does not make the file unreadable
    assert config.names == ["work"] and config.broken["work"].field == key
    with pytest.raises(BrokenProfileError) as caught:
        config.profile("work")
    error = caught.value
    assert isinstance(error, ConfigError)
    assert f"in [profiles.work], {key}:" in error.message
    assert (error.line, error.column) == (line, 1)


def test_wrong_top_level_shapes(store):
    store.path.parent.mkdir()
    for text, expected in [
        ('format = "1"\n', "format must be the number 1"),
        ("default_profile = 3\n", "default_profile must be"),
        ('profiles = "none"\n', "profiles must be tables"),
        ('[profiles]\nwork = "x"\n', "[profiles.work] must be a table"),
    ]:
        store.path.write_text(text)
        with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace(".", r"\.")):
            store.load()


def test_newer_format_is_a_clear_error(store):
    store.path.parent.mkdir()
    store.path.write_text("format = 2\n")
    with pytest.raises(ConfigError) as caught:
        store.load()
    text = str(caught.value)
    assert f"{store.path}:1:1:" in text
    assert "newer smtp-setup" in text and "Upgrade smtp-setup" in text


def test_a_folder_in_place_of_the_file(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match="folder"):
        ConfigStore(tmp_path / "dir.toml").load()


def test_symlinked_config_stays_a_symlink(tmp_path):
    real = tmp_path / "dotfiles" / "smtp.toml"
    real.parent.mkdir()
    real.write_text("format = 1\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    ConfigStore(link).save_profile(work_profile())
    assert link.is_symlink()
    assert "[profiles.work]" in real.read_text()


def test_config_profile_lookup(store):
    store.save_profile(work_profile())
    config = store.load()
    assert config.profile("work").host == "smtp.sendgrid.net"
    with pytest.raises(UnknownProfileError) as caught:
        config.profile("x")
    assert str(caught.value) == "No profile named 'x'. Profiles: work."


def test_path_may_be_a_string_like(tmp_path):
    assert ConfigStore(Path(tmp_path, "a.toml")).path == tmp_path / "a.toml"
