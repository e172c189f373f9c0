"""After a failed test (issue 9, point 14): the way back leads to the field most likely
wrong, a stale result goes as soon as a setting changes, the fix speaks plain words, and
the diagnosis says how long it waited and names fields as the screen does."""

from __future__ import annotations

import re

from smtp_fixtures import fake_smtp_server, silent_session
from smtp_setup.app import build_wizard
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.smtp.diagnosis_text import suggestion_words
from smtp_setup.core.smtp.session import send_test_message
from test_wizard_flow import (
    SIZE,
    choose_custom_port,
    choose_provider,
    send_and_wait,
    set_value,
    settle,
    step_id,
)
from textual.widgets import Button, Collapsible, Input, RadioButton


async def walk_to_test(app, pilot, server, *, security: str, ca_file: bool = True) -> None:
    """Other SMTP server at `server`, logging in as user / s3cret-Pa55, to the Test step."""
    await choose_provider(app, pilot, "other smtp")
    await set_value(app, pilot, "#host", "127.0.0.1")
    await choose_custom_port(app, pilot, str(server.port), security)
    if ca_file:
        await set_value(app, pilot, "#ca-file", str(server.ca_file))
    await set_value(app, pilot, "#timeout", "4")  # margin on a busy machine
    await pilot.press("ctrl+n")
    assert step_id(app) == "credentials"
    await set_value(app, pilot, "#username", "user")
    await set_value(app, pilot, "#password", "s3cret-Pa55")
    app.screen.query_one("#inline", RadioButton).value = True
    await pilot.pause()
    await pilot.press("ctrl+n")
    await set_value(app, pilot, "#from-email", "sender@example.test")
    await pilot.press("ctrl+n")
    assert step_id(app) == "test"


async def press_button(app, pilot, selector: str) -> None:
    app.screen.query_one(selector, Button).focus()
    await pilot.press("enter")
    await settle(app, pilot)
    await pilot.pause()


async def test_after_a_535_back_to_login_focuses_the_password(tmp_path, smtp_server_factory):
    server = smtp_server_factory("starttls", password="An0ther-pw")  # ours is refused: 535
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_test(app, pilot, server, security="starttls")
        await send_and_wait(app, pilot)
        assert "rejected the username or password" in str(
            app.screen.query_one("#outcome").content)
        await press_button(app, pilot, "#goto-credentials")
        assert step_id(app) == "credentials"
        assert app.focused is app.screen.query_one("#password", Input)


async def test_a_stale_failure_clears_when_a_setting_changes(tmp_path, smtp_server_factory):
    server = smtp_server_factory("starttls", password="An0ther-pw")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_test(app, pilot, server, security="starttls")
        await send_and_wait(app, pilot)
        outcome = app.screen.query_one("#outcome")
        assert outcome.display and "✗" in str(outcome.content)
        await pilot.press("ctrl+b", "ctrl+n")  # there and back, nothing changed: it stays
        await pilot.pause()
        assert step_id(app) == "test" and outcome.display and app.draft.test_ok is False
        await press_button(app, pilot, "#goto-credentials")
        await pilot.press("ctrl+u", *"An0ther-pw")  # the password the server wants
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        assert step_id(app) == "test"
        assert not outcome.display, outcome.content
        assert not app.screen.query_one("#fix-buttons").display
        assert app.draft.test_ok is None
        assert str(app.screen.query_one("#next", Button).label) == "Skip test"


async def test_the_fix_button_speaks_plain_words(tmp_path, smtp_implicit_tls):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_test(app, pilot, smtp_implicit_tls, security="starttls")  # the mistake
        await send_and_wait(app, pilot)
        button = app.screen.query_one("#try-suggestion", Button)
        assert button.display, app.screen.query_one("#outcome").content
        assert str(button.label) == f"Try port {smtp_implicit_tls.port} with implicit TLS"


def test_suggestion_words():
    assert suggestion_words({"port": 465, "security": "tls"}) == "Try port 465 with implicit TLS"
    assert suggestion_words({"port": 587, "security": "starttls"}) == (
        "Try port 587 with STARTTLS")
    assert suggestion_words({"security": "none"}) == "Try without encryption"
    assert suggestion_words({"host": "smtp.example.com"}) == "Try the server smtp.example.com"


async def test_untrusted_certificate_advice_names_the_field_and_opens_advanced(
        tmp_path, smtp_starttls):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_test(app, pilot, smtp_starttls, security="starttls", ca_file=False)
        await send_and_wait(app, pilot)
        outcome = str(app.screen.query_one("#outcome").content)
        assert "certificate is not trusted" in outcome
        assert "Extra trusted CA file, under Advanced" in outcome
        label = str(app.screen.query_one("#ca-field .field-label").content)
        assert label.startswith("Extra trusted CA file")  # the words the advice uses
        await press_button(app, pilot, "#goto-connection")
        assert step_id(app) == "connection"
        assert not app.screen.query_one("#advanced", Collapsible).collapsed
        assert app.focused is app.screen.query_one("#ca-file", Input)


async def test_a_greeting_timeout_says_how_long_it_waited():
    async with fake_smtp_server(silent_session) as port:
        profile = Profile(name="silent", host="127.0.0.1", port=port, security=Security.NONE,
                          from_email="me@example.com", timeout=3.0)
        result = await send_test_message(profile, None)
    assert result.diagnosis.code == "greeting_timeout", result.diagnosis
    waited = re.search(r"no greeting came in ([\d.]+) s of waiting", result.diagnosis.explanation)
    assert waited, result.diagnosis.explanation
    assert 2.0 <= float(waited.group(1)) <= 3.0  # the greeting's share of the 3 s limit
    greeting = next(stage for stage in result.stages if stage.name == "greeting")
    assert greeting.ms >= 2000  # the stage list shows the wait too, not 0 ms



async def test_a_refused_port_points_to_the_wizards_own_port_check(tmp_path):
    """The command line's advice (`smtp-setup probe HOST`) becomes the wizard's button."""
    from types import SimpleNamespace

    from smtp_fixtures import reserved_ports

    app = build_wizard(config_path=tmp_path / "config.toml")
    with reserved_ports(1) as (closed,):
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_test(app, pilot, SimpleNamespace(port=closed), security="starttls",
                               ca_file=False)
            await send_and_wait(app, pilot)
            outcome = str(app.screen.query_one("#outcome").content)
            await pilot.press("ctrl+n")  # "Skip test": on to Save, saying the test failed
            await settle(app, pilot)
            notices = list(app._notifications)  # none would cover the Save summary
            summary = str(app.screen.query_one("#summary").content)
    assert not notices, [n.message for n in notices]
    assert "the last test failed" in summary and "not tested" not in summary, summary
    assert "smtp-setup probe" not in outcome and "refused the connection" in outcome, outcome
    assert "press “Check which ports work”" in outcome, outcome
    assert step_id(app) == "review"
