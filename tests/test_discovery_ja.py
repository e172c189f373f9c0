"""Discovery in Japanese: `smtp-setup --lang ja discover` as a real subprocess against the
test DNS server, autoconfig files from a real HTTP server on loopback, guesses confirmed by
real SMTP servers, and the wizard's discover dialog. Notes, reasons and source labels are
Japanese; codes, host names, URLs, a suggestion's `source` and the JSON keys are not."""

from __future__ import annotations

import json
import re

import pytest
from http_server import Route
from smtp_setup import i18n
from smtp_setup.app import build_wizard
from smtp_setup.core.discovery.search import discover, format_report
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.probe_ports import Candidate
from smtp_setup.text_width import cells
from support.cli import one_line_error, run
from support.json_shape import shape
from test_discovery import (  # noqa: F401 (fixtures: the HTTP server, the resolver tripwire)
    ADDRESS,
    CONFIG,
    GOOD_XML,
    by_source,
    http_server,
    no_system_resolver,
    zones,
)
from test_wizard_flow import discover_in_dialog

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji
# Words of the English sentences; none may be left in a Japanese report (host names, URLs,
# MX, SRV, autoconfig, Thunderbird, DNSSEC and the source codes are not among them).
ENGLISH = re.compile(r"\b(the|is|are|has|not|no|does|did|from|with|found|record|answer|"
                     r"answered|port|only|tried|exist|server|servers|confidence|username|"
                     r"lists|offered|outside|chosen|region|plain|fetched|guess)\b",
                     re.IGNORECASE)
SRV_ZONES = {
    "example.test": {"MX": ["10 mx.zoho.eu."]},
    "_submissions._tcp.example.test": {"SRV": ["0 1 465 smtp.elsewhere.test."]},
    "_submission._tcp.example.test": {"SRV": ["0 0 0 ."]},
}


def discover_cli(dns, *args: str):
    return run("discover", ADDRESS, "--nameserver", dns.address, "--timeout", "4", *args)


def english_words(text: str) -> list[str]:
    return ENGLISH.findall(text)




# -- the command line ---------------------------------------------------------------------------
def test_discover_in_japanese_from_the_command_line(dns_server):
    dns = dns_server(SRV_ZONES)
    proc = discover_cli(dns, "--lang", "ja")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    lines = out.splitlines()
    assert lines[0].startswith(f"{ADDRESS} のドメイン example.test を ")
    assert lines[1] == "候補（おすすめ順）:"
    assert all(cells(line) <= 80 for line in lines if "://" not in line), out
    flat = "".join(line.strip() for line in lines).replace(" ", "")  # as before wrapping

    def said(text: str) -> bool:
        return text.replace(" ", "") in flat

    assert lines[2].startswith("  1. Zoho Mail: smtp.zoho.eu ポート 465、暗黙的TLS。")
    assert said("1. Zoho Mail: smtp.zoho.eu ポート 465、暗黙的TLS。ユーザー名: "
                f"メールアドレス全体（{ADDRESS}）。情報源: MX レコード mx.zoho.eu（確度: 中）"
                "注意: mx.zoho.eu がリージョン eu にあるため、eu のサーバーを選びました。"
                "ポート 465 はここからは使えませんでした: ")
    assert said(f"--nameserver で指定した DNS サーバー {dns.address} には smtp.zoho.eu のアドレスが"
                "ありません。")
    assert said("情報源: SRV レコード _submissions._tcp（確度: 中）")
    assert said("smtp.elsewhere.test は example.test の外にあります。DNSSEC がないと SRV レコードは"
                "偽装できるため")
    # each source's entry: its first line, then the lines wrapped under it (spaces dropped)
    heads: list[str] = []
    sources: list[str] = []
    for line in lines[lines.index("情報源:") + 1:]:
        if line[2] in "✓·-✗":
            heads.append(line)
            sources.append(line.replace(" ", ""))
        else:
            sources[-1] += line.replace(" ", "")
    assert [line.split()[1] for line in heads] == [
        "プロバイダー一覧", "autoconfig", "SRV", "MX", "推測"]

    def in_source(index: int, text: str) -> bool:
        return text.replace(" ", "") in sources[index]

    assert in_source(0, "example.test はプロバイダー一覧にあるメールドメインではありません。（")
    assert in_source(1, "HTTPS だけを試しました（暗号化なしの HTTP は試していません）。"
                        "https://autoconfig.example.test/mail/config-v1.1.xml: "
                        "autoconfig.example.test は DNS に存在しません。")
    assert in_source(2, "_submissions._tcp: smtp.elsewhere.test のポート 465 です。"
                        "_submission._tcp: 提供されていません（ターゲットが \".\"）。")
    assert in_source(3, "MX mx.zoho.eu は Zoho Mail です。")
    assert in_source(4, "smtp.example.test は存在しません。mail.example.test は存在しません。")
    # the notes start in one column, counted in terminal cells (a kanji takes two)
    assert len({cells(re.match(r"  \S \S+ +", line).group(0)) for line in heads}) == 1
    assert english_words(out) == [], out


def test_discover_json_keeps_keys_and_codes_in_both_languages(dns_server):
    dns = dns_server(SRV_ZONES)
    english, japanese = discover_cli(dns, "--json"), discover_cli(dns, "--lang", "ja", "--json")
    assert english.returncode == japanese.returncode == 0, japanese.stderr
    data_en, data_ja = json.loads(english.stdout), json.loads(japanese.stdout)
    assert shape(data_ja) == shape(data_en)
    codes = ("provider", "host", "port", "security", "username_kind", "username", "source",
             "confidence", "also")
    assert [[s[k] for k in codes] for s in data_ja["suggestions"]] == [
        [s[k] for k in codes] for s in data_en["suggestions"]]
    assert [s["source"] for s in data_ja["suggestions"]] == ["MX mx.zoho.eu",
                                                              "SRV _submissions._tcp"]
    assert [(s["name"], s["ok"], s["status"]) for s in data_ja["sources"]] == [
        (s["name"], s["ok"], s["status"]) for s in data_en["sources"]]
    for item_en, item_ja in zip(data_en["suggestions"], data_ja["suggestions"], strict=True):
        assert JAPANESE.search(item_ja["note"]) and not JAPANESE.search(item_en["note"])
        assert english_words(item_ja["note"]) == []
    for item_en, item_ja in zip(data_en["sources"], data_ja["sources"], strict=True):
        assert JAPANESE.search(item_ja["detail"]) and not JAPANESE.search(item_en["detail"])
        assert english_words(item_ja["detail"]) == [], item_ja["detail"]


@pytest.mark.parametrize(("address", "words"), [
    ("@example.test", "'@example.test' には @ より前の部分がありません。アドレス全体を指定して"
                      "ください。"),
    ("alice@localhost", "。alerts@example.com のようなメールアドレスを指定してください。"),
])
def test_a_bad_address_is_refused_in_japanese(address, words):
    line = one_line_error(run("--lang", "ja", "discover", address, "--nameserver",
                              "127.0.0.1:9"))
    assert line.startswith(f"'{address}' には") and words in line, line
    assert english_words(line) == []


# -- autoconfig and guesses, in-process -----------------------------------------------------------
async def test_autoconfig_notes_in_japanese(dns_server, http_server):  # noqa: F811
    web = http_server({CONFIG: Route(200, GOOD_XML)})
    server = dns_server(zones())
    i18n.set_language("ja")
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False,
                            allow_http=True, http_port=web.port, https_port=1)
    best = report.best
    url = "http://autoconfig.example.test/mail/config-v1.1.xml"
    assert best.source == f"autoconfig {url}"  # the same in every language
    assert best.note == ("暗号化なしの HTTP で取得したため、通信経路上の誰かに書き換えられている"
                         "可能性があります。")
    assert best.describe() == (
        "smtp.example.test ポート 465、暗黙的TLS。ユーザー名: @ より前の部分（alice）。"
        f"情報源: autoconfig ファイル {url}（確度: 中）")
    detail = by_source(report, "autoconfig").detail
    assert detail.startswith("Thunderbird と同じく、HTTPS のあとに暗号化なしの HTTP を"
                             "試しました。https://autoconfig.example.test/")
    assert "autoconfig.example.test のポート 1 が接続を拒否しました。" in detail
    assert f"{url}: SMTP サーバーが 2 件載っています。" in detail
    lines = format_report(report)
    assert "     注意: 暗号化なしの HTTP で取得したため" in "\n".join(lines)
    assert english_words("\n".join(lines)) == []


@pytest.mark.parametrize(("route", "words"), [
    (Route(404, b""), "見つかりません（HTTP 404）。"),
    (Route(200, b"<clientConfig><emailProvider>"), "ファイルが正しい XML ではありません（"),
    (Route(200, b"<html><body>hello</body></html>"),
     "autoconfig ファイルではありません（ルート要素が <clientConfig> ではなく <html> です）。"),
    (Route(500, b"oops"), "サーバーが HTTP 500 を返しました。"),
])
async def test_autoconfig_failures_in_japanese(dns_server, http_server, route, words):  # noqa: F811
    web = http_server({CONFIG: route})
    i18n.set_language("ja")
    report = await discover(ADDRESS, nameserver=dns_server(zones()).address, timeout=3,
                            probe=False, allow_http=True, http_port=web.port, https_port=1)
    detail = by_source(report, "autoconfig").detail
    assert f"http://autoconfig.example.test/mail/config-v1.1.xml: {words}" in detail
    assert "。。" not in detail


async def test_guesses_in_japanese(dns_server, smtp_server_factory, smtp_ca, smtp_ca_file):
    cert = smtp_ca.issue_cert("smtp.example.test")  # not valid for mail.example.test
    tls = smtp_server_factory("tls", cert=cert)
    server = dns_server(zones(smtp__example__test={"A": ["127.0.0.1"]},
                              mail__example__test={"A": ["127.0.0.1"]}))
    i18n.set_language("ja")
    report = await discover(ADDRESS, nameserver=server.address, timeout=5, https_port=1,
                            guess_ports=[Candidate(tls.port, Security.TLS)],
                            ca_file=smtp_ca_file)
    best = report.best
    assert best.source == "guess smtp.example.test (port check)"
    assert best.describe().endswith(
        "情報源: ポートで確認した推測のホスト名 smtp.example.test（確度: 低）")
    detail = by_source(report, "guess").detail
    assert f"smtp.example.test: {tls.port}/tls が応答しました。" in detail
    assert "mail.example.test: 応答したポートはありません。" in detail
    i18n.set_language("ja")
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    assert by_source(report, "guess").detail == ("ポートの確認がオフのため、推測したサーバーを"
                                                 "確かめられません。")


# -- the wizard's dialog ---------------------------------------------------------------------------
async def test_the_discover_dialog_in_japanese(tmp_path, dns_server, monkeypatch):
    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    app = build_wizard(config_path=tmp_path / "config.toml", nameserver=dns_server({}).address)
    app.services.discovery_options = {"timeout": 3.0, "probe": False}
    async with app.run_test(size=(100, 40)) as pilot:
        await discover_in_dialog(app, pilot, "ada@gmail.com")
        sources = str(app.screen.query_one("#discover-sources").content).splitlines()
        assert sources[0] == "✓ プロバイダー一覧: gmail.com は Gmail です。"
        assert sources[3] == "· MX: gmail.com には MX レコードがありません。"
        assert sources[4].startswith("· 推測: ポートの確認がオフのため")
        option = app.screen.query_one("#discover-results").get_option_at_index(0)
        assert "情報源: プロバイダー一覧のメールドメイン（確度: 高）" in str(option.prompt)
        await pilot.press("escape")


@pytest.mark.parametrize(("lang", "timing"), [("en", "(4205 ms)"), ("ja", "（4205 ms）")])
async def test_a_sources_time_is_never_broken_and_follows_its_sentence(dns_server, lang,
                                                                        timing):
    server = dns_server({})
    i18n.set_language(lang)
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    for source in report.sources:
        source.ms = 4205.0  # a slow source; the time measured differs on every run
    lines = format_report(report)
    sources = lines[lines.index("Sources:" if lang == "en" else "情報源:") + 1:]
    # "(4205 ms)" whole on one line, once per source (it used to break after "(4205")
    assert sum(line.count(timing) for line in sources) == len(report.sources) == 5
    assert not any(line.rstrip().endswith(timing[:5]) for line in sources)
    if lang == "ja":  # sentences joined as Japanese writes them: no space after 。
        assert not any("。 " in line for line in lines)
        assert sum("。（4205 ms）" in line for line in sources) >= 3
