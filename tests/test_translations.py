"""The catalogs hold (every message translated, placeholders kept, template current), and
the pilot area speaks Japanese: the step line, the wizard's keys, `smtp-setup list`."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from smtp_setup import i18n
from smtp_setup.app import build_wizard
from smtp_setup.app.widgets.step_indicator import StepIndicator
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.text_width import cells
from support.cli import cli_env
from textual.widgets import Button

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui" / "smtp_setup"


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_catalogs = _tool("check_catalogs")
update_catalogs = _tool("update_catalogs")


# -- the catalogs ------------------------------------------------------------------


def test_there_is_a_japanese_catalog():
    assert [p.relative_to(check_catalogs.LOCALE).parts[0] for p in check_catalogs.catalogs()] \
        == ["ja"]


def test_english_messages_use_named_brace_placeholders():
    assert check_catalogs.template_problems() == []


@pytest.mark.parametrize("po", check_catalogs.catalogs(), ids=lambda p: p.parts[-3])
def test_catalog_is_complete_and_keeps_placeholders(po):
    assert check_catalogs.catalog_problems(po) == []


def test_the_checker_catches_broken_catalogs(tmp_path):
    bad = tmp_path / "xx" / "LC_MESSAGES" / "smtp_setup.po"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Step {current} of {total}"\nmsgstr "ステップ {current}/{count}"\n\n'
        '#, fuzzy\nmsgid "Next"\nmsgstr "次へ"\n\n'
        'msgid "Back"\nmsgstr ""\n\n'
        'msgid "{count} profile"\nmsgid_plural "{count} profiles"\nmsgstr[0] "プロファイル"\n\n'
        'msgid "Gone"\nmsgstr "消えた"\n\n'
        'msgid "unrecognized arguments: %s"\nmsgstr "認識できない引数です"\n\n'
        'msgid "invalid choice: %(value)r (choose from %(choices)s)"\n'
        'msgstr "無効な選択です: %(value)r（選択肢: %(choices)s）"\n',
        "utf-8",
    )
    template = tmp_path / "smtp_setup.pot"
    template.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Step {current} of {total}"\nmsgstr ""\n\n'
        'msgid "Next"\nmsgstr ""\n\nmsgid "Back"\nmsgstr ""\n\n'
        'msgid "{count} profile"\nmsgid_plural "{count} profiles"\nmsgstr[0] ""\n'
        'msgstr[1] ""\n\nmsgid "Wait {} s"\nmsgstr ""\n\nmsgid "Hi %(name)s"\nmsgstr ""\n\n'
        'msgid "unrecognized arguments: %s"\nmsgstr ""\n\n'
        'msgid "invalid choice: %(value)r (choose from %(choices)s)"\nmsgstr ""\n',
        "utf-8",
    )
    original = check_catalogs.LOCALE
    check_catalogs.LOCALE = tmp_path
    try:
        parsed = check_catalogs.read(template)
        problems = "\n".join(check_catalogs.catalog_problems(bad, parsed)
                             + check_catalogs.template_problems(parsed))
    finally:
        check_catalogs.LOCALE = original
    for expected in ("placeholders ['count', 'current']", "'Next': fuzzy",
                     "'Back': not translated", "drops placeholders ['count']",
                     "'Gone' is not in the template", "'Wait {} s'", "'Wait {} s'",
                     "not %-formatting", "argparse fills ['%s'] with %; keep exactly those"):
        assert expected in problems, problems
    # argparse's own words may use %-placeholders (and only they); kept ones pass
    assert "'Hi %(name)s'" in problems
    assert "'unrecognized arguments: %s': use" not in problems
    assert "invalid choice" not in problems


def test_template_is_up_to_date_with_the_sources(tmp_path):
    fresh = tmp_path / "fresh.pot"
    update_catalogs.extract(fresh)
    missing = update_catalogs.message_ids(fresh) - update_catalogs.message_ids(
        update_catalogs.TEMPLATE)
    stale = update_catalogs.message_ids(update_catalogs.TEMPLATE) - update_catalogs.message_ids(
        fresh)
    assert not missing and not stale, (
        f"run tools/update_catalogs.py; new: {sorted(missing, key=str)}, "
        f"gone: {sorted(stale, key=str)}")


# -- the pilot: the wizard's step line and keys -----------------------------------------


async def _step_line_and_keys(tmp_path, size):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        indicator = app.query_one(StepIndicator)
        line = indicator.content
        keys = [key.description for key in app.screen.query("FooterKey")]
        buttons = [str(app.query_one(f"#{b}", Button).label) for b in ("back", "next")]
        # the longest line: every step before the last one done
        indicator.show_step(len(indicator.titles) - 1)
        last = indicator.content
        return line.plain, keys, buttons, last.cell_len, indicator.size.width


async def test_wizard_speaks_japanese_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    line, keys, buttons, longest, width = await _step_line_and_keys(tmp_path, (80, 24))
    assert line.startswith("ステップ 1/7")
    for name in ("はじめに", "プロバイダー", "接続", "ログイン", "送信元", "テスト", "保存"):
        assert name in line
    assert {"次へ", "戻る", "キャンセル", "ヘルプ"} <= set(keys)
    assert buttons == ["戻る", "次へ"]
    assert longest <= width  # the whole step line fits 80 columns


async def test_wizard_speaks_english_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")  # SMTP_SETUP_LANG=en (conftest) wins
    line, keys, buttons, longest, width = await _step_line_and_keys(tmp_path, (80, 24))
    assert line.startswith("Step 1 of 7") and "Welcome" in line and "Save" in line
    assert {"Next", "Back", "Cancel", "Help"} <= set(keys)
    assert buttons == ["Back", "Next"]
    assert longest <= width


# -- the pilot: `smtp-setup list` --------------------------------------------------------


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = cli_env()
    for name in ("SMTP_SETUP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        environ.pop(name, None)
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "smtp_setup", *args], capture_output=True,
                          text=True, env=environ, timeout=30, stdin=subprocess.DEVNULL)


def test_list_without_profiles_in_japanese():
    proc = _run("list", LANG="ja_JP.UTF-8")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        "プロファイルはまだありません。smtp-setup を実行して作成してください。")


@pytest.fixture
def profiles(_isolated_config) -> None:
    store = ConfigStore(_isolated_config)
    store.save_profile(Profile(name="work", provider="sendgrid", host="smtp.sendgrid.net",
                               port=465, security=Security.TLS, username="apikey",
                               from_email="alerts@example.com"))
    store.save_profile(Profile(name="home", host="127.0.0.1", port=2525,
                               security=Security.NONE, from_email="me@example.com"))
    store.set_default("work")


@pytest.mark.parametrize("how", [{"args": ("--lang", "ja")}, {"env": {"LANG": "ja_JP.UTF-8"}},
                                 {"env": {"LANGUAGE": "ja", "LC_ALL": "C.UTF-8"}},
                                 {"args": ("--lang", "ja"), "env": {"SMTP_SETUP_LANG": "en"}}])
def test_list_in_japanese(profiles, how):
    proc = _run(*how.get("args", ()), "list", **how.get("env", {}))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["名前", "プロバイダー", "サーバー", "暗号化"]
    work = next(line for line in lines if " work " in line)
    assert work.startswith("*") and "暗黙的TLS（SSL）" in work
    assert "暗号化なし" in next(line for line in lines if " home " in line)
    assert lines[-1] == "* デフォルトのプロファイル"
    # columns line up by terminal cells: each server starts where its heading does
    column = cells(lines[0][: lines[0].index("サーバー")])
    assert cells(work[: work.index("smtp.sendgrid.net")]) == column


def test_list_in_english_and_json_identical(profiles):
    english = _run("list", LANG="en_US.UTF-8")
    assert english.stdout.splitlines()[0].split() == ["NAME", "PROVIDER", "SERVER", "SECURITY"]
    assert "Implicit TLS (SSL)" in english.stdout
    json_en = _run("list", "--json", LANG="C")
    json_ja = _run("--lang", "ja", "list", "--json")
    assert json_en.returncode == json_ja.returncode == 0
    assert json_ja.stdout == json_en.stdout  # list --json has no prose: byte-identical
    assert [sorted(p) for p in json.loads(json_ja.stdout)] == [
        sorted(p) for p in json.loads(json_en.stdout)]


def test_help_in_japanese_without_the_locale():
    proc = _run("--help", LANG="ja_JP.UTF-8")
    assert proc.returncode == 0 and "表示する言語" in proc.stdout
    assert "language of the messages" in _run("--help", LANG="C").stdout


def test_an_unknown_lang_is_a_usage_error():
    proc = _run("--lang", "xx", "list")
    assert proc.returncode == 2 and "--lang" in proc.stderr


def test_set_language_in_process_then_back(profiles, capsys):
    from smtp_setup import cli

    assert cli.main(["--lang", "ja", "list"]) == 0
    assert "名前" in capsys.readouterr().out
    assert cli.main(["list"]) == 0  # the next run decides again: SMTP_SETUP_LANG=en
    assert "NAME" in capsys.readouterr().out
    assert i18n.current_language() == "en"


def test_japanese_wraps_by_cells_and_keeps_punctuation_on_the_line():
    from smtp_setup.text_width import wrap

    text = ("表示する言語（省略時: $SMTP_SETUP_LANG、なければ LANGUAGE、LC_ALL、LC_MESSAGES、"
            "LANG の順に参照）。プロファイルはまだありません。smtp-setup を実行して作成してください。")
    for width in (20, 30, 54):
        lines = wrap(text, width)
        assert all(cells(line) <= width for line in lines), lines
        assert not any(line[0] in "、。）」" or line[-1] in "（「" for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("width", [70, 60, 40])
async def test_a_narrow_step_line_still_names_the_current_step(tmp_path, monkeypatch, width):
    """Below 80 columns the Japanese names do not all fit: the line keeps the current step's
    name whole (a mark per step before it, a dot per step after) rather than cutting it."""
    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        indicator = app.query_one(StepIndicator)
        for index, title in enumerate(indicator.titles):
            indicator.show_step(index)
            line = indicator.content
            assert title in line.plain and line.cell_len <= indicator.size.width, line.plain
