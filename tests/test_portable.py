"""The portable export format: what it writes, and how strictly an import reads it."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest
from smtp_setup.core.profiles import sealing
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.profiles.portable import (
    ASK,
    EXPORT_FORMAT,
    MAX_EXPORT_BYTES,
    ImportProblem,
    export_portable,
    read_export,
    read_export_file,
    stored_secrets,
)
from smtp_setup.core.profiles.secrets import SecretError, store_in_keyring

SECRET = "Pk4-portable-Secret-Value"


def profile(name: str = "work", **changes) -> Profile:
    base = Profile(
        name=name,
        provider="sendgrid",
        host="smtp.sendgrid.net",
        port=465,
        security=Security.TLS,
        username="apikey",
        password=SecretRef.keyring_for(name),
        from_email="alerts@example.com",
        from_name="Example Alerts",
        timeout=12.5,
    )
    return replace(base, **changes)


@pytest.fixture(autouse=True)
def fast_sealing(monkeypatch):
    """Cheap scrypt for format tests; test_sealing covers the real parameters."""
    monkeypatch.setattr(sealing, "SCRYPT_N", 2**10)
    monkeypatch.setattr(sealing.seal, "__kwdefaults__", {"n": 2**10, "r": 8, "p": 1})


def test_export_keeps_settings_and_references_but_no_secret():
    profiles = [
        profile("work"),
        profile("inline", password=SecretRef("inline", SECRET)),
        profile("env", password=SecretRef("env", "SMTP_PW")),
        profile("cmd", password=SecretRef("command", "pass show smtp")),
        profile("nologin", username=None, password=None),
    ]
    export = export_portable(profiles)
    assert SECRET not in export.text
    data = tomllib.loads(export.text)
    assert data["format"] == EXPORT_FORMAT and data["version"] == 1
    assert "sealed" not in data
    tables = data["profiles"]
    assert list(tables) == ["work", "inline", "env", "cmd", "nologin"]
    assert tables["work"]["password"] == ASK == tables["inline"]["password"]
    assert tables["env"]["password"] == {"env": "SMTP_PW"}
    assert tables["cmd"]["password"] == {"command": "pass show smtp"}
    assert "password" not in tables["nologin"]
    assert tables["work"]["host"] == "smtp.sendgrid.net" and tables["work"]["timeout"] == 12.5
    assert "password = { ask = true }" in export.text  # reads like the config file
    assert export.warnings == []


def test_unknown_keys_are_left_out_and_ca_files_mentioned():
    export = export_portable(
        [profile(extra={"oauth": {"token": SECRET}}, ca_file="/etc/ssl/private-ca.pem")]
    )
    assert SECRET not in export.text and "oauth" not in export.text
    assert tomllib.loads(export.text)["profiles"]["work"]["ca_file"] == "/etc/ssl/private-ca.pem"
    assert any("oauth" in w and "left out" in w for w in export.warnings)
    assert any("/etc/ssl/private-ca.pem" in w and "copy" in w for w in export.warnings)


def test_sealed_export_round_trip():
    export = export_portable([profile()], secrets={"work": SECRET}, passphrase="pp")
    assert SECRET not in export.text
    data = tomllib.loads(export.text)
    assert data["sealed"]["kdf"] == "scrypt" and data["sealed"]["cipher"] == "AES-256-GCM"
    parsed = read_export(export.text.encode())
    assert parsed.profiles[0].needs_secret and parsed.profiles[0].profile.password is None
    assert parsed.unseal("pp") == {"work": SECRET}
    with pytest.raises(ImportProblem, match="Wrong passphrase.*Nothing was imported"):
        parsed.unseal("nope")


def test_export_then_read_gives_the_same_profiles():
    original = [profile("a"), profile("b", password=SecretRef("env", "B_PW"), port=587,
                                       security=Security.STARTTLS, verify_certificates=False)]
    parsed = read_export(export_portable(original).text.encode(), source="x.toml")
    assert parsed.source == "x.toml"
    back = [i.profile for i in parsed.profiles]
    assert back[0] == original[0].copy(password=None)
    assert back[1] == original[1]
    assert [i.needs_secret for i in parsed.profiles] == [True, False]


def test_stored_secrets_reads_keyring_and_inline_only(test_keyring):
    store_in_keyring("work", SECRET)
    profiles = [
        profile("work"),
        profile("inline", password=SecretRef("inline", "in-file")),
        profile("env", password=SecretRef("env", "NOT_SET_ANYWHERE")),
        profile("cmd", password=SecretRef("command", "exit 3")),
    ]
    assert stored_secrets(profiles) == {"work": SECRET, "inline": "in-file"}


def test_stored_secrets_names_the_profile_when_the_keyring_is_gone(null_keyring):
    with pytest.raises(SecretError, match="'work'.*no usable keyring"):
        stored_secrets([profile("work")])


GOOD = (
    'format = "smtp-setup-export"\nversion = 1\n'
    '[profiles.work]\nhost = "smtp.example.com"\nport = 587\nsecurity = "starttls"\n'
    'username = "me"\npassword = { ask = true }\nfrom_email = "me@example.com"\n'
)


def test_a_hand_written_file_is_read():
    parsed = read_export(GOOD.encode())
    (item,) = parsed.profiles
    assert item.profile.name == "work" and item.needs_secret and parsed.sealed is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('"smtp-setup-export"', '"something-else"'), "not an smtp-setup export"),
        (GOOD.replace("version = 1", "version = 2"), "made by a newer smtp-setup"),
        (GOOD.replace("version = 1", 'version = "1"'), "version must be a whole number"),
        (GOOD.replace("version = 1", "version = true"), "version must be a whole number"),
        (GOOD.replace("version = 1\n", ""), "version must be a whole number"),
        ('format = 1\n[profiles.work]\nhost = "h.example"\n', "config file, not an export"),
        ('format = "smtp-setup-export"\nversion = 1\n', "no \\[profiles.NAME\\] tables"),
        ('format = "smtp-setup-export"\nversion = 1\nprofiles = "x"\n', "no \\[profiles"),
        (GOOD + "port = 2\n", "not valid TOML"),
        (GOOD.replace("port = 587", 'port = "587"'), "port: has the wrong type"),
        (GOOD.replace("port = 587", "port = 70000"), "port: 70000 is not between"),
        (GOOD.replace('"starttls"', '"ssl"'), "security"),
        (GOOD.replace('"smtp.example.com"', '"smtp example com"'), "host"),
        (GOOD.replace('"me@example.com"', '"not an address"'), "from_email"),
        (GOOD.replace("{ ask = true }", "5"), "password: expected a string"),
        (GOOD.replace("{ ask = true }", "{ ask = false }"), "ask must be true"),
        (GOOD.replace("{ ask = true }", '""'), "password: is empty"),
        (GOOD.replace("{ ask = true }", '{ env = "1BAD" }'), "password: An environment"),
        (GOOD.replace("{ ask = true }", '{ env = "A", command = "b" }'), "password"),
        (GOOD.replace("[profiles.work]", '[profiles."../x"]'), "name '../x' is not allowed"),
        (GOOD.replace("[profiles.work]", '[profiles."a/b"]'), "name 'a/b' is not allowed"),
        (GOOD.replace("[profiles.work]", '[profiles.""]'), "name '' is not allowed"),
        (GOOD.replace("[profiles.work]", '[profiles.".hidden"]'), "not allowed"),
        (GOOD.replace("[profiles.work]", '[profiles."x\\r\\ny"]'), "'x\\\\r\\\\ny' is not allowed"),
        (GOOD.replace('"me"', '"me\\r\\nRCPT TO:<x@y>"'), "'username' contains a line break"),
        (GOOD.replace("{ ask = true }", '"pw\\nmore"'), "'password' contains a line break"),
        (GOOD + 'notes = ["ok", "bad\\nline"]\n', "'notes' contains a line break"),
        (GOOD + '[profiles.work.future]\n"k\\ney" = 1\n', "contains a line break"),
        (GOOD + "[profiles.other]\nport = 25\n", "other.*host"),
        (GOOD + "[sealed]\nsealed_version = 9\n", "sealed by a newer smtp-setup"),
        (GOOD + "[sealed]\nsealed_version = 1\n", "lacks"),
    ],
)
def test_hostile_files_are_refused_with_one_sentence(text, message):
    with pytest.raises(ImportProblem, match=message) as caught:
        read_export(text.encode(), source="in.toml")
    text_of_error = str(caught.value)
    assert text_of_error.startswith("in.toml: ") and text_of_error.endswith("Nothing was imported.")
    assert "\n" not in text_of_error


def test_oversized_and_binary_input():
    with pytest.raises(ImportProblem, match="larger than 1 MiB"):
        read_export(GOOD.encode() + b"#" * MAX_EXPORT_BYTES)
    with pytest.raises(ImportProblem, match="not UTF-8"):
        read_export(b"\xff\xfe" + GOOD.encode("utf-16-le"))


def test_reading_a_huge_file_stops_at_the_limit(tmp_path):
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:  # sparse: 4 GiB on paper, nothing on disk
        handle.truncate(4 * 2**30)
    with pytest.raises(ImportProblem, match="larger than 1 MiB"):
        read_export_file(huge)


def test_file_errors(tmp_path):
    with pytest.raises(ImportProblem, match="no such file"):
        read_export_file(tmp_path / "missing.toml")
    with pytest.raises(ImportProblem, match="this is a folder"):
        read_export_file(tmp_path)


def test_password_forms_on_import():
    def one(password: str, username: str = '"me"'):
        text = GOOD.replace("{ ask = true }", password).replace('"me"', username)
        return read_export(text.encode()).profiles[0]

    env = one('{ env = "SMTP_PW" }')
    assert env.profile.password == SecretRef("env", "SMTP_PW") and not env.needs_secret
    cmd = one('{ command = "pass show x" }')
    assert cmd.profile.password == SecretRef("command", "pass show x")
    keyring_ref = one('{ keyring = "smtp-setup/work" }')  # lives on the other machine
    assert keyring_ref.needs_secret and keyring_ref.profile.password is None
    inline = one(f'"{SECRET}"')
    assert inline.file_secret == SECRET and not inline.needs_secret
    assert SECRET not in repr(inline)
    no_login = read_export(GOOD.replace('username = "me"\n', "").encode()).profiles[0]
    assert not no_login.needs_secret and no_login.profile.password is None


def test_unsealed_names_not_in_the_file_are_ignored_and_line_breaks_refused():
    export = export_portable([profile()], secrets={"work": SECRET, "ghost": "x"}, passphrase="p")
    assert read_export(export.text.encode()).unseal("p") == {"work": SECRET}
    bad = export_portable([profile()], secrets={"work": "a\nb"}, passphrase="p")
    with pytest.raises(ImportProblem, match="line break"):
        read_export(bad.text.encode()).unseal("p")
