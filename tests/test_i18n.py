"""Which language speaks: --lang, SMTP_SETUP_LANG, gettext's variables; lazy marks; no
locale needed (the subprocesses run with LANG=ja_JP.UTF-8 on machines without it)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from smtp_setup import i18n
from smtp_setup.i18n import N_, LazyText, language_from_argv, language_from_environment
from support.cli import cli_env

LANGUAGE_ENV = ("SMTP_SETUP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ja_JP.eucJP"}, "ja"),
        ({"LANG": "ja"}, "ja"),
        ({"LANG": "ja-JP"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # unknown: English, silently
        ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "ja"),
        ({"LC_MESSAGES": "ja_JP.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL before LC_MESSAGES
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LANGUAGE": "ja", "LC_ALL": "en_US.UTF-8"}, "ja"),  # LANGUAGE first
        ({"LANGUAGE": "fr:ja:en", "LANG": "en_US.UTF-8"}, "ja"),  # first entry we speak
        ({"LANGUAGE": "fr:de", "LANG": "ja_JP.UTF-8"}, "en"),  # LANGUAGE decided: English
        ({"LANGUAGE": "en:ja"}, "en"),
        ({"LANGUAGE": "", "LC_ALL": "", "LANG": "ja_JP.UTF-8"}, "ja"),  # empty is unset
        ({"SMTP_SETUP_LANG": "ja", "LANGUAGE": "en", "LC_ALL": "C"}, "ja"),  # the override
        ({"SMTP_SETUP_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"SMTP_SETUP_LANG": "ja_JP.UTF-8"}, "ja"),
        ({"SMTP_SETUP_LANG": "klingon", "LANG": "ja_JP.UTF-8"}, "en"),  # unknown: English
        ({"SMTP_SETUP_LANG": "  ", "LANG": "ja_JP.UTF-8"}, "ja"),
    ],
)
def test_language_from_environment(environ, expected):
    assert language_from_environment(environ) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], None),
        (["list"], None),
        (["--lang", "ja", "list"], "ja"),
        (["list", "--lang=en"], "en"),
        (["test", "work", "--to", "a@example.com", "--lang", "ja"], "ja"),
        (["list", "--", "--lang", "ja"], None),
        (["--lang"], None),
    ],
)
def test_language_from_argv(argv, expected):
    assert language_from_argv(argv) == expected


def test_set_language_overrides_and_resets(monkeypatch):
    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    assert i18n.current_language() == "ja"
    assert i18n.set_language("en") == "en"
    assert i18n._("Next") == "Next"
    assert i18n.set_language("de") == "en"  # unknown: English
    assert i18n.set_language(None) == "ja"  # back to the environment
    assert i18n._("Next") == "次へ"
    monkeypatch.setenv("SMTP_SETUP_LANG", "en")  # a changed environment is seen at once
    assert i18n.current_language() == "en"


def test_available_languages_are_english_and_the_catalogs():
    assert i18n.available_languages()[0] == "en"
    assert "ja" in i18n.available_languages()


def test_lazy_text_translates_when_used_not_when_made():
    step = N_("Next")
    assert isinstance(step, LazyText) and not isinstance(step, str)
    assert str(step) == "Next"
    i18n.set_language("ja")
    assert str(step) == "次へ" and f"[{step}]" == "[次へ]"
    assert N_("Step {current} of {total}").format(current=2, total=7) == "ステップ 2/7"
    assert step == N_("Next") and hash(step) == hash(N_("Next"))


def test_a_forgotten_str_fails_loudly():
    """Passing a LazyText where text is shown raises instead of quietly showing English."""
    from rich.text import Text

    with pytest.raises(TypeError):
        Text().append(N_("Next"))


def test_missing_message_falls_back_to_english_alone():
    i18n.set_language("ja")
    assert i18n._("A sentence nobody translated.") == "A sentence nobody translated."
    assert i18n._("Back") == "戻る"
    assert i18n.ngettext("{count} profile", "{count} profiles", 2) == "{count} profiles"
    assert i18n.pgettext("nowhere", "Back") == "Back"


def test_english_plural_rule():
    assert i18n.ngettext("{count} profile", "{count} profiles", 1) == "{count} profile"
    assert i18n.ngettext("{count} profile", "{count} profiles", 0) == "{count} profiles"


def _clean_env(**extra: str) -> dict[str, str]:
    env = cli_env()
    for name in LANGUAGE_ENV:
        env.pop(name, None)
    env.update(extra)
    return env


def _python(code: str, env: dict[str, str]) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    return proc.stdout.strip()


def test_no_locale_needed_and_nothing_heavy_imported():
    """LANG=ja_JP.UTF-8 works without that locale installed (we never call setlocale), and
    importing i18n loads neither Babel nor gettext until a Japanese message is needed."""
    code = (
        "import sys\n"
        "from smtp_setup import i18n\n"
        "print(i18n.current_language(), 'babel' in sys.modules, 'gettext' in sys.modules)\n"
        "print(i18n._('Back'), 'babel' in sys.modules)\n"
    )
    out = _python(code, _clean_env(LANG="ja_JP.UTF-8")).splitlines()
    assert out == ["ja False False", "戻る True"]
    out = _python(code, _clean_env(LANG="en_US.UTF-8")).splitlines()
    assert out == ["en False False", "Back False"]


def test_version_imports_no_babel():
    code = (
        "import sys\nfrom smtp_setup import cli\n"
        "try:\n    cli.main(['--lang', 'ja', '--version'])\nexcept SystemExit:\n    pass\n"
        "print('babel' in sys.modules)\n"
    )
    assert _python(code, _clean_env(LANG="ja_JP.UTF-8")).splitlines()[-1] == "False"


def test_sentences_follow_each_other_as_the_language_writes_them():
    assert i18n.sentences(["Renamed a to b.", "Deleted c."]) == "Renamed a to b. Deleted c."
    i18n.set_language("ja")
    try:
        assert i18n.sentences(["a を b に変更しました。", "c を削除しました。"]) == (
            "a を b に変更しました。c を削除しました。")
    finally:
        i18n.set_language("en")
