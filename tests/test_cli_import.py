"""import as a real subprocess: profiles moved to a second config and keyring ("another
machine") with and without sealed passwords, hostile files, and no secret in any output."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from profile_machines import *  # noqa: F403 (the machine_a and machine_b fixtures)
from profile_machines import INLINE, PASSPHRASE, SECRET, config_of, keyring_of, ok, refused
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import SecretRef
from support.cli import cli_env, run

# -- moving to another machine -----------------------------------------------------------


def test_sealed_round_trip_to_another_machine(machine_a, tmp_path, machine_b):
    export = tmp_path / "all.toml"
    ok(run("export", "--all", "--include-secrets", "-o", str(export),
           env={"SMTP_SETUP_PASSPHRASE": PASSPHRASE}))
    raw = export.read_bytes()
    assert SECRET.encode() not in raw and INLINE.encode() not in raw
    assert tomllib.loads(raw.decode())["sealed"]["cipher"] == "AES-256-GCM"

    proc = ok(run("import", str(export), env={**machine_b, "SMTP_SETUP_PASSPHRASE": PASSPHRASE}))
    assert "Imported profile 'work'; password: system keyring (smtp-setup/work)." in proc.stdout
    assert "Imported profile 'env'; password: environment variable ENV_PW." in proc.stdout
    assert "Imported profile 'open'; no login." in proc.stdout
    assert keyring_of(machine_b) == {"smtp-setup": {"work": SECRET, "inline": INLINE}}
    b = ConfigStore(Path(machine_b["SMTP_SETUP_CONFIG"])).load()
    a = machine_a.load()
    assert list(b.profiles) == list(a.profiles) and b.default_profile == "work"
    for name, profile in a.profiles.items():
        assert b.profiles[name] == profile.copy(
            password=SecretRef.keyring_for(name) if profile.password and
            profile.password.kind == "inline" else profile.password
        )
    assert stat.S_IMODE(Path(machine_b["SMTP_SETUP_CONFIG"]).stat().st_mode) == 0o600


def test_wrong_passphrase_writes_nothing(machine_a, tmp_path, machine_b):
    export = tmp_path / "all.toml"
    ok(run("export", "work", "--include-secrets", "-o", str(export),
           env={"SMTP_SETUP_PASSPHRASE": PASSPHRASE}))
    ok(run("import", str(export), "--store", "env:OLD", env=machine_b))  # b has a config now
    before = Path(machine_b["SMTP_SETUP_CONFIG"]).read_bytes()
    text = refused(run("import", str(export), "--as", "copy",
                       env={**machine_b, "SMTP_SETUP_PASSPHRASE": "wrong"}))
    assert "Wrong passphrase" in text and "Nothing was imported" in text
    assert Path(machine_b["SMTP_SETUP_CONFIG"]).read_bytes() == before
    assert keyring_of(machine_b) == {}
    text = refused(run("import", str(export), "--as", "copy", env=machine_b))
    assert "SMTP_SETUP_PASSPHRASE" in text


def test_unsealed_export_asks_or_takes_a_store(machine_a, tmp_path, machine_b):
    export = tmp_path / "all.toml"
    ok(run("export", "--all", "-o", str(export)))
    text = refused(run("import", str(export), env=machine_b))
    assert "'work' needs its password" in text and "--store env:VAR" in text
    assert not Path(machine_b["SMTP_SETUP_CONFIG"]).exists()
    proc = ok(run("import", str(export), "--store", "env:SMTP_PW", env=machine_b))
    assert "Imported profile 'work'; password: environment variable SMTP_PW." in proc.stdout
    profiles = config_of(machine_b)["profiles"]
    assert profiles["work"]["password"] == {"env": "SMTP_PW"}
    assert profiles["inline"]["password"] == {"env": "SMTP_PW"}
    assert profiles["env"]["password"] == {"env": "ENV_PW"}  # its own reference is kept
    assert "password" not in profiles["open"]


def test_import_without_a_keyring_asks_for_a_store(machine_a, tmp_path, machine_b):
    export = tmp_path / "work.toml"
    ok(run("export", "work", "--include-secrets", "-o", str(export),
           env={"SMTP_SETUP_PASSPHRASE": PASSPHRASE}))
    no_keyring = {**machine_b, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                  "SMTP_SETUP_PASSPHRASE": PASSPHRASE}
    text = refused(run("import", str(export), env=no_keyring))
    assert "no usable system keyring" in text and "--store file" in text
    ok(run("import", str(export), "--store", "file", env=no_keyring))
    assert config_of(machine_b)["profiles"]["work"]["password"] == SECRET


def test_existing_names_need_as_or_replace(machine_a, tmp_path, test_keyring):
    export = tmp_path / "work.toml"
    ok(run("export", "work", "--include-secrets", "-o", str(export),
           env={"SMTP_SETUP_PASSPHRASE": PASSPHRASE}))
    before = machine_a.path.read_bytes()
    text = refused(run("import", str(export)))
    assert "Profile 'work' already exists" in text and "--as NEW_NAME" in text
    assert machine_a.path.read_bytes() == before
    env = {"SMTP_SETUP_PASSPHRASE": PASSPHRASE}
    proc = ok(run("import", str(export), "--as", "work2", env=env))
    assert "Imported profile 'work' (as 'work2'); password: system keyring" in proc.stdout
    assert test_keyring.get_password("smtp-setup", "work2") == SECRET
    data = json.loads(ok(run("import", str(export), "--replace", "--json", env=env)).stdout)
    assert data["replaced"] == ["work"]
    assert data["imported"] == [{"name": "work", "from": "work", "password": "keyring"}]
    all_export = tmp_path / "all.toml"
    ok(run("export", "--all", "-o", str(all_export)))
    assert "--as renames one profile" in refused(run("import", str(all_export), "--as", "x"))
    assert "--as '../x'" in refused(run("import", str(export), "--as", "../x"))
    assert "--store 'vault'" in refused(run("import", str(export), "--as", "y", "--store", "vault"))


def test_import_from_stdin(machine_a, tmp_path, machine_b):
    text = ok(run("export", "env")).stdout
    proc = subprocess.run(
        [sys.executable, "-m", "smtp_setup", "import", "-"], input=text, capture_output=True,
        text=True, env=cli_env(machine_b), timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert "env" in config_of(machine_b)["profiles"]


GOOD = (
    'format = "smtp-setup-export"\nversion = 1\n[profiles.new]\nhost = "smtp.example.com"\n'
    'port = 587\nusername = "me"\npassword = { env = "PW" }\nfrom_email = "me@example.com"\n'
)
HOSTILE = {
    "unknown_version": GOOD.replace("version = 1", "version = 7"),
    "wrong_format": GOOD.replace("smtp-setup-export", "other"),
    "wrong_type": GOOD.replace("port = 587", 'port = "587"'),
    "bool_port": GOOD.replace("port = 587", "port = true"),
    "table_as_host": GOOD.replace('host = "smtp.example.com"', "host = { a = 1 }"),
    "crlf_value": GOOD.replace('"me"', '"me\\r\\nMAIL FROM:<x@y>"'),
    "lf_from_name": GOOD + 'from_name = "a\\nBcc: x@y"\n',
    "dotdot_name": GOOD.replace("[profiles.new]", '[profiles."../x"]'),
    "slash_name": GOOD.replace("[profiles.new]", '[profiles."a/b"]'),
    "absolute_name": GOOD.replace("[profiles.new]", '[profiles."/etc/passwd"]'),
    "not_toml": "format = \n",
    "sealed_garbage": GOOD + '[sealed]\nsealed_version = 1\nkdf = "scrypt"\n',
    "one_bad_of_two": GOOD + '[profiles.second]\nhost = "h.example"\nport = 0\n',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_exit_2_and_change_nothing(machine_a, tmp_path, test_keyring, name):
    bad = tmp_path / "bad.toml"
    bad.write_text(HOSTILE[name])
    before, keys = machine_a.path.read_bytes(), Path(os.environ["SMTP_SETUP_TEST_KEYRING"]).read_bytes()
    text = refused(run("import", str(bad), "--replace", "--store", "file"))
    assert text.startswith(f"{bad}: ") and "Nothing was imported." in text
    assert machine_a.path.read_bytes() == before
    assert Path(os.environ["SMTP_SETUP_TEST_KEYRING"]).read_bytes() == keys


def test_huge_and_binary_files_exit_2(machine_a, tmp_path):
    before = machine_a.path.read_bytes()
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.write(GOOD.encode())
        handle.truncate(3 * 2**30)  # sparse
    assert "larger than 1 MiB" in refused(run("import", str(huge)))
    binary = tmp_path / "bin.toml"
    binary.write_bytes(os.urandom(512) + b"\xff")
    assert "not UTF-8" in refused(run("import", str(binary)))
    assert "no such file" in refused(run("import", str(tmp_path / "missing.toml")))
    assert machine_a.path.read_bytes() == before


def test_the_distinctive_secrets_never_show(machine_a, tmp_path):
    """show, list, errors and every export without --include-secrets: neither secret."""
    for args in (("list",), ("list", "--json"), ("show", "work"), ("show", "inline", "--json"),
                 ("export", "--all"), ("export", "inline", "--format", "msmtp"),
                 ("export", "inline", "--format", "env"), ("export", "inline", "--format", "git"),
                 ("export", "inline", "--format", "wp-config"),
                 ("export", "inline", "--format", "postfix")):
        ok(run(*args))
    sealed = tmp_path / "sealed.toml"
    ok(run("export", "--all", "--include-secrets", "-o", str(sealed),
           env={"SMTP_SETUP_PASSPHRASE": PASSPHRASE}))
    refused(run("import", str(sealed), "--as", "x", env={"SMTP_SETUP_PASSPHRASE": "nope"}))
    refused(run("import", str(sealed), env={"SMTP_SETUP_PASSPHRASE": PASSPHRASE}))  # names taken
    for secret in (SECRET, INLINE, PASSPHRASE):
        assert secret not in sealed.read_text()


def test_export_imports_neither_textual_nor_aiosmtplib(machine_a):
    code = (
        "import sys\n"
        "from smtp_setup import cli\n"
        "cli.main(['export', '--all'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'textual', 'rich', 'aiosmtplib', 'aiosmtpd', 'cryptography'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=cli_env(), check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
