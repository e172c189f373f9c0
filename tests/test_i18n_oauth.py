"""OAuth, --nameserver, the test message and its addresses in Japanese: a revoked sign-in
through the real CLI against the fake sign-in server (tests/fake_oauth_server.py), the
browser's page from the loopback listener, a sign-in server that answers without a token,
a --nameserver that knows no address or does not answer, address refusals, and the Japanese
test message received by a real aiosmtpd that offers neither 8BITMIME nor SMTPUTF8 (the
bytes on the wire stay ASCII). JSON keys and codes are those of English."""

from __future__ import annotations

import email
import email.policy
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from http_server import Route, TestHttpServer
from smtp_setup import i18n
from smtp_setup.core.oauth.http import OAuthError, token_request
from smtp_setup.core.oauth.loopback import LoopbackSignIn
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp import oauth_login
from smtp_setup.core.smtp.message import build_test_message, envelope_address
from smtp_setup.core.smtp.oauth_diagnosis import oauth_diagnosis
from smtp_setup.core.smtp.session import send_test_message
from support.cli import one_line_error, run
from test_i18n_cli import shape
from test_i18n_core import japanese
from test_oauth_flows import begin, browser, on_loopback

USER = "me@example.test"
# Three English words in a row: one of our sentences that was not translated.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}[ ,]+[a-z]{2,} [a-z]{2,}\b")
COMMAND = re.compile(r"smtp-setup( [a-z][\w.-]*)*")  # commands stay as typed


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    oauth_login.forget()
    yield
    oauth_login.forget()


def no_english(text: str, *allowed: str) -> None:
    """`text` holds no English phrase of ours; `allowed` are what a server said."""
    for part in allowed:
        text = text.replace(part, "")
    text = COMMAND.sub("", text)
    assert not ENGLISH_RUN.search(text), ENGLISH_RUN.search(text)


def ja(*args: str):
    return run("--lang", "ja", *args, env={"COLUMNS": "80"})


# -- OAuth: a revoked sign-in, through the CLI -----------------------------------------------
@pytest.fixture
def revoked(_isolated_config, smtp_xoauth2, fake_oauth):
    """An OAuth profile "mail" whose refresh token the sign-in server has revoked."""
    server = smtp_xoauth2("exchange")
    ConfigStore(_isolated_config).save_profile(server.profile(
        name="mail", provider="outlook", auth="oauth2", oauth=fake_oauth.oauth_config(),
        username=USER, from_email=USER,
        password=SecretRef("inline", fake_oauth.issue_refresh_token())))
    fake_oauth.revoke_all()
    return server


def test_a_revoked_sign_in_is_explained_in_japanese_with_the_same_json(revoked, fake_oauth):
    json_ja, json_en = ja("test", "mail", "--json"), run("test", "mail", "--json")
    assert json_ja.returncode == json_en.returncode == 1, json_ja.stderr
    data_ja, data_en = json.loads(json_ja.stdout), json.loads(json_en.stdout)
    assert shape(data_ja) == shape(data_en)
    assert data_ja["diagnosis"]["code"] == data_en["diagnosis"]["code"] == "oauth_refresh_expired"
    assert [(s["name"], s["ok"]) for s in data_ja["stages"]] == [
        (s["name"], s["ok"]) for s in data_en["stages"]]
    diagnosis = data_ja["diagnosis"]
    assert diagnosis["title"] == "サインインの有効期限が切れました"
    said = fake_oauth_said(data_en["diagnosis"]["explanation"])
    for text in (diagnosis["title"], diagnosis["explanation"], *diagnosis["next_steps"]):
        assert japanese(text), text
        no_english(text, *said)
    last = diagnosis["next_steps"][-1]
    assert last.startswith("もう一度サインインしてください") and "smtp-setup edit mail" in last
    assert revoked.logins == []  # no AUTH was sent with a dead sign-in

    text = ja("test", "mail")
    assert text.returncode == 1 and "✗ ログイン" in text.stdout and "Sign in again" not in text.stdout
    assert "もう一度サインインしてください: smtp-setup edit mail" in text.stdout


def fake_oauth_said(explanation: str) -> list[str]:
    """The sign-in server's own words in an English explanation (kept as they are)."""
    return re.findall(r"\(([^()]*)\)", explanation)


def test_the_token_command_with_a_revoked_sign_in_in_japanese(revoked):
    line = one_line_error(ja("token", "mail"))
    assert japanese(line) and "'mail'" in line and "もう一度サインイン" in line


# -- OAuth: in-process failures ------------------------------------------------------------
async def test_a_sign_in_server_without_an_access_token_in_japanese():
    answer = json.dumps({"token_type": "Bearer", "expires_in": 3600}).encode()
    with TestHttpServer({"/token": Route(200, answer)}) as server:
        i18n.set_language("ja")
        with pytest.raises(OAuthError) as raised:
            await token_request(f"http://127.0.0.1:{server.port}/token",
                                {"grant_type": "refresh_token"}, stage="refresh")
    exc = raised.value
    assert exc.code == "oauth_unreachable" and exc.error == "no_access_token"
    assert "応答にアクセストークンが含まれていませんでした" in str(exc)
    assert str(exc).startswith("サインインのサーバー 127.0.0.1 に接続できませんでした")
    from smtp_setup.core.profiles.model import Profile

    diagnosis = oauth_diagnosis(exc, Profile(name="mail", host="smtp.office365.com",
                                             provider="microsoft365", username=USER,
                                             from_email=USER))
    assert diagnosis.code == "oauth_unreachable"
    for text in (diagnosis.title, diagnosis.explanation, *diagnosis.next_steps):
        assert japanese(text), text
        no_english(text)


async def test_an_unreachable_sign_in_server_during_a_send_in_japanese(smtp_xoauth2,
                                                                      fake_oauth):
    server = smtp_xoauth2("exchange")
    profile = server.profile(name="mail", provider="outlook", auth="oauth2",
                             oauth=fake_oauth.oauth_config(), username=USER,
                             password=SecretRef("inline", "unused"))
    fake_oauth.broken = True
    i18n.set_language("ja")
    result = await send_test_message(profile, fake_oauth.issue_refresh_token())
    assert result.failed_stage == "auth" and server.logins == []
    diagnosis = result.diagnosis
    assert diagnosis.code == "oauth_unreachable"
    assert "サインインのサーバー 127.0.0.1 に接続できませんでした" in diagnosis.explanation
    for text in (diagnosis.title, *diagnosis.next_steps):
        assert japanese(text), text
        no_english(text)


# -- the browser's page --------------------------------------------------------------------
class _Page(HTMLParser):
    """Checks that every element opened is closed in order; keeps lang, title and text."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.lang = self.charset = None
        self.text: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "meta":
            self.charset = attrs.get("charset")
            return  # a void element
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, (tag, self.open)

    def handle_data(self, data):
        if self.open:
            self.text[self.open[-1]] = self.text.get(self.open[-1], "") + data


def read_page(page: str) -> _Page:
    assert page.startswith("<!doctype html>")
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    assert parsed.open == [] and parsed.charset == "utf-8"
    return parsed


@pytest.fixture
def microsoft(fake_oauth):
    from smtp_setup.core.oauth.flows import endpoints_for

    oauth = fake_oauth.oauth_config("microsoft")
    return oauth, endpoints_for(oauth, "outlook")


@pytest.mark.parametrize(("language", "title", "words"), [
    ("ja", "サインインしました", "このタブを閉じて、smtp-setup に戻ってください。"),
    ("en", "Signed in", "You can close this tab and return to smtp-setup."),
])
async def test_the_browser_page_after_sign_in_follows_the_language(fake_oauth, microsoft,
                                                                   language, title, words):
    i18n.set_language(language)
    sign_in, url, waiting = await begin(*microsoft)
    _, location, _ = await browser(url)
    status, _, page = await browser(on_loopback(location))
    await waiting
    assert status == 200
    parsed = read_page(page)
    assert parsed.lang == language
    assert parsed.text["title"] == parsed.text["h1"] == title and parsed.text["p"] == words


async def test_the_browser_pages_of_a_refused_sign_in_are_japanese(fake_oauth, microsoft):
    i18n.set_language("ja")
    fake_oauth.authorize_error = "access_denied"
    sign_in, url, waiting = await begin(*microsoft)
    here = on_loopback(sign_in.redirect_uri)
    status, _, page = await browser(here + "?code=forged&state=wrong")
    wrong = read_page(page)
    assert status == 400 and wrong.lang == "ja" and wrong.text["title"] == "このサインインではありません"
    assert sign_in.accept_redirect("http://127.0.0.1/?state=x") == (
        "このアドレスにはサインインの応答が含まれていません（code= がありません）。")
    _, location, _ = await browser(url)
    status, _, page = await browser(on_loopback(location))
    with pytest.raises(OAuthError) as raised:
        await waiting
    refused = read_page(page)
    assert refused.lang == "ja" and refused.text["title"] == "サインインが完了しませんでした"
    assert refused.text["p"] == str(raised.value) and japanese(refused.text["p"])
    assert urlsplit(location).port == urlsplit(sign_in.redirect_uri).port


async def test_the_browser_timeout_says_what_to_fix_in_japanese(fake_oauth, microsoft):
    i18n.set_language("ja")
    sign_in = LoopbackSignIn(*microsoft, timeout=0.1)
    await sign_in.start()
    with pytest.raises(OAuthError) as raised:
        await sign_in.wait()
    text = str(raised.value)
    assert raised.value.code == "oauth_timeout"
    assert "ブラウザーから応答が戻ってきませんでした" in text and "AADSTS50011" in text
    assert "（localhost）" in text
    no_english(text)


# -- --nameserver ----------------------------------------------------------------------------
HOST = "mail.srv.example.test"


def save_lab(config, server) -> None:
    ConfigStore(config).save_profile(server.profile(name="lab", host=HOST,
                                                    from_email="alerts@example.test"))


def test_a_name_the_nameserver_does_not_know_in_japanese(_isolated_config, dns_server,
                                                         smtp_plain):
    dns = dns_server({})
    save_lab(_isolated_config, smtp_plain)
    json_ja = ja("test", "lab", "--json", "--nameserver", dns.address)
    json_en = run("test", "lab", "--json", "--nameserver", dns.address)
    data_ja, data_en = json.loads(json_ja.stdout), json.loads(json_en.stdout)
    assert json_ja.returncode == json_en.returncode == 1
    assert shape(data_ja) == shape(data_en)
    assert data_ja["diagnosis"]["code"] == data_en["diagnosis"]["code"] == "dns_not_found"
    explanation = data_ja["diagnosis"]["explanation"]
    assert (f"--nameserver で指定した DNS サーバー {dns.address} には {HOST} のアドレスが"
            "ありません") in explanation
    no_english(explanation)
    connect = next(s for s in data_ja["stages"] if s["name"] == "connect")
    assert "--nameserver で指定した DNS サーバー" in connect["detail"]


def test_a_nameserver_that_fails_to_answer_in_japanese(_isolated_config, dns_server,
                                                       smtp_plain):
    dns = dns_server({HOST: "servfail"})
    save_lab(_isolated_config, smtp_plain)
    proc = ja("test", "lab", "--json", "--nameserver", dns.address)
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["diagnosis"]["code"] == "dns_not_found"
    explanation = data["diagnosis"]["explanation"]
    assert f"--nameserver で指定した DNS サーバー {dns.address} が応答しませんでした: " \
        in explanation
    assert "応答は " in explanation  # what the server answered (SERVFAIL), in dnspython's words
    no_english(explanation.split("応答は ")[0])


# -- addresses and the test message --------------------------------------------------------
@pytest.mark.parametrize(("value", "field", "words"), [
    ("", "from_email", "送信元アドレスが空です。メールアドレスを入力してください。"),
    ("  ", "to", "宛先が空です。メールアドレスを入力してください。"),
    ("not an address", "to", "宛先 'not an address': "),
    ("alerts@", "from_email", "送信元アドレス 'alerts@': 正しいメールアドレスではありません: "),
])
def test_address_refusals_are_whole_japanese_sentences(value, field, words):
    i18n.set_language("ja")
    with pytest.raises(InvalidInput) as raised:
        envelope_address(value, field)
    assert raised.value.field == field
    text = str(raised.value)
    assert text.startswith(words)
    # After "正しいメールアドレスではありません: " comes email-validator's reason, in English.
    no_english(words if value == "alerts@" else text, value)


@pytest.mark.parametrize(("field", "words"), [
    ("from_name", "差出人名に改行は使えません。"),
    ("from_email", "送信元アドレスに改行は使えません。"),
    ("to", "宛先に改行は使えません。"),
])
def test_a_line_break_in_a_header_is_refused_in_japanese(smtp_plain, field, words):
    i18n.set_language("ja")
    values = {"from_name": "監視", "from_email": "alerts@example.test", "to": "a@example.test"}
    values[field] += "\r\nBcc: victim@example.test"
    profile = smtp_plain.profile(from_name=values["from_name"], from_email=values["from_email"])
    with pytest.raises(InvalidInput) as raised:
        build_test_message(profile, values["to"])
    assert str(raised.value) == words


async def test_a_bad_recipient_in_a_send_is_diagnosed_in_japanese(smtp_plain):
    i18n.set_language("ja")
    result = await send_test_message(smtp_plain.profile(), None, to="not an address")
    assert result.diagnosis.code == "invalid_input"
    assert "宛先 'not an address': " in result.diagnosis.explanation
    assert smtp_plain.messages == []


@pytest.mark.parametrize("eight_bit", [False, True])
async def test_the_japanese_test_message_arrives_decoded_from_ascii_bytes(smtp_server_factory,
                                                                          eight_bit):
    """decode_data=True: aiosmtpd offers neither 8BITMIME nor SMTPUTF8."""
    server = smtp_server_factory("plain", auth=False, decode_data=not eight_bit)
    profile = server.profile(name="仕事", from_name="監視システム",
                             from_email="alerts@example.test")
    i18n.set_language("ja")
    result = await send_test_message(profile, None, to="ops@example.test")
    assert result.ok, result.diagnosis
    envelope = server.messages[0]
    assert ("BODY=8BITMIME" in envelope.mail_options) is eight_bit
    assert not any(o.upper().startswith("SMTPUTF8") for o in envelope.mail_options)
    raw = envelope.original_content
    raw.decode("ascii")  # nothing but ASCII on the wire
    assert max(map(len, raw.split(b"\r\n"))) <= 998
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert "=?utf-8?" in raw.decode("ascii").split("\r\n\r\n")[0]  # RFC 2047 headers
    assert message["Subject"] == "smtp-setup テストメッセージ"
    assert message["From"].addresses[0].display_name == "監視システム"
    assert message["Content-Transfer-Encoding"] in ("base64", "quoted-printable")
    body = message.get_content()
    assert body.startswith("これは smtp-setup が送信したテストメッセージです。\n")
    assert "プロファイル: 仕事\n" in body
    assert f"サーバー:     {profile.server}（暗号化なし）\n" in body
    assert "このメッセージが届いていれば、このプロファイルでメールを送信できます。" in body


async def test_the_english_test_message_stays_plain_7bit(smtp_plain):
    result = await send_test_message(smtp_plain.profile(name="work"), None)
    assert result.ok, result.diagnosis
    raw = smtp_plain.messages[0].original_content
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "smtp-setup test message"
    assert message["Content-Transfer-Encoding"] == "7bit"
    assert b"This is a test message sent by smtp-setup." in raw
