"""`smtp-setup --lang ja doctor` as a subprocess against aiosmtpd on 127.0.0.1 and the test
DNS server: the findings read as Japanese sentences, lines fit 80 cells, and the --json
keys, statuses and codes are those of the English run."""

from __future__ import annotations

import json
import re

import pytest
from domain_zones import GOOD, good_zones
from smtp_fixtures import free_port
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import SecretRef, Security
from smtp_setup.text_width import cells
from support.cli import run
from support.json_shape import shape

FROM = f"alerts@{GOOD}"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Three English words in a row (lower case after the first): a sentence that was not
# translated. Record syntax (v=spf1 include:x ~all) and host names never match.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+ [a-z]{2,} [a-z]{2,}\b")


def doctor(name: str, dns, *args: str, lang: str = "ja"):
    lead = ("--lang", lang) if lang else ()
    return run(*lead, "doctor", name, "--nameserver", dns.address, *args,
               env={"COLUMNS": "80"}, timeout=60)


def prose(stdout: str) -> list[str]:
    """The report's own lines: not the records quoted verbatim (│) nor the server's reply."""
    return [line.split(" ms で受け付けられました: ")[0] for line in stdout.splitlines()
            if "│" not in line]




@pytest.fixture
def store(_isolated_config) -> ConfigStore:
    return ConfigStore(_isolated_config)


def test_a_healthy_profile_in_japanese(store, smtp_starttls, dns_server):
    dns = dns_server(good_zones())
    store.save_profile(smtp_starttls.profile(name="ok", from_email=FROM, provider="sendgrid"))
    proc = doctor("ok", dns)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"プロファイル ok の診断（127.0.0.1:{smtp_starttls.port}、STARTTLS）"
    assert lines[2] == "127.0.0.1 のポート（制限は各 5 秒）:"
    assert " " * 11 + "（このプロファイルが使うポートと暗号化）" in lines
    assert "テスト送信:" in lines
    assert any(line.startswith("  ✓ ") and " ms で受け付けられました: 250" in line
               for line in lines)
    assert f"送信元ドメイン {GOOD} の確認" in lines
    # the check names stay a column, Japanese summaries or not
    assert any(line.startswith("✓ SPF   SPF レコードは 1 件、末尾は ~all。") for line in lines)
    assert any(line.startswith("✓ DMARC ポリシー p=reject: ") for line in lines)
    assert lines[-1] == "✓ 正常です: テストメッセージは受け付けられ、失敗した確認はありません。"
    assert all(cells(line) <= 80 for line in lines), lines
    leaks = [line for line in prose(proc.stdout) if ENGLISH.search(line)]
    assert leaks == []
    assert smtp_starttls.password not in proc.stdout


def test_a_broken_profile_lists_its_problems_in_japanese(store, smtp_starttls, dns_server):
    dns = dns_server(good_zones(spf=["v=spf1 include:sendgrid.net +all"], dmarc=None))
    store.save_profile(smtp_starttls.profile(
        name="relay", from_email=FROM, provider="sendgrid",
        password=SecretRef("inline", "not-the-Password-42")))
    proc = doctor("relay", dns)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out, lines = proc.stdout, proc.stdout.splitlines()
    failed = lines.index("テスト送信:") + 1
    assert lines[failed].startswith("  ✗ 段階「ログイン」で失敗しました: サーバーがユーザー名または")
    assert lines[failed + 2].startswith("    - ")  # the next steps, under the title
    problems = lines[lines.index("✗ 問題があります（問題 2 件、警告 1 件）:") + 1:]
    assert problems[0].startswith("  - テスト送信は段階「ログイン」で失敗しました: ")
    assert any(line.startswith(f"  - {GOOD} の SPF: +all では") for line in problems)
    assert any(line.startswith(f"  ! {GOOD} の DMARC: _dmarc.{GOOD} に DMARC レコードが")
               for line in problems)
    assert all(cells(line) <= 80 for line in lines), lines
    assert [line for line in prose(out) if ENGLISH.search(line)] == []


def test_a_port_that_refuses_in_japanese(store, dns_server):
    dns = dns_server(good_zones())
    port = free_port()
    store.save_profile(_plain_profile(port))
    proc = doctor("gone", dns, "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["send"] is None
    assert data["send_skipped"] == (f"ポート {port} への接続が拒否されたため（待ち受けている"
                                    "ものがないか、ファイアウォールが拒否しています）、"
                                    "テストメッセージは送信していません。")
    assert data["problems"][0].startswith(f"ポート {port}（暗黙的TLS）は使えません（拒否）: ")
    assert data["own_port"]["status"] == "refused"
    shown = doctor("gone", dns).stdout.splitlines()
    assert all(cells(line) <= 79 for line in shown), shown  # the reason is wrapped too
    start = shown.index("テスト送信:") + 1
    assert "".join(line.strip() for line in shown[start:start + 3]).startswith(
        f"✗ ポート {port} への接続が拒否されたため")


def _plain_profile(port: int):
    from smtp_setup.core.profiles.model import Profile

    return Profile(name="gone", host="127.0.0.1", port=port, security=Security.TLS,
                   from_email=FROM, timeout=3.0)


def test_json_keys_and_codes_are_the_same_in_both_languages(store, smtp_starttls, dns_server):
    dns = dns_server(good_zones(spf=["v=spf1 include:sendgrid.net ?all"]))
    store.save_profile(smtp_starttls.profile(
        name="relay", from_email=FROM, provider="sendgrid",
        password=SecretRef("inline", "not-the-Password-42")))
    english, ja = doctor("relay", dns, "--json", lang=""), doctor("relay", dns, "--json")
    assert english.returncode == ja.returncode == 1
    data_en, data_ja = json.loads(english.stdout), json.loads(ja.stdout)
    assert shape(data_ja) == shape(data_en)
    for key in ("ok", "profile", "server", "security"):
        assert data_ja[key] == data_en[key]
    assert data_ja["security"] == "starttls"  # the setting, not its words
    assert data_ja["own_port"]["status"] == data_en["own_port"]["status"] == "usable"
    assert [(s["name"], s["ok"]) for s in data_ja["send"]["stages"]] == [
        (s["name"], s["ok"]) for s in data_en["send"]["stages"]]
    assert data_ja["send"]["stages"][-1]["name"] == "auth"
    assert data_ja["send"]["diagnosis"]["code"] == data_en["send"]["diagnosis"]["code"]
    assert [(c["name"], c["status"]) for c in data_ja["domain"]["checks"]] == [
        (c["name"], c["status"]) for c in data_en["domain"]["checks"]]
    assert data_ja["domain"]["verdict"] == data_en["domain"]["verdict"] == "warn"
    # the sentences follow the language, one for one
    assert len(data_ja["problems"]) == len(data_en["problems"]) == 1
    assert len(data_ja["warnings"]) == len(data_en["warnings"]) == 1
    assert data_en["problems"][0].startswith("The test send failed at AUTH: ")
    assert ENGLISH.search(data_en["problems"][0])  # the guard the text tests use sees English
    assert data_ja["problems"][0].startswith("テスト送信は段階「ログイン」で失敗しました: ")
    assert data_en["warnings"][0].startswith(f"SPF of {GOOD}: ?all says nothing")
    assert data_ja["warnings"][0].startswith(f"{GOOD} の SPF: ?all はほかの送信者について")
    assert all(JAPANESE.search(text) for text in data_ja["problems"] + data_ja["warnings"])

