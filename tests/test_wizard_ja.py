"""The whole sandbox journey (sandbox -> test -> save) in Japanese, driven by Pilot: Japanese
on every step, and the very same TOML saved as by the English journey."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from smtp_setup import i18n
from smtp_setup.app import build_wizard
from test_wizard_flow import (
    SIZE,
    choose_provider,
    next_enabled,
    send_and_wait,
    set_value,
    settle,
    step_id,
)
from textual.widgets import Button
from wizard_driver import EXAMPLE_CONFIG, STEP_ORDER, go_to


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).content)


def _title(app) -> str:
    return str(app.step.query_one(".step-title").content)


async def _journey(tmp_path, capsys, language: str) -> tuple[str, str, dict[str, str]]:
    """Sandbox, no login, a From address, a test send, save as `try`. Returns the saved
    TOML, the exit message and what each step showed (its title and a line of its own)."""
    i18n.set_language(language)
    config = tmp_path / language / "config.toml"
    app = build_wizard(config_path=config)
    app.services.sandbox_port = 0  # any free port, so parallel runs never collide
    seen: dict[str, str] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen["welcome"] = _title(app) + "\n" + str(
            app.screen.query_one("#start-choice").get_option_at_index(0).prompt)
        await choose_provider(app, pilot, "sandbox")  # passes through the provider step
        seen["connection"] = _title(app)
        await pilot.press("ctrl+n")
        assert step_id(app) == "credentials"
        assert next_enabled(app), "the sandbox needs no login"
        seen["credentials"] = _title(app) + "\n" + _text(app, "#no-login")
        await pilot.press("ctrl+n")
        assert step_id(app) == "sender"
        assert not next_enabled(app)
        seen["sender"] = _title(app)
        await set_value(app, pilot, "#from-email", "me@example.com")
        assert next_enabled(app)
        await pilot.press("ctrl+n")
        seen["test"] = _title(app) + "\n" + str(app.screen.query_one("#send", Button).label)
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        seen["outcome"] = _text(app, "#outcome") + "\n" + _text(app, "#received")
        used = app.services.extras["sandbox"].port
        await pilot.press("ctrl+n")
        assert step_id(app) == "review"
        seen["review"] = _title(app) + "\n" + str(app.screen.query_one("#next", Button).label)
        await set_value(app, pilot, "#profile-name", "try")
        seen["summary"] = _text(app, "#summary")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    assert app.return_code == 0
    saved = config.read_text("utf-8")
    assert f"port = {used}\n" in saved  # saved is what was tested (here: any free port)
    exit_message = app.farewell.replace("\n", "")  # what run_wizard prints on leaving
    return re.sub(r"port = \d+", "port = PORT", saved), exit_message, seen


async def test_sandbox_journey_in_japanese_saves_what_english_saves(tmp_path, capsys):
    english_toml, english_exit, english = await _journey(tmp_path, capsys, "en")
    toml, exit_message, seen = await _journey(tmp_path, capsys, "ja")
    assert toml == english_toml  # the config file never changes with the language
    assert "smtp-setup へようこそ" in seen["welcome"]
    assert "+ 新しいプロファイルを作成" in seen["welcome"]
    assert seen["connection"] == "サーバー、ポート、暗号化"
    assert seen["credentials"].startswith("ログイン\n") and "ログイン不要です" in seen["credentials"]
    assert seen["sender"] == "送信元"
    assert seen["test"] == "テストメッセージを送信\nテスト送信"
    assert "✓ サーバーが" in seen["outcome"] and "ms で受け付けました" in seen["outcome"]
    assert "サンドボックスはメッセージを保持するだけで、配信はしません。" in seen["outcome"]
    assert "サンドボックスがこのメッセージ" in seen["outcome"]
    assert "me@example.com" in seen["outcome"]
    assert "new profile" not in seen["outcome"]  # the message names the name Save suggests
    assert seen["review"] == "確認と保存\n保存"
    for label in ("プロバイダー", "サーバー", "ログイン", "送信元", "テスト",
                  "✓ サーバーが受け付けました"):
        assert label in seen["summary"]
    assert exit_message.startswith("✓ プロファイル「try」を保存しました（")
    assert "次にすること: 別のターミナルで smtp-setup sandbox" in exit_message
    # and English stays English
    assert english["connection"] == "Server, port and encryption"
    assert english_exit.startswith("✓ Saved profile 'try' in ")
    for shown in seen.values():
        assert not re.search(r"\b(Next|Back|Save|Send test|Welcome to)\b", shown), shown


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_cancel_message_follows_the_language(tmp_path, capsys, language):
    i18n.set_language(language)
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.farewell == {
        "ja": "セットアップを中止しました。何も変更していません。",
        "en": "Setup cancelled: no changes were made."}[language]


@pytest.mark.parametrize("step", STEP_ORDER)
async def test_no_japanese_button_label_is_cut_at_80x24(tmp_path, step):
    """Every shown button is wide enough for its label and ends inside the 80 columns (the
    Next button's "テストをスキップ" included, which is longer than the "次へ" it replaces)."""
    i18n.set_language("ja")
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG)
    app = build_wizard(config_path=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await go_to(app, pilot, step)
        await pilot.pause()
        shown = [b for b in app.screen.query(Button)
                 if all(node.display for node in b.ancestors_with_self if node is not app)
                 and b.region.width]
        assert shown
        for button in shown:
            label = str(button.label)
            assert button.region.width >= cell_len(label) + 2, (label, button.region)
            assert button.region.right <= 80, (label, button.region)


async def test_a_refused_login_in_japanese_then_the_fix(tmp_path, smtp_server_factory):
    """A real 535 from a loopback server: the diagnosis, its buttons and the stage list speak
    Japanese; the way back leads to the password, and with the right one the test passes."""
    i18n.set_language("ja")
    server = smtp_server_factory("starttls", password="An0ther-pw")  # ours is refused: 535
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "その他")
        await set_value(app, pilot, "#host", "127.0.0.1")
        ports = app.screen.query_one("#port-list")
        ports.highlighted = len(ports.options) - 1  # その他のポート
        await pilot.pause()
        await set_value(app, pilot, "#custom-port", str(server.port))
        app.screen.query_one("#custom-security").value = "starttls"
        await set_value(app, pilot, "#ca-file", str(server.ca_file))
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#username", "user")
        await set_value(app, pilot, "#password", "s3cret-Pa55")
        app.screen.query_one("#inline").value = True
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#from-email", "sender@example.test")
        await pilot.press("ctrl+n")
        await send_and_wait(app, pilot)
        outcome = _text(app, "#outcome")
        assert outcome.startswith("✗ サーバーがユーザー名またはパスワードを拒否しました"), outcome
        assert "考えられる原因:" in outcome and "次にすること:" in outcome
        assert not re.search(r"\b(the|and|or|your|server)\b", outcome), outcome
        labels = [str(app.screen.query_one(f"#{b}", Button).label)
                  for b in ("goto-connection", "goto-credentials")]
        assert labels == ["接続に戻る", "ログインに戻る"]
        stages = "\n".join(strip.text for strip in app.screen.query_one("#stages").render_lines(
            app.screen.query_one("#stages").content_region.reset_offset))
        assert re.search(r"✗ ログイン（AUTH）.*535", stages) and "未到達" in stages, stages
        app.screen.query_one("#goto-credentials", Button).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert step_id(app) == "credentials"
        await pilot.press("ctrl+u", *"An0ther-pw")
        await pilot.press("ctrl+n", "ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        assert _text(app, "#outcome").startswith("✓ サーバーが"), _text(app, "#outcome")
    assert len(server.messages) == 1
