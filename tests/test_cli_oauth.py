"""OAuth profiles on the command line, as subprocesses: `smtp-setup token NAME` (the access
token alone, checked against the fake authorization server), `test` and `doctor` with the
rotated refresh token written back (keyring and inline), and the msmtp and git exports
used by the real msmtp and git. Every server is on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from smtp_setup.core.exports.formats import render_export
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.core.profiles.secrets import store_in_keyring
from support.cli import cli_env, one_line_error, run

USER = "me@example.test"
BIN = str(Path(sys.executable).parent)  # where the smtp-setup console script lives


@pytest.fixture
def store(_isolated_config) -> ConfigStore:
    return ConfigStore(_isolated_config)


def save_oauth_profile(store, server, fake, password: SecretRef, **overrides):
    values = dict(name="mail", provider="outlook", auth="oauth2", oauth=fake.oauth_config(),
                  username=USER, password=password, from_email=USER)
    profile = server.profile(**{**values, **overrides})
    store.save_profile(profile)
    return profile


def keyring_profile(store, server, fake, test_keyring) -> str:
    """An OAuth profile whose refresh token is in the test keyring; returns that token."""
    refresh_token = fake.issue_refresh_token()
    save_oauth_profile(store, server, fake, store_in_keyring("mail", refresh_token))
    return refresh_token


def kept_token(test_keyring) -> str | None:
    return test_keyring.get_password("smtp-setup", "mail")


def no_token_in(fake, *texts: str) -> None:
    for token in fake.issued:
        assert not any(token in text for text in texts), "a token leaked"


# -- smtp-setup token -----------------------------------------------------------------------
def test_token_prints_a_working_access_token_and_keeps_the_rotated_refresh_token(
        store, smtp_xoauth2, fake_oauth, test_keyring):
    old = keyring_profile(store, smtp_xoauth2("exchange"), fake_oauth, test_keyring)

    proc = run("token", "mail")

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    token = proc.stdout.removesuffix("\n")
    assert "\n" not in token
    assert fake_oauth.user_for(token) == USER
    new = kept_token(test_keyring)
    assert new != old and new in fake_oauth.issued
    # The old refresh token is spent (rotation); the kept one works on the next call.
    again = run("token", "mail")
    assert again.returncode == 0, again.stderr
    assert fake_oauth.user_for(again.stdout.strip()) == USER
    assert kept_token(test_keyring) not in (new, old)


def test_token_rewrites_an_inline_refresh_token_in_the_config(store, smtp_xoauth2, fake_oauth):
    old = fake_oauth.issue_refresh_token()
    save_oauth_profile(store, smtp_xoauth2("exchange"), fake_oauth, SecretRef("inline", old))
    other = smtp_xoauth2("exchange").profile(name="other", from_email="a@example.test")
    store.save_profile(other)

    proc = run("token", "mail")

    assert proc.returncode == 0, proc.stderr
    config = store.load()
    new = config.profile("mail").password
    assert new.kind == "inline" and new.value != old and new.value in fake_oauth.issued
    assert config.profile("other") == other


def test_token_warns_when_the_rotated_token_cannot_be_kept(store, smtp_xoauth2, fake_oauth):
    refresh_token = fake_oauth.issue_refresh_token()
    save_oauth_profile(store, smtp_xoauth2("exchange"), fake_oauth, SecretRef("env", "MAIL_RT"))

    proc = run("token", "mail", env={"MAIL_RT": refresh_token})

    assert proc.returncode == 0, proc.stderr
    assert fake_oauth.user_for(proc.stdout.strip()) == USER
    assert "environment variable MAIL_RT" in proc.stderr
    no_token_in(fake_oauth, proc.stderr)


@pytest.mark.parametrize("where", ["keyring", "inline"])
def test_two_token_commands_at_once_both_work_and_keep_the_last_rotation(
        store, smtp_xoauth2, fake_oauth, test_keyring, where):
    """msmtp may ask twice at once. The server rotates strictly (a spent refresh token is
    refused) and thinks a while, so without the lock both would renew the same token."""
    first = fake_oauth.issue_refresh_token()
    ref = store_in_keyring("mail", first) if where == "keyring" else SecretRef("inline", first)
    save_oauth_profile(store, smtp_xoauth2("exchange"), fake_oauth, ref)
    fake_oauth.token_delay = 1.0
    command = [sys.executable, "-m", "smtp_setup", "token", "mail"]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, env=cli_env())
             for _ in range(2)]
    outputs = [proc.communicate(timeout=60) for proc in procs]

    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
        assert fake_oauth.user_for(out.strip()) == USER
    assert fake_oauth.count("token") == 2
    kept = kept_token(test_keyring) if where == "keyring" else store.load().profile(
        "mail").password.value
    rotations = [t for t in fake_oauth.issued if t.startswith("fake-rt-")]
    assert kept == rotations[-1] != first


def test_a_test_send_and_a_token_command_at_once_both_work(
        store, smtp_xoauth2, fake_oauth, test_keyring):
    """`smtp-setup test` renews under the same lock as `token` (doctor shares its path)."""
    server = smtp_xoauth2("exchange")
    first = fake_oauth.issue_refresh_token()
    save_oauth_profile(store, server, fake_oauth, store_in_keyring("mail", first))
    fake_oauth.token_delay = 1.0
    procs = [subprocess.Popen([sys.executable, "-m", "smtp_setup", command, "mail"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, env=cli_env())
             for command in ("test", "token")]
    outputs = [proc.communicate(timeout=60) for proc in procs]

    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, out + err
    assert len(server.messages) == 1
    rotations = [t for t in fake_oauth.issued if t.startswith("fake-rt-")]
    assert kept_token(test_keyring) == rotations[-1] != first


def test_token_with_a_revoked_sign_in_says_sign_in_again(
        store, smtp_xoauth2, fake_oauth, test_keyring):
    keyring_profile(store, smtp_xoauth2("exchange"), fake_oauth, test_keyring)
    fake_oauth.revoke_all()

    proc = run("token", "mail")

    line = one_line_error(proc)
    assert proc.stdout == ""
    assert "'mail'" in line and "sign in again" in line.lower()
    no_token_in(fake_oauth, line)


def test_token_needs_no_from_address(store, smtp_xoauth2, fake_oauth):
    save_oauth_profile(store, smtp_xoauth2("exchange"), fake_oauth,
                       SecretRef("inline", fake_oauth.issue_refresh_token()), from_email="")
    proc = run("token", "mail")
    assert proc.returncode == 0, proc.stderr
    assert fake_oauth.user_for(proc.stdout.strip()) == USER


def test_token_for_a_password_profile_is_refused(store, smtp_starttls):
    store.save_profile(smtp_starttls.profile(name="relay"))
    line = one_line_error(run("token", "relay"))
    assert "not OAuth" in line


def test_token_without_a_stored_sign_in_says_what_to_do(store, smtp_xoauth2, fake_oauth,
                                                        test_keyring):
    save_oauth_profile(store, smtp_xoauth2("exchange"), fake_oauth,
                       SecretRef.keyring_for("mail"))  # nothing stored under it
    line = one_line_error(run("token", "mail"))
    assert "smtp-setup edit mail" in line


def test_token_for_an_unknown_profile(store):
    assert "No profile named" in one_line_error(run("token", "nope"))


# -- test and doctor ------------------------------------------------------------------------
def test_json_test_of_an_oauth_profile_end_to_end(store, smtp_xoauth2, fake_oauth,
                                                  test_keyring):
    server = smtp_xoauth2("exchange")
    old = keyring_profile(store, server, fake_oauth, test_keyring)

    proc = run("test", "mail", "--json")

    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True and data["diagnosis"] is None
    auth = next(stage for stage in data["stages"] if stage["name"] == "auth")
    assert "access token refreshed" in auth["detail"] and "XOAUTH2: 235" in auth["detail"]
    assert "C: AUTH XOAUTH2 ********" in data["transcript"]
    assert server.logins == [("XOAUTH2", USER)] and len(server.messages) == 1
    assert kept_token(test_keyring) not in (old, None)
    no_token_in(fake_oauth, proc.stdout, proc.stderr)


def test_text_test_with_a_revoked_sign_in_fails_at_auth_without_sending_auth(
        store, smtp_xoauth2, fake_oauth, test_keyring):
    server = smtp_xoauth2("exchange")
    keyring_profile(store, server, fake_oauth, test_keyring)
    fake_oauth.revoke_all()

    proc = run("test", "mail", "--json")

    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["diagnosis"]["code"] == "oauth_refresh_expired"
    assert [s["name"] for s in data["stages"] if not s["ok"]] == ["auth"]
    assert server.logins == []
    text = run("test", "mail")
    assert text.returncode == 1 and "Sign in again" in text.stdout


def test_debug_log_of_an_oauth_test_holds_no_token(store, smtp_xoauth2, fake_oauth,
                                                   test_keyring, tmp_path):
    keyring_profile(store, smtp_xoauth2("exchange"), fake_oauth, test_keyring)
    proc = run("test", "mail", "--debug", env={"XDG_STATE_HOME": str(tmp_path / "state"),
                                               "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stderr.strip().rpartition(" ")[2])
    log = path.read_text()
    assert "XOAUTH2" in log
    no_token_in(fake_oauth, log, proc.stdout)


def test_doctor_keeps_the_rotated_refresh_token(store, smtp_xoauth2, fake_oauth, test_keyring):
    server = smtp_xoauth2("exchange")
    old = keyring_profile(store, server, fake_oauth, test_keyring)

    proc = run("doctor", "mail", "--json")

    data = json.loads(proc.stdout)
    assert data["send"]["ok"] is True, data["send"]["diagnosis"]
    assert kept_token(test_keyring) not in (old, None)
    no_token_in(fake_oauth, proc.stdout, proc.stderr)


# -- the exports, used by the real tools ----------------------------------------------------
@pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp is not installed")
def test_msmtp_sends_with_xoauth2_asking_smtp_setup_for_the_token(
        store, smtp_xoauth2, fake_oauth, test_keyring, tmp_path):
    server = smtp_xoauth2("exchange")
    old = keyring_profile(store, server, fake_oauth, test_keyring)
    text = render_export([store.load().profile("mail")], "msmtp")
    assert "auth xoauth2" in text.splitlines()
    assert 'passwordeval "smtp-setup token mail"' in text.splitlines()
    rc = tmp_path / "msmtprc"
    rc.write_text(text)
    rc.chmod(0o600)
    env = cli_env({"HOME": str(tmp_path), "PATH": BIN + os.pathsep + os.environ["PATH"]})

    done = subprocess.run([shutil.which("msmtp"), f"--file={rc}", "--account=mail",
                           "rcpt@example.test"], input=b"Subject: hi\r\n\r\nHello.\r\n",
                          capture_output=True, env=env, timeout=30)

    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert server.logins == [("XOAUTH2", USER)]
    assert len(server.messages) == 1 and server.messages[0].rcpt_tos == ["rcpt@example.test"]
    assert kept_token(test_keyring) not in (old, None)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_credential_helper_gets_a_working_access_token(
        store, smtp_xoauth2, fake_oauth, test_keyring, tmp_path):
    server = smtp_xoauth2("exchange")
    keyring_profile(store, server, fake_oauth, test_keyring)
    config = tmp_path / "sendemail.gitconfig"
    config.write_text(render_export([store.load().profile("mail")], "git"))
    env = cli_env({"HOME": str(tmp_path), "PATH": BIN + os.pathsep + os.environ["PATH"],
                   "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
                   "GIT_TERMINAL_PROMPT": "0"})

    done = subprocess.run(
        [shutil.which("git"), "credential", "fill"], capture_output=True, text=True,
        input=f"protocol=smtp\nhost=127.0.0.1:{server.port}\nusername={USER}\n\n",
        env=env, timeout=30)

    assert done.returncode == 0, done.stderr
    answer = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert fake_oauth.user_for(answer["password"]) == USER
