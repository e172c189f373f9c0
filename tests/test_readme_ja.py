"""README.ja.md: linked from the README's first lines, its pictures exist, its port table
says 465 is recommended, and it lists every command the English README lists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
README_JA = (ROOT / "README.ja.md").read_text("utf-8")


def _commands(text: str) -> set[str]:
    return set(re.findall(r"^\| `smtp-setup(?: ([a-z-]+))?", text, re.MULTILINE))


def test_linked_from_the_first_lines_of_the_readme():
    assert "日本語: [README.ja.md](README.ja.md)" in README.splitlines()[:5]
    assert "[README.md](README.md)" in README_JA.splitlines()[2]


def test_every_picture_exists():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README_JA)
    assert len(pictures) >= 7
    assert all((ROOT / picture).is_file() for picture in pictures)


def test_ports_table_recommends_465():
    rows = {row.split("|")[1].strip(): row for row in README_JA.splitlines()
            if re.match(r"^\| (465|587|2525|25) \|", row)}
    assert set(rows) == {"465", "587", "2525", "25"}
    assert "RFC 8314" in rows["465"] and "推奨" in rows["465"]
    assert "STARTTLS" in rows["587"]
    assert "588 は標準のポートではありません" in README_JA


def test_every_command_of_the_readme_is_listed():
    assert _commands(README) and _commands(README) == _commands(README_JA)


def _formats(text: str) -> list[str]:
    return re.findall(r"^\| `([a-z-]+)` \|", text, re.MULTILINE)


def test_every_export_format_of_the_readme_is_listed_in_the_same_order():
    assert len(_formats(README)) >= 20 and _formats(README) == _formats(README_JA)


def test_each_guide_of_the_readme_has_its_japanese_section():
    """Everything but the developers' notes is in Japanese too: exports, moving profiles,
    OAuth, the config file and the test send's rules."""
    sections = set(re.findall(r"^## (.+)$", README_JA, re.MULTILINE))
    assert {"ほかのプログラム向けの設定", "別のマシンへの移行", "OAuth: 自分のクライアント ID",
            "設定ファイル", "テスト送信の動作"} <= sections
    english_toml = re.search(r"```toml\n(.*?)```", README, re.DOTALL).group(1)
    japanese_toml = re.search(r"```toml\n(.*?)```", README_JA, re.DOTALL).group(1)
    keys = re.compile(r"^(\w+|\[[\w.]+\])", re.MULTILINE)
    assert keys.findall(english_toml) == keys.findall(japanese_toml)  # the same example file
