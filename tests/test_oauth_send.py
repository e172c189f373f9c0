"""Sending with an OAuth profile: the [oauth] table in the profile, access tokens renewed
against the fake authorization server (tests/fake_oauth_server.py), AUTH XOAUTH2 driven by
hand against aiosmtpd (Gmail-style and Exchange-style refusals), the rotated refresh token
written back, and the exports that can (msmtp, git) or cannot (env, wp-config, postfix)
carry an OAuth profile. Every server is on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from smtp_fixtures import EXCHANGE_SMTP_DISABLED
from smtp_setup.core.exports.formats import ExportProblem, render_export
from smtp_setup.core.oauth import xoauth2
from smtp_setup.core.oauth.token_store import RefreshTokenSaver
from smtp_setup.core.profiles.config_store import ConfigError, ConfigStore
from smtp_setup.core.profiles.model import Profile, ProfileError, SecretRef
from smtp_setup.core.profiles.oauth_config import OAuthConfig
from smtp_setup.core.smtp import oauth_login as oauth_send
from smtp_setup.core.smtp.session import send_test_message

USER = "me@example.test"


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    """Each test starts without access tokens cached by an earlier one."""
    oauth_send.forget()
    yield
    oauth_send.forget()


def oauth_profile(server, fake, flow="microsoft", **overrides):
    """A profile for `server` signing in with OAuth at `fake`; its refresh token is inline
    (the tests pass it to the send directly)."""
    provider = {"microsoft": "outlook", "google": "gmail"}[flow]
    values = dict(name="mail", provider=provider, auth="oauth2",
                  oauth=fake.oauth_config(flow), username=USER,
                  password=SecretRef("inline", "unused"))
    values.update(overrides)
    return server.profile(**values)


def leaked(fake, *texts: str) -> list[str]:
    """Every token the fake server ever issued that appears in one of `texts`."""
    return [token for token in fake.issued if any(token in text for text in texts)]


def auth_stage(result):
    return next(stage for stage in result.stages if stage.name == "auth")


# -- the profile ----------------------------------------------------------------------------
def test_an_oauth_profile_survives_the_config_file(tmp_path):
    store = ConfigStore(tmp_path / "config.toml")
    profile = Profile(
        "mail", host="smtp.gmail.com", provider="gmail", username=USER, auth="oauth2",
        password=SecretRef.keyring_for("mail"), from_email=USER,
        oauth=OAuthConfig("google", "1234.apps.googleusercontent.com",
                          client_secret=SecretRef("env", "GOOGLE_CLIENT_SECRET"),
                          token_url="http://127.0.0.1:9/token"))
    store.save_profile(profile)
    text = store.path.read_text()
    assert 'auth = "oauth2"' in text
    assert "[profiles.mail.oauth]" in text
    loaded = store.load().profile("mail")
    assert loaded == profile
    assert loaded.uses_oauth and loaded.problems() == []


def test_a_password_profile_is_written_as_before():
    table = Profile("work", host="smtp.example.com", username="u",
                    password=SecretRef("env", "P"), from_email="a@example.com").to_toml()
    assert "auth" not in table and "oauth" not in table
    assert Profile.from_toml("work", table).auth == "password"


@pytest.mark.parametrize(("table", "field"), [
    ({"auth": "oauth2"}, "oauth"),  # no app registration
    ({"auth": "kerberos"}, "auth"),
    ({"auth": "oauth2", "oauth": {"flow_provider": "microsoft"}}, "oauth.client_id"),
    ({"auth": "oauth2", "oauth": {"flow_provider": "yahoo", "client_id": "x"}},
     "oauth.flow_provider"),
])
def test_a_broken_oauth_setting_is_refused_with_its_key(table, field):
    with pytest.raises(ProfileError) as caught:
        Profile.from_toml("mail", {"host": "smtp.example.com", **table})
    assert caught.value.field == field


def test_a_config_file_with_a_broken_oauth_table_names_its_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.mail]\nhost = "h"\nauth = "oauth2"\n')
    config = ConfigStore(path).load()  # only this profile is unusable, not the file
    with pytest.raises(ConfigError, match="oauth") as caught:
        config.profile("mail")
    assert caught.value.line == 1  # no oauth line to point at: the profile's header


def test_problems_of_an_oauth_profile_say_what_is_missing():
    profile = Profile("mail", host="smtp.example.com", from_email=USER, auth="oauth2")
    fields = {p.field for p in profile.problems()}
    assert fields == {"username", "oauth", "password"}
    signed_in = profile.copy(username=USER, oauth=OAuthConfig("microsoft", "cid"),
                             password=SecretRef.keyring_for("mail"))
    assert signed_in.problems() == []


# -- XOAUTH2 on the wire --------------------------------------------------------------------
def test_the_initial_response_is_googles_format():
    raw = base64.b64decode(xoauth2.initial_response("me@example.test", "tok"))
    assert raw == b"user=me@example.test\x01auth=Bearer tok\x01\x01"


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"[1, 2]").decode(),
                                  base64.b64encode(b"\xff\xfe").decode()])
def test_a_challenge_that_is_not_a_json_object_is_ignored(text):
    assert xoauth2.decode_challenge(text) is None


def test_gmails_challenge_is_decoded():
    blob = base64.b64encode(json.dumps({"status": "400", "schemes": "Bearer",
                                        "scope": "https://mail.google.com/"}).encode())
    assert xoauth2.decode_challenge(blob.decode())["status"] == "400"


# -- a send that works ----------------------------------------------------------------------
async def test_exchange_style_send_refreshes_stores_the_rotated_token_first_and_logs_in_once(
        smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("exchange")
    refresh_token = fake_oauth.issue_refresh_token()
    stored: list[tuple[str, int]] = []  # (new refresh token, AUTH attempts seen by then)
    profile = oauth_profile(server, fake_oauth)

    result = await send_test_message(
        profile, refresh_token, store_rotated=lambda t: stored.append((t, len(server.logins))))

    assert result.ok, result.diagnosis
    assert server.logins == [("XOAUTH2", USER)]
    assert len(server.messages) == 1
    detail = auth_stage(result).detail
    assert "access token refreshed" in detail and "XOAUTH2: 235" in detail
    assert "new refresh token stored" in detail
    ((new_token, auths_before),) = stored
    assert auths_before == 0  # stored before the access token was used
    assert new_token != refresh_token and new_token in fake_oauth.issued
    assert fake_oauth.count("token") == 1
    text = json.dumps(result.to_json()) + repr(result)
    assert leaked(fake_oauth, text) == []
    assert any(line.startswith("C: AUTH XOAUTH2 ****") for line in result.transcript)


async def test_gmail_style_send_with_a_client_secret_and_no_rotation(smtp_xoauth2, fake_oauth):
    fake_oauth.rotate_refresh = False  # Google keeps the refresh token
    server = smtp_xoauth2("gmail", kind="tls")
    profile = oauth_profile(server, fake_oauth, flow="google")
    refresh_token = fake_oauth.issue_refresh_token(profile.oauth.client_id)
    stored: list[str] = []

    result = await send_test_message(profile, refresh_token, store_rotated=stored.append)

    assert result.ok, result.diagnosis
    assert stored == []
    assert fake_oauth.token_forms[-1]["client_secret"]  # Google's installed-app secret sent
    assert "new refresh token" not in auth_stage(result).detail


async def test_a_second_send_reuses_the_access_token(smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("exchange")
    profile = oauth_profile(server, fake_oauth)
    first = await send_test_message(profile, fake_oauth.issue_refresh_token())
    assert first.ok
    second = await send_test_message(profile, "the refresh token is not needed now")
    assert second.ok, second.diagnosis
    assert "access token reused" in auth_stage(second).detail
    assert fake_oauth.count("token") == 1
    assert len(server.messages) == 2


async def test_a_token_close_to_expiry_is_renewed(smtp_xoauth2, fake_oauth):
    fake_oauth.access_ttl = 200  # under the five-minute margin
    server = smtp_xoauth2("exchange")
    profile = oauth_profile(server, fake_oauth)
    refresh_token = fake_oauth.issue_refresh_token()
    stored: list[str] = []
    assert (await send_test_message(profile, refresh_token, store_rotated=stored.append)).ok
    again = await send_test_message(profile, stored[-1], store_rotated=stored.append)
    assert again.ok, again.diagnosis
    assert "access token refreshed" in auth_stage(again).detail
    assert fake_oauth.count("token") == 2


async def test_concurrent_callers_share_one_renewal(fake_oauth):
    profile = Profile("mail", host="h", provider="outlook", username=USER, auth="oauth2",
                      oauth=fake_oauth.oauth_config())
    refresh_token = fake_oauth.issue_refresh_token()
    stored: list[str] = []

    async def keep(token: str) -> None:  # an awaitable store, as the wizard would use
        await asyncio.sleep(0.01)
        stored.append(token)

    tokens = await asyncio.gather(*(oauth_send.fresh_access_token(
        profile, refresh_token, store_rotated=keep) for _ in range(3)))
    assert len(set(tokens)) == 1 and fake_oauth.user_for(tokens[0]) == USER
    assert fake_oauth.count("token") == 1 and len(stored) == 1


def test_an_access_token_never_shows_in_a_repr():
    token = oauth_send.AccessToken("secret-access-token", 4e9, refreshed=True)
    assert "secret-access-token" not in repr(token)
    assert "secret-access-token" not in token.describe()


# -- a send that fails ----------------------------------------------------------------------
@pytest.mark.parametrize("flow", ["microsoft", "google"])
async def test_a_revoked_refresh_token_fails_before_any_auth(smtp_xoauth2, fake_oauth, flow):
    server = smtp_xoauth2("exchange" if flow == "microsoft" else "gmail")
    profile = oauth_profile(server, fake_oauth, flow=flow)
    refresh_token = fake_oauth.issue_refresh_token(profile.oauth.client_id)
    fake_oauth.revoke_all()

    result = await send_test_message(profile, refresh_token)

    assert not result.ok
    assert result.failed_stage == "auth"
    assert result.diagnosis.code == "oauth_refresh_expired"
    assert server.logins == []
    assert not any(line.startswith("C: AUTH") for line in result.transcript)
    assert refresh_token not in json.dumps(result.to_json())


async def test_an_unreachable_sign_in_server_is_said_plainly(smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("exchange")
    profile = oauth_profile(server, fake_oauth)
    fake_oauth.broken = True
    result = await send_test_message(profile, fake_oauth.issue_refresh_token())
    assert result.failed_stage == "auth" and server.logins == []
    assert result.diagnosis.code.startswith("oauth_")


async def test_gmail_refuses_a_stale_access_token_with_its_challenge(smtp_xoauth2, fake_oauth):
    fake_oauth.rotate_refresh = False
    server = smtp_xoauth2("gmail")
    profile = oauth_profile(server, fake_oauth, flow="google")
    refresh_token = fake_oauth.issue_refresh_token(profile.oauth.client_id)
    assert (await send_test_message(profile, refresh_token)).ok
    fake_oauth.expire_access_tokens()  # the server no longer takes the cached token

    refused = await send_test_message(profile, refresh_token)

    assert refused.failed_stage == "auth"
    assert refused.diagnosis.code == "oauth_wrong_user"
    assert "status 400" in refused.diagnosis.explanation
    assert "https://mail.google.com/" in refused.diagnosis.explanation
    assert "test again to get a new one" in refused.diagnosis.next_steps[0]
    assert server.handler.answers_to_challenge == [b""]  # the empty line was sent
    assert len(server.logins) == 2  # one AUTH per send, never a retry
    assert any(line.startswith("S: 334 ") for line in refused.transcript)
    assert any("535 5.7.8" in line for line in refused.transcript)
    # The refused token was dropped: the next send renews it and gets through.
    again = await send_test_message(profile, refresh_token)
    assert again.ok, again.diagnosis
    assert "access token refreshed" in auth_stage(again).detail


async def test_gmail_says_401_for_another_users_token(smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("gmail")
    profile = oauth_profile(server, fake_oauth, flow="google", username="other@example.test")
    refresh_token = fake_oauth.issue_refresh_token(profile.oauth.client_id)
    result = await send_test_message(profile, refresh_token)
    assert result.diagnosis.code == "oauth_wrong_user"
    assert "status 401" in result.diagnosis.explanation
    assert "other@example.test" in result.diagnosis.explanation
    assert result.diagnosis.next_steps[-1].startswith("Sign in again")
    assert "scope" not in " ".join(result.diagnosis.next_steps)  # not the problem here


async def test_exchange_refuses_another_users_token_with_5_7_3(smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("exchange")
    profile = oauth_profile(server, fake_oauth, username="shared@example.test")
    result = await send_test_message(profile, fake_oauth.issue_refresh_token())
    assert result.failed_stage == "auth"
    assert result.diagnosis.code == "oauth_wrong_user"
    assert "535 5.7.3" in result.diagnosis.explanation
    assert "test again" not in " ".join(result.diagnosis.next_steps)  # a fresh token
    assert server.logins == [("XOAUTH2", "shared@example.test")]


async def test_exchange_with_smtp_auth_switched_off_says_so(smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("exchange", failure=EXCHANGE_SMTP_DISABLED)
    profile = oauth_profile(server, fake_oauth)
    result = await send_test_message(profile, fake_oauth.issue_refresh_token())
    assert result.diagnosis.code == "oauth_smtp_disabled"
    steps = " ".join(result.diagnosis.next_steps)
    assert f"Set-CASMailbox -Identity {USER} -SmtpClientAuthenticationDisabled $false" in steps
    assert "5.7.139" in auth_stage(result).detail


async def test_a_server_without_xoauth2_is_not_asked_for_a_token(smtp_starttls, fake_oauth):
    profile = oauth_profile(smtp_starttls, fake_oauth)
    result = await send_test_message(profile, fake_oauth.issue_refresh_token())
    assert result.diagnosis.code == "auth_not_offered"
    assert "XOAUTH2" in result.diagnosis.explanation
    assert fake_oauth.count("token") == 0 and smtp_starttls.logins == []


async def test_an_oauth_profile_without_a_refresh_token_stops_before_connecting(
        smtp_xoauth2, fake_oauth):
    server = smtp_xoauth2("exchange")
    result = await send_test_message(oauth_profile(server, fake_oauth), None)
    assert result.diagnosis.code == "invalid_input"
    assert result.failed_stage == "connect"
    assert fake_oauth.count("token") == 0


# -- storing a rotated refresh token --------------------------------------------------------
def test_the_saver_writes_to_the_profiles_own_keyring_entry(test_keyring, tmp_path):
    profile = Profile("mail", host="h", username=USER, auth="oauth2",
                      oauth=OAuthConfig("microsoft", "cid"),
                      password=SecretRef("keyring", "smtp-setup/renamed-long-ago"))
    saver = RefreshTokenSaver(profile, ConfigStore(tmp_path / "config.toml"))
    saver("new-refresh-token")
    assert saver.saved and saver.warnings == []
    assert test_keyring.get_password("smtp-setup", "renamed-long-ago") == "new-refresh-token"
    assert "new-refresh-token" not in repr(saver)


def test_the_saver_rewrites_an_inline_token_and_leaves_other_profiles_alone(tmp_path):
    store = ConfigStore(tmp_path / "config.toml")
    other = Profile("other", host="smtp.example.com", from_email="a@example.com")
    profile = Profile("mail", host="h", username=USER, auth="oauth2", from_email=USER,
                      oauth=OAuthConfig("microsoft", "cid"),
                      password=SecretRef("inline", "old-refresh-token"))
    store.save_profiles([other, profile])
    saver = RefreshTokenSaver(store.load().profile("mail"), store)
    saver("new-refresh-token")
    config = store.load()
    assert config.profile("mail").password == SecretRef("inline", "new-refresh-token")
    assert config.profile("other") == other
    assert list(config.profiles) == ["other", "mail"]


def test_the_saver_warns_when_the_source_cannot_be_written(tmp_path):
    profile = Profile("mail", host="h", username=USER, auth="oauth2",
                      oauth=OAuthConfig("microsoft", "cid"), password=SecretRef("env", "RT"))
    saver = RefreshTokenSaver(profile, ConfigStore(tmp_path / "config.toml"))
    saver("new-refresh-token")
    assert not saver.saved
    (warning,) = saver.warnings
    assert "environment variable RT" in warning and "new-refresh-token" not in warning


def test_the_saver_warns_when_there_is_no_keyring(tmp_path):
    profile = Profile("mail", host="h", username=USER, auth="oauth2",
                      oauth=OAuthConfig("microsoft", "cid"),
                      password=SecretRef.keyring_for("mail"))
    saver = RefreshTokenSaver(profile, ConfigStore(tmp_path / "config.toml"))
    saver("new-refresh-token")  # conftest's null keyring backend
    assert not saver.saved and "could not be saved" in saver.warnings[0]


# -- exports --------------------------------------------------------------------------------
def exported_profile() -> Profile:
    return Profile("mail", host="smtp-mail.outlook.com", provider="outlook", username=USER,
                   auth="oauth2", password=SecretRef.keyring_for("mail"), from_email=USER,
                   oauth=OAuthConfig("microsoft", "cid", tenant="consumers"))


def test_msmtp_gets_xoauth2_and_the_token_command_never_the_refresh_token():
    text = render_export([exported_profile()], "msmtp", secrets={"mail": "REFRESH-TOKEN"})
    assert "auth xoauth2" in text.splitlines()
    assert 'passwordeval "smtp-setup token mail"' in text.splitlines()
    assert f"user {USER}" in text.splitlines()
    assert "REFRESH-TOKEN" not in text and "auth on" not in text


def test_git_gets_xoauth2_and_a_credential_helper_calling_the_token_command():
    text = render_export([exported_profile()], "git", secrets={"mail": "REFRESH-TOKEN"})
    assert "\tsmtpAuth = XOAUTH2" in text
    assert "smtp-setup token mail" in text
    assert '[credential "smtp://smtp-mail.outlook.com:587"]' in text
    assert "REFRESH-TOKEN" not in text and "smtpPass" not in text


@pytest.mark.parametrize("fmt", ["env", "wp-config", "postfix"])
def test_formats_that_cannot_renew_a_token_refuse_an_oauth_profile(fmt):
    with pytest.raises(ExportProblem, match="expire within the hour"):
        render_export([exported_profile()], fmt)
