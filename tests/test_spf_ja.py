"""SPF's findings in Japanese: every syntax error and warning of a record, the problems found
while following includes through the real DNS test server on 127.0.0.1, the SPF row of the
domain check, and `smtp-setup --lang ja check-domain` (its --json keys and statuses are the
English run's). The record's terms stay as written in every language."""

from __future__ import annotations

import json
import re

import pytest
from domain_zones import GOOD, good_zones
from smtp_setup import i18n
from smtp_setup.core.dns.client import lookup, make_resolver, txt_records
from smtp_setup.core.dns.domain_check import check_domain, format_report
from smtp_setup.core.dns.spf import parse_spf, walk_spf
from smtp_setup.text_width import cells
from support.cli import run

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Three English words in a row: an untranslated sentence (record terms never match).
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+ [a-z]{2,} [a-z]{2,}\b")


def japanese_only(text: str) -> bool:
    return bool(JAPANESE.search(text)) and not ENGLISH.search(text)


# Every syntax error parse_spf names (tests/test_spf.py has the English words), with the
# Japanese words that say it.
SYNTAX_ERRORS = [
    ("v=spf1 foo:bar -all", "'foo:bar' は SPF のメカニズムではありません（使えるもの: all, "
                            "include, a, mx, ptr, ip4, ip6, exists）。"),
    ("v=spf1 ip4:300.1.1.1 -all", "'ip4:300.1.1.1': '300.1.1.1' は IPv4 アドレスではありません。"),
    ("v=spf1 ip4:192.0.2.0/33 -all", "プレフィックス長は 0〜32 の数値にしてください。"),
    ("v=spf1 ip6:2001:db8::/129 -all", "プレフィックス長は 0〜128 の数値にしてください。"),
    ("v=spf1 ip6:192.0.2.1 -all", "は IPv6 アドレスではありません。"),
    ("v=spf1 ip4 -all", "'ip4': ip4 には ip4:192.0.2.0/24 のようにアドレスが必要です。"),
    ("v=spf1 include: -all", "'include:': ':' または '=' の後のドメインが空です。"),
    ("v=spf1 include -all", "'include': include には include:example.com のようにドメインが"
                            "必要です。"),
    ("v=spf1 include:example -all", "'example' は example.com のような完全なドメイン名では"
                                    "ありません。"),
    ("v=spf1 include:example.com/24 -all", "include には /プレフィックス長を付けられません。"),
    ("v=spf1 a:example.com/abc -all", "プレフィックス長は /24、//64、/24//64 のように書きます。"),
    ("v=spf1 a:example.com/24//200 -all", "プレフィックス長は 0〜128 にしてください。"),
    ("v=spf1 all:x", "'all:x': all には値を付けられません。"),
    ("v=spf1 include:50%.example.com -all", "'%' は %{d} のようなマクロの始まりにしか使えません"
                                            "（% という文字そのものは %% と書きます）。"),
    ("v=spf1 include:%{x}.example.com -all", "%{x} は SPF のマクロではありません。"),
    ("v=spf1 include:%{c}.example.com -all", "%{c} は exp= の中でしか使えません。"),
    ("v=spf1 redirect=a.example.com redirect=b.example.com", "redirect= が 2 回あります。"),
    ("v=spf1 include:example.com\t-all", "レコードにタブまたは改行が含まれています。"),
    ("spf1 -all", "レコードが v=spf1 で始まっていません。"),
]


@pytest.mark.parametrize(("text", "words"), SYNTAX_ERRORS)
def test_syntax_errors_in_japanese(text, words):
    i18n.set_language("ja")
    errors = parse_spf(text).errors
    assert errors and words in " ".join(errors), errors
    assert all(japanese_only(error) for error in errors), errors


def test_record_warnings_in_japanese():
    i18n.set_language("ja")
    assert parse_spf("v=spf1 include=sendgrid.net -all").warnings == [
        "'include=sendgrid.net' は SPF で ':' が必要なところに '=' を使っています"
        "（include:sendgrid.net）。受信側は不明な修飾子として無視します。"]
    assert parse_spf("v=spf1 a -all include:late.example.com a").warnings == [
        "all の項目より後ろにある include:late.example.com a は評価されません。"
        "all を最後に移してください。"]
    ptr = parse_spf("v=spf1 ptr -all").warnings
    assert len(ptr) == 1 and ptr[0].startswith("ptr メカニズムは遅く信頼性が低いため")


async def _walk(dns_server, zones, text, *, hosts=False):
    server = dns_server(zones)
    resolver = make_resolver(server.address, timeout=1.0, lifetime=2.0)
    resolve = (lambda name, rdtype: lookup(resolver, name, rdtype)) if hosts else None
    return await walk_spf(parse_spf(text), "top.test", lambda name: txt_records(resolver, name),
                          resolve)


async def test_include_problems_in_japanese(dns_server):
    i18n.set_language("ja")
    zones = {"loop.test": {"TXT": ["v=spf1 include:top.test -all"]},
             "nospf.test": {"TXT": ["some-verification=1"]},
             "two.test": {"TXT": ["v=spf1 -all", "v=spf1 ~all"]},
             "outer.test": {"TXT": ["v=spf1 include:bad.test -all"]},
             "bad.test": {"TXT": ["v=spf1 ip4:999.0.0.1 -all"]},
             "big.test": {"MX": [f"{i} mx{i}.big.test." for i in range(11)]}}
    tree = await _walk(dns_server, zones, "v=spf1 include:loop.test include:nospf.test "
                       "include:two.test include:outer.test mx:big.test -all", hosts=True)
    problems = sorted(tree.problems)
    assert all(japanese_only(problem) for problem in problems), problems
    assert ("include:top.test は評価中の top.test に戻るループになっているため、受信側では "
            "DNS 参照の上限を超えます。") in problems
    assert ("include:nospf.test の参照先 nospf.test に SPF レコードがありません。受信側は"
            "これを恒久的なエラーとして扱います。") in problems
    assert ("include:two.test: two.test には SPF レコードが 2 件あります。1 件だけにする必要が"
            "あります。") in problems
    assert ("outer.test 内の include:bad.test: bad.test のレコードが正しくありません: "
            "'ip4:999.0.0.1': '999.0.0.1' は IPv4 アドレスではありません。") in problems
    assert ("mx:big.test はメールサーバーを 11 台指しています。受信側は 10 台で打ち切り、"
            "恒久的なエラーとして扱います。") in problems


async def test_a_term_of_the_domain_itself_is_named_in_japanese(dns_server):
    i18n.set_language("ja")
    big = {"top.test": {"MX": [f"{i} mx{i}.top.test." for i in range(12)]}}
    tree = await _walk(dns_server, big, "v=spf1 mx -all", hosts=True)
    assert tree.problems == ["top.test の mx はメールサーバーを 12 台指しています。受信側は "
                             "10 台で打ち切り、恒久的なエラーとして扱います。"]


async def _check(language: str, server, **kwargs):
    i18n.set_language(language)
    return await check_domain(GOOD, provider_id="sendgrid", nameserver=server.address,
                              timeout=3.0, **kwargs)


async def test_the_spf_row_in_japanese(dns_server):
    zones = good_zones(spf=["v=spf1 include:sendgrid.net include:down.test ptr ~all "
                            "include:late.test"])
    zones["down.test"] = "servfail"
    server = dns_server(zones)
    english, ja = await _check("en", server), await _check("ja", server)
    row, row_en = ja.row("SPF"), english.row("SPF")
    assert (row.status, row.record) == (row_en.status, row_en.record) == (
        "warn", zones[GOOD]["TXT"][-1])
    assert len(row.advice) == len(row_en.advice) == 3
    assert row.summary == "レコードの一部をたどれませんでした（DNS 参照 3/10 回）。"
    assert all(japanese_only(step) for step in [row.summary, *row.advice]), row.advice
    assert row.advice[0].startswith("ptr メカニズムは遅く信頼性が低いため")
    assert row.advice[1].startswith("all の項目より後ろにある include:late.test は評価されません")
    unresolved = row.advice[2]
    assert unresolved.startswith("include:down.test をたどれませんでした: ")
    assert unresolved.endswith("。受信側でも一時的なエラーになります。")
    # DNS's own sentence in between, its answer code as DNS gave it
    assert "DNS サーバーが down.test TXT に応答できませんでした（応答は SERVFAIL）。" in unresolved
    lines = format_report(ja)
    assert all(cells(line) <= 79 for line in lines), lines


def _check_domain(server, *args: str, lang: str = "ja"):
    lead = ("--lang", lang) if lang else ()
    return run(*lead, "check-domain", GOOD, "--provider", "sendgrid", "--nameserver",
               server.address, *args, env={"COLUMNS": "80"}, timeout=60)


def test_check_domain_in_japanese_and_its_json(dns_server):
    zones = good_zones(spf=["v=spf1 include:sendgrid.net include=other.test ip4:1.2.3.4 -all"])
    server = dns_server(zones)
    text = _check_domain(server)
    assert text.returncode == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == f"送信元ドメイン {GOOD} の確認"
    spf = next(i for i, line in enumerate(lines) if line.startswith("! SPF"))
    # wrapped by cells: a Japanese line may break between any two characters
    advice = "".join(line.strip(" -").replace(" ", "") for line in lines[spf + 2:])
    assert "'include=other.test'はSPFで':'が必要なところに'='を使っています" in advice
    assert all(cells(line) <= 80 for line in lines), lines
    prose = [line for line in lines if "│" not in line]
    assert [line for line in prose if ENGLISH.search(line)] == []

    english, ja = _check_domain(server, "--json", lang=""), _check_domain(server, "--json")
    data_en, data_ja = json.loads(english.stdout), json.loads(ja.stdout)
    assert english.returncode == ja.returncode == 0
    assert data_ja.keys() == data_en.keys()
    assert [sorted(c) for c in data_ja["checks"]] == [sorted(c) for c in data_en["checks"]]
    assert [(c["name"], c["status"], c.get("record")) for c in data_ja["checks"]] == [
        (c["name"], c["status"], c.get("record")) for c in data_en["checks"]]
    assert (data_ja["verdict"], data_ja["ok"]) == (data_en["verdict"], data_en["ok"])
    spf_en, spf_ja = data_en["checks"][1], data_ja["checks"][1]
    assert "has '=' where SPF needs ':'" in " ".join(spf_en["advice"])
    assert ENGLISH.search(" ".join(spf_en["advice"]))  # the guard below sees English
    assert all(japanese_only(step) for step in spf_ja["advice"]), spf_ja["advice"]

