"""Secret references: inline, environment, command and keyring (a file-backed test keyring)."""

from __future__ import annotations

import sys
import time

import keyring
import pytest
from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.core.profiles.secrets import (
    SecretError,
    delete_keyring_secret,
    keyring_status,
    resolve_secret,
    resolve_secret_async,
    store_in_keyring,
)

SECRET = "s3cr3t-Value!"


def test_inline_is_the_value():
    assert resolve_secret(SecretRef("inline", SECRET), "work") == SECRET


def test_env_variable(monkeypatch):
    monkeypatch.setenv("SMTP_TEST_PW", SECRET)
    assert resolve_secret(SecretRef("env", "SMTP_TEST_PW"), "work") == SECRET


@pytest.mark.parametrize("value", [None, ""])
def test_env_unset_or_empty_names_the_variable(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("SMTP_TEST_PW", raising=False)
    else:
        monkeypatch.setenv("SMTP_TEST_PW", value)
    with pytest.raises(SecretError) as caught:
        resolve_secret(SecretRef("env", "SMTP_TEST_PW"), "work")
    text = str(caught.value)
    assert "SMTP_TEST_PW" in text and "'work'" in text
    assert ("not set" if value is None else "empty") in text


def test_command_output_loses_one_trailing_newline():
    ref = SecretRef("command", f"printf '%s\\n\\n' '{SECRET}'")
    assert resolve_secret(ref, "work") == SECRET + "\n"
    assert resolve_secret(SecretRef("command", f"echo '{SECRET}'"), "work") == SECRET
    assert resolve_secret(SecretRef("command", f"printf '{SECRET}'"), "work") == SECRET


def test_command_runs_with_the_shell(monkeypatch):
    monkeypatch.setenv("PART", "abc")
    assert resolve_secret(SecretRef("command", "echo $PART | tr a-c x-z"), "work") == "xyz"


def test_command_failure_reports_status_and_stderr_not_stdout(monkeypatch):
    monkeypatch.setenv("PW_VALUE", SECRET)  # so the secret is not part of the command text
    ref = SecretRef(
        "command", "echo $PW_VALUE; echo 'vault is locked' >&2; echo second-line >&2; exit 3"
    )
    with pytest.raises(SecretError) as caught:
        resolve_secret(ref, "work")
    text = str(caught.value)
    assert "exit status 3: vault is locked." in text
    assert "second-line" not in text.replace(ref.value, "")  # only the first line of stderr
    assert SECRET not in text
    assert "'work'" in text


def test_command_not_found():
    with pytest.raises(SecretError, match="exit status 127"):
        resolve_secret(SecretRef("command", "no-such-command-smtp-setup"), "work")


def test_command_printing_nothing_is_an_error():
    with pytest.raises(SecretError, match="printed nothing"):
        resolve_secret(SecretRef("command", "true"), "work")


def test_command_timeout_kills_the_whole_group():
    started = time.monotonic()
    # A pipeline: the grandchild `sleep` holds the pipe open unless the group is killed.
    ref = SecretRef("command", "sleep 30 | cat; echo late")
    with pytest.raises(SecretError, match="did not finish within 0.5 seconds"):
        resolve_secret(ref, "work", timeout=0.5)
    assert time.monotonic() - started < 5


def test_command_does_not_read_the_terminal():
    # stdin is /dev/null, so a command that waits for input ends at once.
    ref = SecretRef(
        "command", f"{sys.executable} -c \"import sys; print(sys.stdin.read() or 'none')\""
    )
    assert resolve_secret(ref, "work", timeout=5) == "none"


def test_keyring_round_trip(test_keyring):
    ref = store_in_keyring("work", SECRET)
    assert ref == SecretRef("keyring", "smtp-setup/work")
    assert keyring.get_password("smtp-setup", "work") == SECRET
    assert resolve_secret(ref, "work") == SECRET
    delete_keyring_secret(ref)
    assert keyring.get_password("smtp-setup", "work") is None
    delete_keyring_secret(ref)  # already gone: not an error
    delete_keyring_secret(SecretRef("env", "X"))  # not a keyring ref: nothing to do


def test_keyring_missing_entry_says_how_to_fix(test_keyring):
    with pytest.raises(SecretError) as caught:
        resolve_secret(SecretRef.keyring_for("work"), "work")
    assert str(caught.value) == (
        "No password for profile 'work' in the system keyring. Run: smtp-setup edit work"
    )


def test_test_keyring_counts_as_usable(test_keyring):
    usable, description = keyring_status()
    assert usable, description
    assert "FileKeyring" in description


def test_null_keyring_is_not_usable(null_keyring):
    usable, description = keyring_status()
    assert not usable
    assert "null" in description
    with pytest.raises(SecretError) as caught:
        resolve_secret(SecretRef.keyring_for("work"), "work")
    text = str(caught.value)
    assert "no usable keyring" in text and "environment variable" in text and "'work'" in text
    with pytest.raises(SecretError, match="Cannot save the password for profile 'work'"):
        store_in_keyring("work", SECRET)


def test_fail_keyring_is_not_usable():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert keyring_status()[0] is False
        with pytest.raises(SecretError, match="no usable keyring"):
            resolve_secret(SecretRef.keyring_for("work"), "work")
    finally:
        keyring.set_keyring(previous)


async def test_async_resolution(test_keyring, monkeypatch):
    store_in_keyring("work", SECRET)
    monkeypatch.setenv("SMTP_TEST_PW", "from-env")
    assert await resolve_secret_async(SecretRef.keyring_for("work"), "work") == SECRET
    assert await resolve_secret_async(SecretRef("command", "echo hi"), "work") == "hi"
    assert await resolve_secret_async(SecretRef("env", "SMTP_TEST_PW"), "work") == "from-env"
    with pytest.raises(SecretError):
        await resolve_secret_async(SecretRef("command", "exit 1"), "work")
