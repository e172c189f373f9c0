"""Japanese lines break between characters (never before 、。）, never after （), in the CLI
and in the wizard; Latin text still breaks only at spaces, exactly as Rich does."""

from __future__ import annotations

import rich._wrap
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from smtp_setup.app import build_wizard  # noqa: F401 (importing the app teaches Rich the rule)
from smtp_setup.text_width import let_rich_break_wide_text, pieces
from textual.app import App, ComposeResult
from textual.widgets import Static

NO_LINE_START = "、。，．）」』】！？"
# After the space, a run of Japanese that fits a line of its own but not the rest of the first
# (breaking only at spaces moved it whole and left the first line half empty).
SENTENCE = ("ホスト名 smtp.example.test の綴りをプロバイダーの案内と照らし合わせて確認してください。"
            "プロバイダーを選ぶと、ホスト名が自動で入力されます（「その他」を除く）。")
TEXTS = st.text(alphabet=st.sampled_from(list("ab c.\n\t（「）」、。ーサーバ漢字ab ")), max_size=60)


@given(TEXTS)
def test_the_pieces_give_the_text_back(text):
    assert "".join(pieces(text)) == text


@given(st.text(alphabet=st.characters(max_codepoint=0x2000), max_size=80),
       st.integers(min_value=1, max_value=30))
def test_text_without_wide_characters_wraps_as_rich_always_did(text, width):
    import inspect

    taught = rich._wrap.words
    original = inspect.getclosurevars(taught).nonlocals["words"]  # Rich's own splitter
    assert list(taught(text)) == list(original(text))
    ours = rich._wrap.divide_line(text, width)
    rich._wrap.words = original
    try:
        assert ours == rich._wrap.divide_line(text, width)  # the same breaks, exactly
    finally:
        rich._wrap.words = taught


def test_the_rule_is_taught_once():
    before = rich._wrap.words
    let_rich_break_wide_text()
    assert rich._wrap.words is before


class Paragraph(App):
    CSS = "Static { width: 60; }"

    def compose(self) -> ComposeResult:
        yield Static(SENTENCE)


async def test_the_wizard_fills_japanese_lines():
    app = Paragraph()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        lines = [strip.text.rstrip() for strip in app.query_one(Static).render_lines(
            app.query_one(Static).content_region.reset_offset)]
    lines = [line for line in lines if line]
    assert "".join(lines).replace(" ", "") == SENTENCE.replace(" ", "")  # nothing cut
    for line in lines[:-1]:
        assert cell_len(line) >= 58, lines  # full, not cut at the last space
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for line in lines[:-1]:
        assert line[-1] not in "（「", lines


class DiagnosisHost(App):
    CSS = "Static { width: 40; }"

    def compose(self) -> ComposeResult:
        from smtp_setup.app.widgets.diagnosis_view import diagnosis_view

        yield Static(diagnosis_view(
            "The server refused the connection", "Nothing answers on port 2525.",
            ["a firewall rejects the connection on the way to the server"],
            ["Check the port: submission uses 587 (STARTTLS) or 465 (implicit TLS).",
             "ポートを確認してください。メール送信には 587（STARTTLS）を使います。"]))


async def test_a_diagnosis_keeps_its_list_items_indented_when_they_wrap():
    app = DiagnosisHost()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        static = app.query_one(Static)
        lines = [strip.text.rstrip() for strip in static.render_lines(
            static.content_region.reset_offset)]
        plain = str(static.content)
    bullet = next(i for i, line in enumerate(lines) if line.startswith(" • "))
    assert lines[bullet + 1].startswith("   ") and lines[bullet + 1].strip(), lines
    first = next(i for i, line in enumerate(lines) if line.startswith(" 1. "))
    assert lines[first + 1].startswith("    ") and lines[first + 1].strip(), lines
    second = next(i for i, line in enumerate(lines) if line.startswith(" 2. "))
    assert lines[second + 1].startswith("    ") and lines[second + 1].strip(), lines
    assert all(cell_len(line) <= 40 for line in lines), lines
    assert plain.splitlines()[:2] == ["✗ The server refused the connection",
                                      "Nothing answers on port 2525."]
    assert " 2. ポートを確認してください。メール送信には 587（STARTTLS）を使います。" in plain


def test_a_quoted_command_is_never_broken():
    from smtp_setup.text_width import wrap

    for text in ("The sandbox runs only while smtp-setup runs it: start it with "
                 "`smtp-setup sandbox --port 2525` in another terminal, then test again.",
                 "サンドボックスは smtp-setup が動かしている間だけ動きます。別のターミナルで "
                 "`smtp-setup sandbox --port 2525` を実行してから、もう一度テストしてください。"):
        for width in (30, 40, 50, 79):
            lines = wrap(text, width, "  1. ", "     ")
            assert any("`smtp-setup sandbox --port 2525`" in line for line in lines), lines
            assert all("\x00" not in line for line in lines)


def test_a_number_and_its_unit_given_as_whole_are_never_broken():
    from smtp_setup.text_width import wrap

    for text, unit in (("example.test is not a mailbox domain in the catalog (4205 ms)",
                        "(4205 ms)"),
                       ("example.test はプロバイダー一覧にあるメールドメインではありません。"
                        "（4205 ms）", "（4205 ms）")):
        for width in range(20, 80):
            lines = wrap(text, width, "  · ", "    ", whole=[unit])
            assert any(unit in line for line in lines), (width, lines)
            assert "".join(line.strip() for line in lines).replace(" ", "") == (
                "·" + text.replace(" ", ""))
