"""The wizard's widgets and dialogs in Japanese (issue 11), driven by Pilot: the leave
question, the port check's rows after a real check of loopback ports, the domain table from
a loopback DNS server, the stage list after a real failed send, the OAuth sign-in dialogs
against the fake authorization server. Each asserts the Japanese text on screen."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rich.console import Console
from smtp_fixtures import reserved_ports
from smtp_setup import i18n
from smtp_setup.app import build_wizard
from smtp_setup.app.widgets.domain_table import DomainCheckDialog, DomainTable
from smtp_setup.app.widgets.modals import Confirm
from smtp_setup.app.widgets.port_choices import PortChoices
from smtp_setup.app.widgets.stage_list import StageList
from smtp_setup.core.catalog.loader import load_catalog
from smtp_setup.core.profiles.model import Profile, Security
from test_oauth_signin_ui import NOTHING, browser_app, device_app, text, until
from textual.app import App, ComposeResult
from textual.widgets import Button, Label, Static

SIZE = (80, 24)
WELL_KNOWN = (465, 587, 2525, 25)


@pytest.fixture(autouse=True)
def japanese():
    i18n.set_language("ja")  # conftest goes back to the environment after the test


def drawn(renderable, width: int = 400) -> str:
    """A Rich renderable as plain text on wide lines, runs of spaces made one."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return " ".join(console.export_text().split())


def buttons_fit(screen) -> None:
    """Every shown button lies inside the screen and shows its whole label."""
    for button in screen.query(Button):
        if button.display and button.region.width:
            assert button.region.right <= SIZE[0], str(button.label)
            assert button.content_size.width >= button.label.cell_length, str(button.label)


class Host(App):
    """One widget on a screen of its own, as the wizard's steps hold it."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


# -- the leave question (Confirm) --------------------------------------------------------


async def test_escape_asks_in_japanese_and_keeps_editing(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, Confirm)
        labels = [str(label.content) for label in dialog.query(Label)]
        assert labels == ["保存せずにセットアップを終了しますか？",
                          "まだ何も書き込まれていません。設定は変更されていません。"]
        assert [str(b.label) for b in dialog.query(Button)] == ["編集を続ける", "終了"]
        assert dialog.focused.id == "no"  # the safe answer first, in Japanese too
        buttons_fit(dialog)
        keys = [key.description for key in dialog.query("FooterKey")] + [
            b.description for b in dialog._bindings.key_to_bindings["escape"]]
        assert "キャンセル" in keys
        await pilot.press("enter")  # 編集を続ける
        await pilot.pause()
        assert not isinstance(app.screen, Confirm)
        assert app.return_code is None


# -- the port check's rows ---------------------------------------------------------------


def custom_choices(ports: dict[int, int]):
    """The Other SMTP server's choices (465, 587, 2525, 25), moved to `ports`."""
    provider = load_catalog().get("custom")
    choices = [replace(o, port=ports[o.port]) for o in provider.ports]
    recommended = next(c for c in choices if c.port == ports[provider.recommended_port])
    return choices, recommended


async def check_ports(plist: PortChoices, host: str = "127.0.0.1"):
    """The Connection step's check: every choice at once, each row marked as it answers."""
    from smtp_setup.core.smtp.probe import Candidate, probe_host

    candidates = [Candidate(c.port, c.security, documented=True) for c in plist.choices]
    plist.results.clear()
    plist.checking = True
    plist.load(plist.choices, plist.recommended)
    try:
        return await probe_host(host, candidates, timeout=5.0, on_result=plist.mark,
                                login=False)
    finally:
        plist.checking = False
        plist.load(plist.choices, plist.recommended)


def row(plist: PortChoices, port: int, security: Security) -> str:
    index = next(i for i, c in enumerate(plist.choices) if (c.port, c.security) == (port, security))
    return drawn(plist.get_option(f"port-{index}").prompt)


async def test_port_rows_say_what_a_real_check_found(smtp_plain):
    with reserved_ports(3) as closed:
        ports = {465: closed[0], 587: closed[1], 2525: closed[2], 25: smtp_plain.port}
        choices, recommended = custom_choices(ports)
        plist = PortChoices(id="port-list")
        app = Host(plist)
        async with app.run_test(size=SIZE) as pilot:
            plist.load(choices, recommended)
            plist.checking = True
            plist.load(choices, recommended)
            await pilot.pause()
            assert "… 確認中" in row(plist, closed[0], Security.TLS)
            await check_ports(plist)
            await pilot.pause()
            first = row(plist, closed[0], Security.TLS)
            assert "★ 推奨" in first
            assert "✗ 拒否: このポートで待ち受けているサービスはありません" in first
            assert "✗ 拒否" in row(plist, closed[1], Security.STARTTLS)
            # The plain server: no STARTTLS offered, but it works without encryption.
            assert "! サーバーは応答しますが STARTTLS を提供していない" in row(  # the check's words
                plist, smtp_plain.port, Security.STARTTLS)
            plain = row(plist, smtp_plain.port, Security.NONE)
            assert "✓ このネットワークから使えます" in plain and " ms）" in plain
            assert "使えます（" in plain  # the time follows without a space, as Japanese writes it
            assert "その他のポート" in drawn(plist.get_option("custom-port").prompt)


# -- the domain table --------------------------------------------------------------------


async def test_domain_table_in_japanese(dns_server):
    from domain_zones import GOOD, good_zones

    dns = dns_server(good_zones())
    dialog = DomainCheckDialog(GOOD, "sendgrid", dns.address)

    class DialogHost(App):
        def on_mount(self) -> None:
            self.push_screen(dialog)

    app = DialogHost()
    async with app.run_test(size=SIZE) as pilot:
        table = None

        def judged() -> bool:
            nonlocal table
            table = app.screen.query_one(DomainTable).content
            return hasattr(table, "columns")

        await until(pilot, judged)
        assert table.title == f"{GOOD} からのメールは受信側に信頼されますか？"
        assert [str(c.header) for c in table.columns] == ["", "項目", "確認結果と対処"]
        assert [str(cell) for cell in table.columns[1].cells] == ["MX", "SPF", "DKIM", "DMARC"]
        assert str(app.screen.query_one("#close", Button).label) == "閉じる (Esc)"
        buttons_fit(app.screen)
    assert dns.queries


async def test_an_offline_domain_check_in_japanese(dns_server):
    """A DNS server that never answers: one sentence on why, one on what to run later, and
    no full stop doubled (the problem is a whole sentence of its own)."""
    from smtp_setup.core.dns.domain_check import check_domain

    dns = dns_server({}, default="silent")
    report = await check_domain("example.org", provider_id="sendgrid",
                                nameserver=dns.address, timeout=1.0)
    assert report.offline
    table = DomainTable()
    app = Host(table)
    async with app.run_test(size=SIZE) as pilot:
        table.show_report(report)
        await pilot.pause()
        shown = str(table.content)
    problem, again = shown.split("\n")
    assert problem.startswith("! ") and "--nameserver" in problem, problem
    assert "example.org" in problem and problem.endswith("。")
    assert again == "オンラインのときに smtp-setup check-domain example.org を実行してください。"
    assert "。。" not in shown and ".." not in shown


# -- the stage list after a real failed send ---------------------------------------------


async def test_stage_list_after_a_wrong_password(smtp_starttls):
    from smtp_setup.core.smtp.session import send_test_message

    stages = StageList(id="stages")
    app = Host(stages)
    profile = Profile(name="work", host="127.0.0.1", port=smtp_starttls.port,
                      security=Security.STARTTLS, username="user",
                      from_email="sender@example.test", ca_file=str(smtp_starttls.ca_file))
    async with app.run_test(size=SIZE) as pilot:
        stages.reset()
        result = await send_test_message(
            profile, "Wr0ng-Zq9-pw",
            on_event=lambda e: stages.record(e.name, e.status, e.ms, e.detail))
        await pilot.pause()
        assert not result.ok
        lines = drawn(stages.content, width=80)
        for label in ("接続", "あいさつ", "EHLO（機能確認）", "STARTTLS（暗号化）",
                      "ログイン（AUTH）", "送信元（MAIL FROM）", "宛先（RCPT TO）",
                      "本文（DATA）", "切断（QUIT）"):
            assert label in lines
        assert "✗ ログイン（AUTH）" in lines and "✓ 接続" in lines
        assert "Wr0ng-Zq9-pw" not in lines


async def test_stage_list_of_an_implicit_tls_send_has_no_starttls_row(smtp_implicit_tls):
    from smtp_setup.core.smtp.session import send_test_message, stages_for

    stages = StageList(id="stages")
    app = Host(stages)
    profile = smtp_implicit_tls.profile(name="work")
    async with app.run_test(size=SIZE) as pilot:
        stages.reset(stages_for(profile.security))  # as the wizard's Test step does
        assert "STARTTLS" not in drawn(stages.content, width=80)  # not even waiting
        result = await send_test_message(
            profile, smtp_implicit_tls.password,
            on_event=lambda e: stages.record(e.name, e.status, e.ms, e.detail))
        await pilot.pause()
        assert result.ok, result.diagnosis
        shown = drawn(stages.content, width=80)
        assert shown.count("✓ ") == 8 and "✗" not in shown and "–" not in shown
        assert "STARTTLS" not in shown


# -- the OAuth sign-in dialogs -----------------------------------------------------------


async def test_device_sign_in_speaks_japanese(fake_oauth):
    fake_oauth.device_interval = 30  # the poll sleeps: the dialog stays up
    app = device_app(fake_oauth, login_hint="me@example.test")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.dialog.code is not None)
        assert app.screen.query_one("Vertical").border_title == "Microsoft でサインイン"
        assert text(app, "#device-open") == "1. 任意の端末で次のページを開きます:"
        assert text(app, "#device-enter") == "2. 次のコードを入力します:"
        assert text(app, "#device-hint") == "3. me@example.test としてサインインします"
        assert text(app, "#device-status").startswith("サインインを待っています… 残り ")
        shown = [str(b.label) for b in app.screen.query(Button) if b.display]
        assert shown == ["リンクをコピー", "コードをコピー", "キャンセル"]
        buttons_fit(app.screen)
        await pilot.press("c")
        await pilot.pause()
        assert "コードをクリップボードにコピーしました。" in [
            n.message for n in app._notifications]
        await pilot.press("escape")
        await until(pilot, lambda: app.result is not NOTHING)


async def test_device_sign_in_blocked_offers_the_browser_in_japanese(fake_oauth):
    fake_oauth.device_script = ["blocked"]
    app = device_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query_one("#device-browser").display)
        assert str(app.screen.query_one("#device-browser", Button).label) == \
            "ブラウザーでサインイン"
        assert text(app, "#device-status").startswith("✗ ")
        buttons_fit(app.screen)


async def test_browser_sign_in_speaks_japanese(fake_oauth, monkeypatch):
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    app = browser_app(fake_oauth)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.dialog.url))
        assert app.screen.query_one("Vertical").border_title == "Google でサインイン"
        assert str(app.screen.query(Static).first().content) == \
            "このコンピューターのブラウザーで次のリンクを開いてください:"
        note = text(app, "#browser-note")
        assert note.startswith("ブラウザーはこのコンピューターで開いてください。")
        assert "http://127.0.0.1:" in note and "smtp-setup はそこで待っています。" in note
        ssh = text(app, "#browser-ssh")
        assert ssh.startswith("SSH 経由で作業していますか？ お使いのコンピューターで  ssh -N -L ")
        assert text(app, "#browser-status") == "ブラウザーからの戻りを待っています…"
        shown = [str(b.label) for b in app.screen.query(Button) if b.display]
        assert shown == ["リンクをコピー", "アドレスを貼り付け…", "キャンセル"]
        buttons_fit(app.screen)
        app.screen.query_one("#browser-paste", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one(Label).content) == \
            "ブラウザーが最後に表示したアドレスを貼り付けてください:"
        assert [str(b.label) for b in app.screen.query(Button)] == [
            "キャンセル", "このアドレスを使用"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await until(pilot, lambda: app.result is not NOTHING)


# -- the export formats: the dialog and `smtp-setup export --list-formats` ----------------


async def test_export_dialog_in_japanese(tmp_path, monkeypatch):
    from smtp_setup.app.widgets.export_dialog import ExportDialog
    from textual.widgets import Select

    monkeypatch.chdir(tmp_path)
    profile = Profile(name="work", host="smtp.example.com", from_email="a@example.com")

    class DialogHost(App):
        def on_mount(self) -> None:
            self.push_screen(ExportDialog(profile, "work"))

    app = DialogHost()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert str(dialog.query_one(".title", Label).content) == "プロファイル work をエクスポート"
        assert str(dialog.query_one("#export-note").content) == \
            "パスワードは含まれません。このマシンの保管場所に残ります。"
        assert [str(b.label) for b in dialog.query(Button)] == ["キャンセル", "保存"]
        buttons_fit(dialog)
        options = [str(prompt) for prompt, _ in dialog.query_one(Select)._options]
        assert "smtp-setup のファイル（別のマシン用、パスワードは含みません）" in options
        assert "msmtp → ~/.msmtprc: msmtp 用の msmtprc アカウント（msmtp 経由の mutt、git、cron " \
               "にも）" in options
        dialog.query_one("#export-path").value = str(tmp_path)
        dialog.query_one("#save", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert str(dialog.query_one("#export-error").content) == \
            f"✗ {tmp_path} はフォルダーです。ファイル名を付けてください。"


def test_list_formats_in_japanese_keeps_json_plain(_isolated_config):
    import json

    from support.cli import run

    listing = run("--lang", "ja", "export", "--list-formats")
    assert listing.returncode == 0, listing.stderr
    assert "git send-email 用の gitconfig [sendemail] 設定" in listing.stdout
    rows = json.loads(run("--lang", "ja", "export", "--list-formats", "--json").stdout)
    english = json.loads(run("export", "--list-formats", "--json").stdout)
    assert [sorted(r) for r in rows] == [sorted(r) for r in english]
    assert [r["format"] for r in rows] == [r["format"] for r in english]
    assert all(isinstance(r["about"], str) for r in rows)
    about = {r["format"]: r["about"] for r in rows}
    assert about["git"] == "git send-email 用の gitconfig [sendemail] 設定"
    assert {r["format"]: r["about"] for r in english}["git"] == \
        "gitconfig [sendemail] settings for git send-email"


async def test_an_open_select_list_names_esc_in_japanese(tmp_path, monkeypatch):
    """Textual's own list says "Dismiss menu" for Esc in the footer, in English: ours says
    it in the run's language."""
    from smtp_setup.app import build_wizard
    from test_wizard_flow import choose_provider, set_value
    from textual.widgets import Footer

    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await choose_provider(app, pilot, "その他")
        await set_value(app, pilot, "#host", "127.0.0.1")
        ports = app.screen.query_one("#port-list")
        ports.highlighted = len(ports.options) - 1  # Custom port…: its encryption list
        await pilot.pause()
        app.screen.query_one("#custom-security").focus()
        await pilot.pause()
        await pilot.press("enter")  # open the list
        await pilot.pause()
        footer = " ".join(str(item.render()) for item in app.screen.query_one(Footer).query("*"))
        assert "一覧を閉じる" in footer and "Dismiss" not in footer, footer
