"""delete, rename, default and export as real subprocesses: exit codes, files, keyring
entries, refusals, and the prompts on a terminal."""

from __future__ import annotations

import json
import stat
import tomllib

import pytest
from profile_machines import *  # noqa: F403 (the machine_a and machine_b fixtures)
from profile_machines import PASSPHRASE, SECRET, Terminal, keyring_of, ok, refused
from smtp_setup.core.profiles.model import SecretRef
from support.cli import run


def test_help_lists_the_commands():
    out = run("--help").stdout
    for command in ("delete", "rename", "default", "export", "import"):
        assert command in out
    assert "--include-secrets" in run("export", "--help").stdout


# -- delete, rename, default ------------------------------------------------------------


def test_delete_with_yes_removes_profile_and_keyring_entry(machine_a, test_keyring):
    proc = ok(run("delete", "work", "--yes"))
    assert "Deleted profile 'work'." in proc.stdout
    assert "Removed its password from the system keyring (smtp-setup/work)." in proc.stdout
    assert "The default profile is now 'inline'." in proc.stdout
    assert test_keyring.get_password("smtp-setup", "work") is None
    assert "work" not in machine_a.load().profiles


def test_delete_needs_a_yes_without_a_terminal(machine_a):
    before = machine_a.path.read_bytes()
    text = refused(run("delete", "work"))
    assert "--yes" in text and "'work'" in text
    assert machine_a.path.read_bytes() == before
    assert "No profile named 'nope'" in refused(run("delete", "nope", "--yes"))


def test_delete_rename_default_json(machine_a, test_keyring):
    data = json.loads(ok(run("default", "env", "--json")).stdout)
    assert data["default"] == "env" and data["profiles"] == ["env"]
    data = json.loads(ok(run("rename", "work", "job", "--json")).stdout)
    assert data["renamed"] == {"from": "work", "to": "job"}
    assert data["keyring_removed"] == ["smtp-setup/work"] and data["warnings"] == []
    assert test_keyring.get_password("smtp-setup", "job") == SECRET
    data = json.loads(ok(run("delete", "job", "--yes", "--json")).stdout)
    assert data == {
        "deleted": "job", "profiles": ["job"], "default": "env",
        "keyring_removed": ["smtp-setup/job"], "warnings": [], "config": str(machine_a.path),
    }


def test_rename_and_default_in_words(machine_a, test_keyring):
    proc = ok(run("rename", "work", "job"))
    assert proc.stdout.splitlines() == [
        "Renamed profile 'work' to 'job'.",
        "Its password moved in the system keyring to smtp-setup/job.",
    ]
    config = machine_a.load()
    assert list(config.profiles)[0] == "job" and config.default_profile == "job"
    assert config.profiles["job"].password == SecretRef.keyring_for("job")
    assert ok(run("default", "env")).stdout.strip() == "Profile 'env' is now the default."
    before = machine_a.path.read_bytes()
    assert "already exists" in refused(run("rename", "job", "env"))
    assert "Use letters, digits" in refused(run("rename", "job", "a/b"))
    assert "No profile named 'zz'" in refused(run("default", "zz"))
    assert machine_a.path.read_bytes() == before


def test_rename_with_the_keyring_gone_keeps_the_old_entry_and_warns(machine_a):
    proc = ok(run("rename", "work", "job", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}))
    assert "! The password stays in the keyring entry smtp-setup/work" in proc.stderr
    assert machine_a.load().profiles["job"].password == SecretRef.keyring_for("work")


# -- export --------------------------------------------------------------------------------


def test_export_to_stdout_has_no_secret(machine_a):
    proc = ok(run("export", "--all"))
    data = tomllib.loads(proc.stdout)
    assert data["format"] == "smtp-setup-export" and "sealed" not in data
    assert list(data["profiles"]) == ["work", "inline", "env", "open"]
    assert data["profiles"]["work"]["password"] == {"ask": True}
    assert data["profiles"]["inline"]["password"] == {"ask": True}
    assert data["profiles"]["env"]["password"] == {"env": "ENV_PW"}
    assert ok(run("export", "env", "-o", "-")).stdout.count("[profiles.") == 1


def test_export_file_is_private_and_reported(machine_a, tmp_path):
    target = tmp_path / "out" / "work.toml"
    assert "folder does not exist" in refused(run("export", "work", "-o", str(target)))
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o644)
    proc = ok(run("export", "work", "-o", str(target)))
    assert proc.stdout.splitlines() == [
        f"Wrote 1 profile to {target} (toml, readable only by you).",
        "On the other machine: smtp-setup import work.toml",
    ]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert tomllib.loads(target.read_text())["profiles"]["work"]["host"] == "smtp.sendgrid.net"
    data = json.loads(ok(run("export", "--all", "-o", str(target), "--json")).stdout)
    assert data["path"] == str(target) and data["profiles"] == ["work", "inline", "env", "open"]
    assert data["includes_secrets"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Name one profile to export, or use --all"),
        (("work", "--all"), "Name one profile to export, or use --all"),
        (("nope",), "No profile named 'nope'"),
        (("work", "--format", "ini"), "--format 'ini': choose one of toml, msmtp"),
        (("work", "--json"), "--json reports on a written file; add -o FILE"),
        (("work", "--format", "env", "--include-secrets"), "plain text; name where with -o FILE"),
        (("work", "--include-secrets"), "SMTP_SETUP_PASSPHRASE"),
    ],
)
def test_export_refusals(machine_a, args, message):
    assert message in refused(run("export", *args))


def test_export_refuses_to_overwrite_the_config(machine_a):
    before = machine_a.path.read_bytes()
    assert "is the config file itself" in refused(run("export", "work", "-o", str(machine_a.path)))
    assert machine_a.path.read_bytes() == before


def test_export_with_no_profiles(_isolated_config):
    assert "no profiles to export" in refused(run("export", "--all"))


def test_export_refuses_an_empty_passphrase(machine_a):
    text = refused(run("export", "work", "--include-secrets", env={"SMTP_SETUP_PASSPHRASE": ""}))
    assert "SMTP_SETUP_PASSPHRASE is empty" in text


@pytest.mark.parametrize("fmt", ["msmtp", "git", "env", "wp-config", "postfix"])
def test_other_formats_leave_secrets_out_unless_asked(machine_a, tmp_path, fmt):
    proc = ok(run("export", "work", "--format", fmt))
    assert "smtp.sendgrid.net" in proc.stdout
    target = tmp_path / f"with-secret.{fmt}"
    ok(run("export", "work", "--format", fmt, "--include-secrets", "-o", str(target)))
    assert SECRET in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_names_the_profile_when_the_keyring_went_away(machine_a):
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "SMTP_SETUP_PASSPHRASE": "x"}
    text = refused(run("export", "work", "--include-secrets", env=env))
    assert "'work'" in text and "no usable keyring" in text and "smtp-setup edit work" in text
    text = refused(run("test", "work", env=env))  # the send path says the same
    assert "'work'" in text and "smtp-setup edit work" in text
    ok(run("show", "work", env=env))  # showing needs no keyring


# -- on a terminal -----------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "status"), [("y", 0), ("n", 1), ("", 1)])
def test_delete_asks_on_a_terminal(machine_a, answer, status):
    term = Terminal("delete", "open")
    term.expect("Delete profile 'open'? [y/N] ")
    term.type(answer)
    code, out, err = term.finish()
    assert code == status, err
    assert ("open" in machine_a.load().profiles) is (status == 1)
    if status:
        assert "Nothing was deleted." in err


def test_passphrase_and_passwords_asked_on_a_terminal(machine_a, tmp_path, machine_b):
    export = tmp_path / "work.toml"
    term = Terminal("export", "work", "--include-secrets", "-o", str(export))
    term.expect("Passphrase to seal the passwords: ")
    term.type(PASSPHRASE)
    term.expect("The same passphrase again: ")
    term.type(PASSPHRASE)
    code, _, err = term.finish()
    assert code == 0, err

    term = Terminal("import", str(export), env=machine_b)
    term.expect("Passphrase the export was sealed with: ")
    term.type(PASSPHRASE)
    code, _, err = term.finish()
    assert code == 0, err
    assert keyring_of(machine_b) == {"smtp-setup": {"work": SECRET}}

    plain = tmp_path / "plain.toml"
    ok(run("export", "work", "-o", str(plain)))
    term = Terminal("import", str(plain), "--as", "typed", env=machine_b)
    term.expect("Password for apikey at smtp.sendgrid.net (profile typed): ")
    term.type("typed-at-the-prompt")
    code, out, err = term.finish()
    assert code == 0, err
    assert "typed-at-the-prompt" not in out + err
    assert keyring_of(machine_b)["smtp-setup"]["typed"] == "typed-at-the-prompt"


def test_mismatched_passphrases_write_nothing(machine_a, tmp_path):
    export = tmp_path / "work.toml"
    term = Terminal("export", "work", "--include-secrets", "-o", str(export))
    term.expect("Passphrase to seal the passwords: ")
    term.type("one")
    term.expect("The same passphrase again: ")
    term.type("two")
    code, _, err = term.finish()
    assert code == 2 and "The two passphrases differ; nothing was written." in err
    assert not export.exists()
