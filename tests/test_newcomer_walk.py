"""What newcomers tripped on walking the wizard at 80x24 and 100x32: PageDown from a button,
the way back after a refused connection, Try again, an empty field at first sight, the
suggested name, a verdict's wrapped line and a long guide address."""

from __future__ import annotations

from rich.console import Console
from smtp_fixtures import reserved_ports
from smtp_setup.app import build_wizard
from smtp_setup.app.draft import draft_for_new
from smtp_setup.app.widgets.hanging_text import HangingText
from smtp_setup.app.widgets.port_choices import PortChoices
from smtp_setup.app.widgets.toggles import Checkbox
from smtp_setup.core.profiles.validation import profile_name
from smtp_setup.core.smtp.probe import probe_host
from smtp_setup.core.smtp.probe_ports import Candidate
from test_after_a_failed_test import press_button
from test_wizard_flow import (
    choose_custom_port,
    choose_provider,
    send_and_wait,
    set_value,
    settle,
    step_id,
)
from test_wizard_keys import sandbox_to_test_step
from textual.widgets import Button, Input, OptionList

SMALL = (80, 24)


def in_sight(app, widget) -> bool:
    """The widget's end is on the screen, within its step (what was below the fold)."""
    step, region = app.step.region, widget.region
    return region.height > 0 and step.y < region.bottom <= step.bottom


async def page_down_from_next(app, pilot, target: str) -> None:
    step = app.step
    app.screen.query_one("#next", Button).focus()
    step.scroll_home(animate=False)
    await pilot.pause()
    assert not in_sight(app, app.screen.query_one(target)), "nothing to scroll to"
    before = step.scroll_y
    await pilot.press("pagedown")
    await pilot.pause(0.6)  # the scroll is animated
    assert step.scroll_y > before, "PageDown did nothing with the focus on Next"
    assert in_sight(app, app.screen.query_one(target))
    paged = step.scroll_y
    await pilot.press("pageup")
    await pilot.pause(0.6)
    assert step.scroll_y < paged
    await pilot.press("ctrl+end")
    await pilot.pause(0.3)
    assert step.scroll_y == step.max_scroll_y
    await pilot.press("ctrl+home")
    await pilot.pause(0.3)
    assert step.scroll_y == 0


async def test_page_down_reaches_the_stages_and_the_preview_at_80x24(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    app.services.sandbox_port = 0
    async with app.run_test(size=SMALL) as pilot:
        await sandbox_to_test_step(app, pilot)
        await send_and_wait(app, pilot)
        await page_down_from_next(app, pilot, "#stages")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert step_id(app) == "review"
        await page_down_from_next(app, pilot, "#toml-preview")


async def walk_without_login(app, pilot, port: int) -> None:
    await choose_provider(app, pilot, "other smtp")
    await set_value(app, pilot, "#host", "127.0.0.1")
    await choose_custom_port(app, pilot, str(port), "none")
    app.screen.query_one("#plain-ok", Checkbox).value = True  # login is turned off next
    await pilot.pause()
    await pilot.press("ctrl+n")
    assert step_id(app) == "credentials"
    app.screen.query_one("#use-auth", Checkbox).value = False
    await pilot.pause()
    await pilot.press("ctrl+n")
    await set_value(app, pilot, "#from-email", "sender@example.test")
    await pilot.press("ctrl+n")
    assert step_id(app) == "test"


async def test_a_refused_connection_offers_the_connection_step_then_try_again_passes(
        tmp_path, smtp_server_factory):
    from aiosmtpd.controller import Controller
    from smtp_fixtures import RecordingHandler

    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        with reserved_ports(1) as (port,):
            await walk_without_login(app, pilot, port)
            await send_and_wait(app, pilot)
            assert "refused the connection" in str(app.screen.query_one("#outcome").content)
            assert app.screen.query_one("#goto-connection").display
            assert not app.screen.query_one("#goto-credentials").display, (
                "Back to login after a refused connection, with login off")
            retry = app.screen.query_one("#retry", Button)
            assert retry.display and str(retry.label) == "Try again"
            # the keyboard is on the first way forward (Send had lost the focus)
            assert app.focused is retry
            # the transcript says why it is empty rather than opening blank
            assert list(app.screen.query_one("#transcript").lines) == [
                "(nothing was exchanged: no SMTP conversation took place)"]
        # The server is up now, on the same port: Try again sends with the same settings.
        controller = Controller(RecordingHandler(), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            await press_button(app, pilot, "#retry")
            for _ in range(100):
                await settle(app, pilot)
                if not app.step.sending:
                    break
            assert app.draft.test_ok is True, app.screen.query_one("#outcome").content
            assert app.draft.profile.port == port
        finally:
            controller.stop()


async def test_a_refused_login_offers_login_not_the_connection_step(
        tmp_path, smtp_server_factory):
    from test_after_a_failed_test import walk_to_test

    server = smtp_server_factory("starttls", password="An0ther-pw")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        await walk_to_test(app, pilot, server, security="starttls")
        await send_and_wait(app, pilot)
        assert app.screen.query_one("#goto-credentials").display
        assert not app.screen.query_one("#goto-connection").display


async def test_an_empty_host_is_no_error_at_first_sight(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SMALL) as pilot:
        await choose_provider(app, pilot, "gmail")  # a host filled in, then another choice
        await pilot.press("ctrl+b")
        await set_value(app, pilot, "#provider-filter", "other smtp")
        await pilot.press("ctrl+n")
        assert step_id(app) == "connection"
        await pilot.pause()
        host = app.screen.query_one("#host", Input)
        message = app.screen.query_one("#host-field .field-message")
        await pilot.press("tab")  # passing through, nothing typed
        await pilot.pause()
        assert host.value == "" and app.focused is not host
        assert not host.has_class("-invalid") and not message.has_class("-error"), (
            message.content)
        assert app.screen.query_one("#next", Button).disabled
        assert "host name" in str(app.screen.query_one("#nav-status").content)
        await pilot.press("ctrl+n")  # tried Next: now the field says what it needs
        await pilot.pause()
        assert step_id(app) == "connection"
        assert host.has_class("-invalid") and message.has_class("-error")


async def test_a_field_hidden_when_next_was_tried_is_quiet_when_it_appears(tmp_path):
    """Next with an empty host marks the fields in sight; the custom port's row was hidden
    then, so choosing "Custom port…" afterwards shows an empty field, not an error."""
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SMALL) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await pilot.press("ctrl+n")  # the host is empty: Next refuses and says why
        await pilot.pause()
        assert step_id(app) == "connection"
        ports = app.screen.query_one("#port-list", OptionList)
        ports.highlighted = len(ports.options) - 1  # Custom port…
        await pilot.pause()
        message = app.screen.query_one("#custom-port-field .field-message")
        assert app.screen.query_one("#custom-port-row").display
        assert not message.has_class("-error"), message.content


async def test_page_down_in_the_port_list_scrolls_without_changing_the_choice(tmp_path):
    """Choosing a port is highlighting it: PageDown there must not jump the choice to the
    last row (a port without encryption, or Custom port…); it scrolls the step."""
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SMALL) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        ports = app.screen.query_one("#port-list", PortChoices)
        ports.focus()
        await pilot.pause()
        chosen = ports.chosen
        assert chosen is not None
        await pilot.press("pagedown")
        await pilot.pause()
        assert ports.chosen == chosen and app.focused is ports
        assert app.step.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert ports.chosen == chosen and app.step.scroll_y == 0


async def test_typed_then_left_empty_shows_the_error(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SMALL) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await pilot.pause()
        host = app.screen.query_one("#host", Input)
        host.focus()
        await pilot.press("a", "backspace", "tab")
        await pilot.pause()
        assert host.has_class("-invalid")
        assert app.screen.query_one("#host-field .field-message").has_class("-error")


def test_the_suggested_name_for_other_smtp_server_comes_from_the_host():
    draft = draft_for_new()
    draft.provider_id = "custom"
    draft.profile.host = "smtp.example.com"
    assert draft.name_to_suggest([]) == "smtp-example-com"
    assert draft.name_to_suggest(["smtp-example-com"]) == "smtp-example-com-2"
    draft.profile.host = "mail." + "x" * 80 + ".example"
    assert profile_name(draft.name_to_suggest([]) + "-2") is None
    draft.profile.host = ""
    assert draft.name_to_suggest([]) == "mail"
    draft.provider_id = "gmail"
    assert draft.name_to_suggest([]) == "gmail"


async def test_japanese_from_name_placeholder_is_translated(tmp_path, monkeypatch):
    from smtp_setup import i18n

    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    i18n.set_language("ja")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SMALL) as pilot:
        await sandbox_to_test_step_ja(app, pilot)
        placeholder = app.screen.query_one("#from-name", Input).placeholder
        assert placeholder and placeholder != "Example Alerts"


async def sandbox_to_test_step_ja(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("enter")
    await set_value(app, pilot, "#provider-filter", "sandbox")
    await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
    await pilot.pause()
    assert step_id(app) == "sender"


async def test_a_wrapped_verdict_hangs_under_its_text():
    """A real check of a closed port; its verdict, wrapped, starts under the text."""
    from smtp_setup.core.catalog.loader import PortOption
    from smtp_setup.core.profiles.model import Security

    with reserved_ports(1) as (port,):
        choice = PortOption(port=port, security=Security.STARTTLS)
        results = await probe_host("127.0.0.1", [Candidate(port, Security.STARTTLS)],
                                   timeout=3)
    plist = PortChoices()
    plist.choices, plist.recommended = [choice], None
    plist.results[(port, Security.STARTTLS)] = results.results[0]
    console = Console(width=48, record=True, color_system=None)
    console.print(plist._row(choice))
    lines = [line for line in console.export_text().splitlines() if line.strip()]
    mark_line = next(i for i, line in enumerate(lines) if "✗" in line)
    column = lines[mark_line].index("✗") + 2
    continued = lines[mark_line + 1:]
    assert continued, lines
    assert all(line[:column].strip() == "" for line in continued), "\n".join(lines)


def test_a_long_address_breaks_after_a_slash_not_inside_a_word():
    url = "https://developers.google.com/workspace/gmail/imap/imap-smtp"
    console = Console(width=56, record=True, color_system=None)
    console.print(HangingText().line("Guide:").url(url))
    lines = console.export_text().splitlines()
    assert lines[0].strip() == "Guide:"
    assert "".join(line.strip() for line in lines[1:]) == url
    assert lines[1].rstrip().endswith("/") and lines[2].strip() == "imap-smtp", lines
    console = Console(width=80, record=True, color_system=None)
    console.print(HangingText().url(url))
    assert console.export_text().strip() == url  # whole when it fits


def test_a_marked_warning_wraps_under_its_words_not_its_mark():
    """「! 暗号化なし: …」 at 80 columns: the second line starts under 暗, not under the !."""
    from smtp_setup.app.widgets.hanging_text import MarkedLines

    text = ("! 暗号化なし: 通信経路上の誰でもメールとパスワードを読めます。このマシン上のサーバー"
            "か、信頼できるネットワーク内でのみ使ってください。\n✓ 465 を選びました。")
    console = Console(width=40, record=True, color_system=None)
    console.print(MarkedLines(text))
    lines = console.export_text().splitlines()
    assert lines[0].startswith("! 暗号化なし") and len(lines) >= 3
    assert all(line.startswith("  ") and line.strip() for line in lines[1:-1]), lines
    assert lines[-1].startswith("✓ 465") and str(MarkedLines(text)) == text


async def test_the_connection_steps_warnings_and_verdicts_hang_under_their_words(tmp_path):
    from smtp_setup.app.widgets.hanging_text import MarkedLines

    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SMALL) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        await choose_custom_port(app, pilot, 2526, "none")
        warning = app.screen.query_one("#plain-warning")
        assert warning.display and isinstance(warning.content, MarkedLines)
        assert str(warning.content).startswith("! No encryption")
