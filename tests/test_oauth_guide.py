"""The wizard sends a person who must register an OAuth app to a README section: that
README is the one in their language, and the section it names is a heading there. The F1
help page of the Login step names the same section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from smtp_setup import i18n
from smtp_setup.app.widgets.oauth_panel import guide_hint

ROOT = Path(__file__).resolve().parents[1]
HELP = ROOT / "tui" / "smtp_setup" / "app" / "help"
NAMED = re.compile(r"(README(?:\.ja)?\.md)[^「'\"]*[「'\"]([^」'\"]+)[」'\"]")


def headings(readme: str) -> set[str]:
    text = (ROOT / readme).read_text(encoding="utf-8")
    return {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")}


@pytest.fixture
def language():
    yield i18n.set_language
    i18n.set_language("en")


@pytest.mark.parametrize("lang, readme", [("en", "README.md"), ("ja", "README.ja.md")])
def test_the_hint_names_a_heading_of_the_readme_in_that_language(language, lang, readme):
    language(lang)
    named = NAMED.search(guide_hint())
    assert named is not None, guide_hint()
    assert named.group(1) == readme
    assert named.group(2) in headings(readme)


@pytest.mark.parametrize("page, readme", [
    (HELP / "credentials.md", "README.md"), (HELP / "ja" / "credentials.md", "README.ja.md")])
def test_the_login_help_names_a_heading_of_the_readme_in_its_language(page, readme):
    text = page.read_text(encoding="utf-8")
    section = "OAuth: your own client ID" if readme == "README.md" else "OAuth: 自分のクライアント ID"
    assert section in text and section in headings(readme)
    if readme == "README.ja.md":
        assert "README.ja.md" in text
