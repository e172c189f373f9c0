"""Core speaks Japanese: a real failing send's diagnosis, the port check's rows and the
domain check's verdicts, while codes, statuses and JSON keys stay those of English."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from domain_zones import GOOD, good_zones
from smtp_setup import i18n
from smtp_setup.core.dns.domain_check import check_domain, format_report
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.smtp.diagnosis_text import suggestion_words
from smtp_setup.core.smtp.session import send_test_message
from smtp_setup.text_width import cells, wrap
from support.cli import cli_env
from support.json_shape import shape

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji


def japanese(text: str) -> bool:
    return bool(JAPANESE.search(text))




@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound by this test but not listening: connections are refused, and
    no other process can take the port while the test runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def _send_in(language: str, profile: Profile, password: str | None) -> dict:
    i18n.set_language(language)
    result = await send_test_message(profile, password)
    data = json.loads(json.dumps(result.to_json()))  # plain str only, or dumps refuses
    data["skipped"] = [s.detail for s in result.stages if s.status == "skip"]
    return data


async def test_a_refused_connection_is_explained_in_japanese(closed_port):
    profile = Profile(name="test", host="127.0.0.1", port=closed_port,
                      security=Security.NONE, from_email="sender@example.test", timeout=5.0)
    english = await _send_in("en", profile, None)
    ja = await _send_in("ja", profile, None)

    assert ja["diagnosis"]["code"] == english["diagnosis"]["code"] == "connection_refused"
    assert shape(ja) == shape(english)
    diagnosis = ja["diagnosis"]
    assert diagnosis["title"] == "サーバーが接続を拒否しました"
    assert diagnosis["explanation"] == (
        f"127.0.0.1 には到達できますが、ポート {closed_port} で接続を受け付けているものが"
        "ありません。")
    assert diagnosis["next_steps"] and all(japanese(s) for s in diagnosis["next_steps"])
    assert any("smtp-setup probe 127.0.0.1" in s for s in diagnosis["next_steps"])  # kept
    assert english["diagnosis"]["title"] == "The server refused the connection"
    assert ja["skipped"] and set(ja["skipped"]) == {"未到達"}
    assert set(english["skipped"]) == {"not reached"}
    # the stage's own line: the system's English ("[Errno 111] Connect call failed") in ours
    failed = [s for s in ja["stages"] if s["ok"] is False]
    assert [s["detail"] for s in failed] == ["接続を拒否されました"], ja["stages"]
    assert [s["detail"] for s in english["stages"] if s["ok"] is False] == [
        "connection refused"]


async def test_a_refused_login_is_explained_in_japanese(smtp_starttls):
    profile = smtp_starttls.profile()
    english = await _send_in("en", profile, "not-the-password")
    ja = await _send_in("ja", profile, "not-the-password")

    assert ja["diagnosis"]["code"] == english["diagnosis"]["code"] == "auth_failed"
    assert shape(ja) == shape(english)
    diagnosis = ja["diagnosis"]
    assert diagnosis["title"] == "サーバーがユーザー名またはパスワードを拒否しました"
    assert "535" in diagnosis["explanation"] and "ログインに対して" in diagnosis["explanation"]
    assert all(japanese(step) for step in diagnosis["next_steps"])
    # the transcript is protocol: the same lines in every language
    assert [line[:2] for line in ja["transcript"]] == [line[:2] for line in english["transcript"]]
    assert any(line.startswith("C: AUTH") for line in ja["transcript"])
    assert english["diagnosis"]["title"] == "The server rejected the username or password"


def test_the_suggestion_button_in_japanese():
    i18n.set_language("ja")
    assert suggestion_words({"port": 465, "security": "tls"}) == "ポート 465・暗黙的TLS で試す"
    assert suggestion_words({"host": "smtp.example.com"}) == "サーバー smtp.example.com を試す"
    i18n.set_language("en")
    assert suggestion_words({"port": 465, "security": "tls"}) == "Try port 465 with implicit TLS"


def _probe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smtp_setup", *args], capture_output=True,
                          text=True, env=cli_env(), timeout=60, stdin=subprocess.DEVNULL)


def test_probe_prints_japanese_rows(closed_port):
    ports = ("--ports", f"{closed_port}/starttls", "--timeout", "2")
    run = _probe("--lang", "ja", "probe", "127.0.0.1", *ports)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    row = next(line for line in lines if f" {closed_port}  " in line)
    assert row.startswith("  ✗") and "STARTTLS" in row and "拒否" in row and row.endswith(" ms")
    assert "このポートで接続を受け付けているものがありません（接続拒否）。" in run.stdout
    assert "✗ このネットワークから使えるポートはありません。" in lines
    assert any("すべてのポートが接続を拒否しました" in line for line in lines)
    assert all(cells(line) <= 80 for line in lines), lines

    english = _probe("probe", "127.0.0.1", *ports, "--json")
    ja = _probe("--lang", "ja", "probe", "127.0.0.1", *ports, "--json")
    data_en, data_ja = json.loads(english.stdout), json.loads(ja.stdout)
    assert shape(data_ja) == shape(data_en)
    assert [r["status"] for r in data_ja["results"]] == ["refused"]
    assert japanese(data_ja["reasons"][0]) and not japanese(data_en["reasons"][0])


async def test_the_domain_check_in_japanese(dns_server):
    server = dns_server(good_zones(spf=["v=spf1 include:sendgrid.net ?all"], dmarc=None))

    async def check(language: str):
        i18n.set_language(language)
        return await check_domain(GOOD, provider_id="sendgrid", nameserver=server.address,
                                  timeout=3.0)

    english, ja = await check("en"), await check("ja")
    assert [(r.name, r.status) for r in ja.rows] == [(r.name, r.status) for r in english.rows]
    assert shape(json.loads(json.dumps(ja.to_json()))) == shape(english.to_json())
    lines = format_report(ja)
    assert lines[0] == f"送信元ドメイン {GOOD} の確認"
    spf = next(line for line in lines if line.startswith("! SPF"))
    assert "?all はほかの送信者について何も述べていません" in spf
    assert any(line.startswith("! DMARC") and f"_dmarc.{GOOD} に DMARC レコードがありません" in line
               for line in lines)
    assert ja.row("DKIM").summary == "セレクター s1: 2048 ビット RSA 鍵。"
    assert lines[-1] == "! メールは配信できますが、上の警告は直す価値があります。"
    assert all(cells(line) <= 79 for line in lines), lines
    assert all(row.record == en.record for row, en in zip(ja.rows, english.rows, strict=True))


def test_wide_text_wraps_by_cells_and_ascii_as_textwrap_does():
    text = "受信側がこのドメインからのメールを拒否したり迷惑メールにしたりする可能性があります。" * 3
    lines = wrap(text, 40, initial_indent="  - ", subsequent_indent="    ")
    assert len(lines) > 1 and all(cells(line) <= 40 for line in lines)
    assert lines[0].startswith("  - ") and all(line.startswith("    ") for line in lines[1:])
    assert "".join(line.strip(" -") for line in lines) == text
    assert wrap("✓ MX    メールは届きます。", 79) == ["✓ MX    メールは届きます。"]  # a column
    assert wrap("一行目\n二行目", 79) == ["一行目 二行目"]  # a line break is a space
    import textwrap

    english = "Receivers may reject or junk mail from this domain: fix the failures above. " * 2
    assert wrap(english, 30, "! ", "  ") == textwrap.wrap(english, 30, initial_indent="! ",
                                                           subsequent_indent="  ")
