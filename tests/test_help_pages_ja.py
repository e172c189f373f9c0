"""F1 help speaks the chosen language: Japanese pages of their own, one per wizard step,
an English page standing in for any page not translated yet."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from rich.cells import cell_len
from smtp_setup import i18n
from smtp_setup.app import build_wizard
from smtp_setup.app.widgets import modals
from smtp_setup.app.widgets.modals import HelpScreen, help_page
from textual.widgets import Markdown

ROOT = Path(__file__).resolve().parent.parent
HELP = ROOT / "tui" / "smtp_setup" / "app" / "help"
STEPS = sorted(page.stem for page in HELP.glob("*.md"))


def test_every_english_page_has_a_japanese_page():
    assert STEPS
    assert sorted(page.stem for page in (HELP / "ja").glob("*.md")) == STEPS


def test_japanese_pages_are_chosen_with_the_language():
    i18n.set_language("ja")
    for step in STEPS:
        assert help_page(step) == HELP / "ja" / f"{step}.md"
    i18n.set_language("en")
    for step in STEPS:
        assert help_page(step) == HELP / f"{step}.md"


def test_a_missing_translation_falls_back_to_english_for_that_page_only(tmp_path, monkeypatch):
    shutil.copytree(HELP, tmp_path / "help")
    (tmp_path / "help" / "ja" / "sender.md").unlink()
    monkeypatch.setattr(modals, "HELP_DIR", tmp_path / "help")
    i18n.set_language("ja")
    assert help_page("sender") == tmp_path / "help" / "sender.md"
    assert help_page("connection") == tmp_path / "help" / "ja" / "connection.md"


def test_ports_page_says_465_is_recommended_and_588_is_not_standard():
    text = (HELP / "ja" / "connection.md").read_text("utf-8")
    assert "RFC 8314" in text and "推奨" in text
    assert "588 は標準のポートではありません" in text


def test_code_lines_fit_an_80_column_dialog():
    # the dialog at 80 columns leaves about 70 cells inside its border and padding
    for page in (HELP / "ja").glob("*.md"):
        for line in page.read_text("utf-8").splitlines():
            if line.startswith("    "):
                assert cell_len(line) <= 64, f"{page.name}: {line!r}"


def test_the_pages_ship_in_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["smtp_setup"]
    package = ROOT / "tui" / "smtp_setup"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    assert set((HELP / "ja").glob("*.md")) <= shipped


async def test_f1_shows_the_japanese_page_in_the_wizard(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        source = app.screen.query_one(Markdown).source
        assert source == (HELP / "ja" / "welcome.md").read_text("utf-8")
        assert "プロファイル" in source


def test_no_paragraph_is_broken_between_japanese_characters():
    # Markdown joins a paragraph's lines with a space, which Japanese does not put there
    # (「ためです （Mailtrap」); so each paragraph and list item is one source line.
    block = re.compile(r"^(#|\||- |\d+\. |    |```|!\[)")
    for page in [*(HELP / "ja").glob("*.md"), ROOT / "README.ja.md"]:
        fenced, before = False, ""
        for line in page.read_text("utf-8").splitlines():
            if line.startswith("```"):
                fenced, before = not fenced, ""
                continue
            if fenced:
                continue
            if before.strip() and line.strip() and not block.match(line) and not (
                    before.startswith(("|", "    ", "#"))):
                raise AssertionError(f"{page.name}: a paragraph continues on {line!r}")
            before = line
