"""The command line in Japanese, as a subprocess: `smtp-setup --lang ja test` against a real
loopback server, `list` chosen by LANG, --help and argparse's own words, usage and config
errors, the broken-profile line; --json keys and codes identical in both languages."""

from __future__ import annotations

import json

import pytest
from smtp_fixtures import PASSWORD
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.text_width import cells
from support.cli import one_line_error, run
from support.json_shape import shape

LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def ja(*args: str, **env: str):
    """`smtp-setup --lang ja ARGS` (SMTP_SETUP_LANG=en from conftest loses to --lang)."""
    return run("--lang", "ja", *args, env={"COLUMNS": "80", **env})


def en(*args: str, **env: str):
    return run(*args, env={"COLUMNS": "80", **env})




@pytest.fixture
def store(_isolated_config) -> ConfigStore:
    return ConfigStore(_isolated_config)


# -- test: stage lines and outcome ------------------------------------------------------


def test_a_test_send_speaks_japanese(store, smtp_implicit_tls):
    store.save_profile(smtp_implicit_tls.profile(name="tls"))
    proc = ja("test", "tls")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("✓ 接続") and " ms " in lines[0]
    assert "STARTTLS" not in proc.stdout  # implicit TLS has no such stage
    assert any(line.startswith("✓ ログイン") for line in lines)
    assert "サーバーが受け付けました: 250 " in proc.stdout
    assert "sender@example.test の受信トレイ" in proc.stdout
    # the timing column lines up by terminal cells, Japanese words or not
    stage_lines = lines[:lines.index("")]
    ends = {cells(line[: line.index(" ms ") + 3]) for line in stage_lines if " ms " in line}
    assert len(stage_lines) == 8 and len(ends) == 1
    assert PASSWORD not in proc.stdout


def test_a_failed_send_in_japanese_and_its_json_is_the_same(store, smtp_starttls):
    store.save_profile(smtp_starttls.profile(
        name="relay", password=SecretRef("inline", "not-the-Password-42")))
    text = ja("test", "relay")
    assert text.returncode == 1
    assert "✗ ログイン" in text.stdout
    lines = text.stdout.splitlines()
    assert lines[4].startswith("✗ ログイン")  # after 接続, あいさつ, EHLO, STARTTLS
    assert lines[5] == "未到達: MAIL FROM、RCPT TO、DATA、QUIT"
    assert "スキップ" not in text.stdout
    assert "次にすること:" in text.stdout and "  1. " in text.stdout
    json_ja, json_en = ja("test", "relay", "--json"), en("test", "relay", "--json")
    assert json_ja.returncode == json_en.returncode == 1
    data_ja, data_en = json.loads(json_ja.stdout), json.loads(json_en.stdout)
    assert shape(data_ja) == shape(data_en)
    assert data_ja["diagnosis"]["code"] == data_en["diagnosis"]["code"] == "auth_failed"
    assert [(s["name"], s["ok"]) for s in data_ja["stages"]] == [
        (s["name"], s["ok"]) for s in data_en["stages"]]


def test_probe_json_keys_and_codes_do_not_change_with_the_language(smtp_plain):
    args = ("probe", smtp_plain.host, "--ports", f"{smtp_plain.port}/starttls", "--json")
    json_ja, json_en = ja(*args), en(*args)
    assert json_ja.returncode == json_en.returncode
    data_ja, data_en = json.loads(json_ja.stdout), json.loads(json_en.stdout)
    assert shape(data_ja) == shape(data_en)
    assert [(r["port"], r["status"], r["diagnosis_code"]) for r in data_ja["results"]] == [
        (r["port"], r["status"], r["diagnosis_code"]) for r in data_en["results"]]


def test_probe_says_what_it_checks_in_japanese(smtp_plain):
    proc = ja("probe", smtp_plain.host, "--ports", f"{smtp_plain.port}/starttls")
    assert f"{smtp_plain.host} の 1 個のポートを同時に確認しています" in proc.stdout


# -- list, chosen by LANG; the broken line ----------------------------------------------


def test_list_by_lang_and_its_json(store, smtp_plain):
    store.save_profile(smtp_plain.profile(name="good"), make_default=True)
    with store.path.open("a") as file:
        file.write('\n[profiles.broken]\nhost = "smtp.example.com"\nport = 70000\n'
                   'from_email = "b@example.com"\n')
    env = {**dict.fromkeys(("SMTP_SETUP_LANG", *LANGUAGE_VARIABLES), ""), "LANG": "ja_JP.UTF-8"}
    proc = en("list", **env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == ["名前", "プロバイダー", "サーバー", "暗号化"]
    broken = proc.stdout.strip().splitlines()[-1]
    assert broken.startswith("✗ broken は壊れています（port: 70000 は 1〜65535 の範囲外です、"), broken
    assert "smtp-setup edit broken" in broken
    json_ja = json.loads(en("list", "--json", **env).stdout)
    json_en = json.loads(en("list", "--json").stdout)
    assert shape(json_ja) == shape(json_en)
    assert [(p["name"], p["broken"]) for p in json_ja] == [("good", False), ("broken", True)]
    assert json_ja[1]["problem"]["field"] == json_en[1]["problem"]["field"] == "port"
    assert json_ja[1]["problem"]["message"] == "70000 は 1〜65535 の範囲外です"  # prose follows


def test_show_in_japanese(store, smtp_plain):
    store.save_profile(smtp_plain.profile(name="good"), make_default=True)
    out = ja("show", "good").stdout
    assert out.startswith("プロファイル good（デフォルト）")
    assert "送信元アドレス" in out and "設定ファイル" in out and "証明書を検証する" in out


# -- --help and argparse's own words ----------------------------------------------------


@pytest.mark.parametrize("args", [("--help",), ("test", "--help"), ("export", "--help"),
                                  ("probe", "--help")])
def test_help_in_japanese_fits_80_columns(args):
    proc = ja(*args)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("使い方: smtp-setup")
    assert "オプション:" in lines and "このヘルプを表示して終了します" in proc.stdout
    assert "usage:" not in proc.stdout and "show this help" not in proc.stdout
    assert max(cells(line) for line in lines) <= 80, [ln for ln in lines if cells(ln) > 80]


def test_main_help_lists_the_commands_in_japanese():
    out = ja("--help").stdout
    assert "コマンド:" in out and "バージョンを表示して終了します" in out
    assert "保存済みのプロファイルを一覧表示します" in out
    test_help = ja("test", "--help").stdout
    assert "位置引数:" in test_help and "宛先（省略時: プロファイルの送信元アドレス）" in test_help


def test_usage_errors_are_japanese_with_exit_2():
    proc = ja("test", "--bogus")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == "smtp-setup: エラー: 認識できない引数です: --bogus"
    assert proc.stderr.startswith("使い方: ")
    missing = ja("probe")
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[-1] == (
        "smtp-setup probe: エラー: 次の引数が必要です: HOST")
    choice = ja("list", "--lang", "fr")
    assert "無効な選択肢です: 'fr'" in choice.stderr.splitlines()[-1]


def test_english_usage_errors_and_help_keep_argparse_words():
    proc = en("test", "--bogus")
    assert proc.stderr.splitlines()[-1] == "smtp-setup: error: unrecognized arguments: --bogus"
    assert en("--help").stdout.startswith("usage: smtp-setup [-h]")


# -- one-line errors: profiles and the config file ----------------------------------------


def test_unknown_profile_and_bad_config_in_japanese(store, smtp_plain):
    store.save_profile(smtp_plain.profile(name="good"))
    assert one_line_error(ja("test", "nosuch")) == (
        "'nosuch' という名前のプロファイルはありません。プロファイル: good。")
    store.path.write_text("format = 1\n[profiles.x\n", "utf-8")
    message = one_line_error(ja("list"))
    assert message.startswith(f"{store.path}:2:") and "TOML として正しくありません" in message
    assert message.endswith("テキストエディターで修正してください（smtp-setup はファイルを変更していません）。")


def test_a_bad_recipient_and_a_missing_password_variable_in_japanese(store, smtp_plain):
    store.save_profile(smtp_plain.profile(name="env", username="u",
                                          password=SecretRef("env", "NO_SUCH_PASSWORD_VAR")))
    bad_to = one_line_error(ja("test", "env", "--to", "not an address"))
    assert "空白" in bad_to and bad_to.startswith("--to 'not an address': ")
    missing = one_line_error(ja("test", "env"))
    assert "環境変数 NO_SUCH_PASSWORD_VAR" in missing and "設定されていません" in missing


# -- import, export and the sandbox -------------------------------------------------------


def test_import_and_export_refusals_in_japanese(store, smtp_plain, tmp_path):
    assert one_line_error(ja("import", str(tmp_path / "missing.toml"))) == (
        f"{tmp_path / 'missing.toml'}: ファイルがありません。")
    store.save_profile(smtp_plain.profile(name="a"))
    store.save_profile(smtp_plain.profile(name="b"))
    message = one_line_error(ja("export", "--all", "--format", "env"))
    assert message.startswith("env 形式に入れられるプロファイルは 1 つですが、2 個指定されました。")
    assert one_line_error(ja("export", "a", "--format", "nope")).startswith(
        "--format 'nope': 次のどれかを指定してください: toml, msmtp")
    out = ja("export", "a", "--format", "env").stdout  # the file itself stays English
    assert out.isascii() and "EMAIL_HOST" in out


def test_the_sandbox_refuses_a_busy_port_in_japanese(smtp_plain):
    message = one_line_error(ja("sandbox", "--port", str(smtp_plain.port)))
    assert message.startswith(f"127.0.0.1 のポート {smtp_plain.port} はすでに使われています。")
