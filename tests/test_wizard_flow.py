"""The real wizard driven by Pilot, against the in-app sandbox and a real SMTP server."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from contextlib import suppress

import pytest
from smtp_setup.app import build_wizard
from textual.widgets import Button, Checkbox, Input, OptionList, RadioButton
from textual.worker import WorkerCancelled

SIZE = (100, 40)


async def settle(app, pilot) -> None:
    with suppress(WorkerCancelled):
        await app.workers.wait_for_complete()
    await pilot.pause()


def step_id(app) -> str:
    return app.step.step_id


async def set_value(app, pilot, selector: str, value: str) -> None:
    widget = app.screen.query_one(selector, Input)
    widget.value = value
    await pilot.pause()


async def choose_custom_port(app, pilot, port, security: str) -> None:
    """On the Connection step: "Custom port…", then `port` with `security`."""
    ports = app.screen.query_one("#port-list", OptionList)
    ports.highlighted = len(ports.options) - 1  # Custom port…
    await pilot.pause()
    await set_value(app, pilot, "#custom-port", str(port))
    app.screen.query_one("#custom-security").value = security
    await pilot.pause()


def next_enabled(app) -> bool:
    return not app.screen.query_one("#next", Button).disabled


async def choose_provider(app, pilot, text: str) -> None:
    await pilot.pause()
    await pilot.press("enter")  # Welcome: new profile
    assert step_id(app) == "provider"
    await set_value(app, pilot, "#provider-filter", text)
    await pilot.press("ctrl+n")
    assert step_id(app) == "connection"


async def send_and_wait(app, pilot) -> None:
    assert step_id(app) == "test"
    await pilot.pause()
    await pilot.click("#send")
    outcome = app.screen.query_one("#outcome")
    for _ in range(200):  # the send runs in a worker; wait for its outcome (at most ~10 s)
        await settle(app, pilot)
        if outcome.display and not app.step.sending:
            return
        await pilot.pause(0.05)
    raise AssertionError("the test send never finished")


async def test_sandbox_walkthrough_saves_profile(tmp_path):
    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    app.services.sandbox_port = 0  # any free port, so parallel runs never collide
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "sandbox")
        await pilot.press("ctrl+n")
        assert step_id(app) == "credentials"
        assert next_enabled(app), "the sandbox needs no login"
        await pilot.press("ctrl+n")
        assert step_id(app) == "sender"
        assert not next_enabled(app)
        await set_value(app, pilot, "#from-email", "me@example.com")
        assert next_enabled(app)
        await pilot.press("ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        outcome = str(app.screen.query_one("#outcome").content)
        assert "Accepted by the server" in outcome
        received = str(app.screen.query_one("#received").content)
        assert "me@example.com" in received
        used = app.services.extras["sandbox"].port
        await pilot.press("ctrl+n")
        assert step_id(app) == "review"
        await set_value(app, pilot, "#profile-name", "try")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    assert app.return_code == 0
    saved = tomllib.loads(config.read_text())
    profile = saved["profiles"]["try"]
    assert profile["provider"] == "sandbox"
    assert profile["host"] == "127.0.0.1"
    assert profile["port"] == used  # saved is what was tested (here: any free port)
    assert profile["security"] == "none"
    assert profile["from_email"] == "me@example.com"
    assert saved["default_profile"] == "try"
    assert "username" not in profile


async def walk_to_custom_test(app, pilot, server) -> None:
    await choose_provider(app, pilot, "other smtp")
    await set_value(app, pilot, "#host", "127.0.0.1")
    await choose_custom_port(app, pilot, str(server.port), "starttls")
    await set_value(app, pilot, "#ca-file", str(server.ca_file))
    assert next_enabled(app), app.screen.query_one("#nav-status").content
    await pilot.press("ctrl+n")
    assert step_id(app) == "credentials"
    await set_value(app, pilot, "#username", "user")
    await set_value(app, pilot, "#password", "s3cret-Pa55")
    app.screen.query_one("#inline", RadioButton).value = True
    await pilot.pause()
    assert next_enabled(app), app.screen.query_one("#nav-status").content
    await pilot.press("ctrl+n")
    await set_value(app, pilot, "#from-email", "sender@example.test")
    await pilot.press("ctrl+n")


async def test_other_smtp_walkthrough_then_cli_test(tmp_path, smtp_starttls):
    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_custom_test(app, pilot, smtp_starttls)
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True, app.screen.query_one("#outcome").content
        transcript = "\n".join(app.screen.query_one("#transcript").lines)
        assert "STARTTLS" in transcript
        assert "s3cret-Pa55" not in transcript
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#profile-name", "relay")
        preview = str(app.screen.query_one("#toml-preview").content)
        assert "[profiles.relay]" in preview
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    assert app.return_code == 0
    profile = tomllib.loads(config.read_text())["profiles"]["relay"]
    assert (profile["host"], profile["port"], profile["security"]) == (
        "127.0.0.1", smtp_starttls.port, "starttls")
    assert profile["username"] == "user"
    assert profile["ca_file"] == str(smtp_starttls.ca_file)
    assert len(smtp_starttls.messages) == 1

    # The saved profile works from a script too, with the same outcome.
    run = subprocess.run(
        [sys.executable, "-m", "smtp_setup", "--config", str(config), "test", "relay", "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["ok"] is True
    assert len(smtp_starttls.messages) == 2


async def test_wrong_password_shows_diagnosis_and_back_buttons(tmp_path, smtp_starttls):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_custom_test(app, pilot, smtp_starttls)
        await pilot.press("ctrl+b", "ctrl+b")
        assert step_id(app) == "credentials"
        assert app.screen.query_one("#username", Input).value == "user"  # Back keeps values
        await set_value(app, pilot, "#password", "Wr0ng-Zq9-pw")
        await pilot.press("ctrl+n", "ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is False
        outcome = str(app.screen.query_one("#outcome").content)
        assert "✗" in outcome and "Wr0ng-Zq9-pw" not in outcome
        assert "Wr0ng-Zq9-pw" not in "\n".join(app.screen.query_one("#transcript").lines)
        assert app.screen.query_one("#fix-buttons").display
        assert str(app.screen.query_one("#next", Button).label) == "Skip test"
        app.screen.query_one("#goto-credentials", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert step_id(app) == "credentials"


async def test_invalid_fields_block_next(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "smtp..example.com")
        assert not next_enabled(app)
        message = str(app.screen.query_one("#host-field .field-message").content)
        assert "not a valid host name" in message
        await pilot.press("ctrl+n")
        assert step_id(app) == "connection"
        await set_value(app, pilot, "#host", "smtp.example.com")
        assert next_enabled(app)


async def test_plain_with_password_needs_confirmation(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "relay.example.com")
        ports = app.screen.query_one("#port-list", OptionList)
        none_index = next(
            i for i, o in enumerate(app.step._port_options()) if o.security.value == "none"
        )
        ports.highlighted = none_index
        await pilot.pause()
        assert not next_enabled(app)
        app.screen.query_one("#plain-ok", Checkbox).value = True
        await pilot.pause()
        assert next_enabled(app)


@pytest.mark.parametrize("existing", [False, True])
async def test_escape_leaves_config_untouched(tmp_path, existing):
    config = tmp_path / "config.toml"
    if existing:
        config.write_text('format = 1\n\n[profiles.a]\nhost = "smtp.example.com"\n'
                          'from_email = "a@example.com"\n')
    before = config.read_bytes() if existing else None
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "sendgrid")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_code == 130
    assert (config.read_bytes() if existing else config.exists()) == (before if existing else False)


async def test_edit_prefills_every_step(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'format = 1\ndefault_profile = "work"\n\n[profiles.work]\nprovider = "sendgrid"\n'
        'host = "smtp.sendgrid.net"\nport = 2525\nsecurity = "starttls"\nusername = "apikey"\n'
        'password = { env = "SG_KEY" }\nfrom_email = "alerts@example.com"\n'
        'from_name = "Alerts"\nfuture_key = "kept"\n'
    )
    app = build_wizard(config_path=config, edit="work")
    async with app.run_test(size=SIZE) as pilot:
        assert step_id(app) == "provider"
        assert app.step.selected_id == "sendgrid"
        await pilot.press("ctrl+n")
        assert app.step._chosen() == (2525, app.draft.profile.security)
        await pilot.press("ctrl+n")
        assert app.screen.query_one("#username", Input).value == "apikey"
        assert app.screen.query_one("#username", Input).disabled  # literal user is locked
        assert app.screen.query_one("#env-name", Input).value == "SG_KEY"
        await pilot.press("ctrl+n")
        assert app.screen.query_one("#from-name", Input).value == "Alerts"
        await pilot.press("ctrl+n", "ctrl+n")
        assert step_id(app) == "review"
        assert app.screen.query_one("#profile-name", Input).value == "work"
        preview = str(app.screen.query_one("#toml-preview").content)
        assert 'env = "SG_KEY"' in preview and "future_key" in preview


async def test_try_suggested_settings_fixes_the_send(tmp_path, smtp_implicit_tls):
    """STARTTLS chosen for an implicit-TLS port: the diagnosis offers TLS, one press fixes it."""
    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        ports = app.screen.query_one("#port-list", OptionList)
        ports.highlighted = len(ports.options) - 1
        await pilot.pause()
        await set_value(app, pilot, "#custom-port", str(smtp_implicit_tls.port))
        app.screen.query_one("#custom-security").value = "starttls"  # the mistake
        await set_value(app, pilot, "#ca-file", str(smtp_implicit_tls.ca_file))
        # margin on a busy machine: the greeting's wait, then the TLS hello that proves
        # the port speaks TLS, must both fit in the limit
        await set_value(app, pilot, "#timeout", "8")
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#username", "user")
        await set_value(app, pilot, "#password", "s3cret-Pa55")
        app.screen.query_one("#inline", RadioButton).value = True
        await pilot.pause()
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#from-email", "sender@example.test")
        await pilot.press("ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is False
        try_button = app.screen.query_one("#try-suggestion", Button)
        diagnosis = app.step.diagnosis
        assert try_button.display, (diagnosis.code, diagnosis.suggestion, diagnosis.explanation,
                                    app.step.suggestion) if diagnosis else None
        assert "tls" in str(try_button.label).lower()
        try_button.focus()
        await pilot.press("enter")
        outcome = app.screen.query_one("#outcome")
        for _ in range(200):
            await settle(app, pilot)
            if app.draft.test_ok is not None and not app.step.sending:
                break
            await pilot.pause(0.05)
        assert app.draft.test_ok is True, outcome.content
        assert app.draft.profile.security.value == "tls"
        assert len(smtp_implicit_tls.messages) == 1
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#profile-name", "fixed")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    saved = tomllib.loads(config.read_text())["profiles"]["fixed"]
    assert (saved["port"], saved["security"]) == (smtp_implicit_tls.port, "tls")


async def test_password_goes_to_the_keyring_and_the_cli_reads_it(tmp_path, smtp_starttls,
                                                                  test_keyring):
    from support.cli import cli_env

    config = tmp_path / "config.toml"
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # the keyring check runs in a worker after the first frame
        assert app.services.keyring[0] is True
        await walk_to_custom_test(app, pilot, smtp_starttls)
        await pilot.press("ctrl+b", "ctrl+b")
        assert step_id(app) == "credentials"
        app.screen.query_one("#keyring", RadioButton).value = True
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#profile-name", "vault")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    assert app.return_code == 0
    text = config.read_text()
    assert 'password = { keyring = "smtp-setup/vault" }' in text
    assert "s3cret-Pa55" not in text
    assert test_keyring.get_password("smtp-setup", "vault") == "s3cret-Pa55"
    run = subprocess.run(
        [sys.executable, "-m", "smtp_setup", "--config", str(config), "test", "vault", "--json"],
        capture_output=True, text=True, timeout=60, env=cli_env(),
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["ok"] is True


async def test_edit_shows_what_changes_before_saving(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'format = 1\n\n[profiles.work]\nprovider = "sendgrid"\nhost = "smtp.sendgrid.net"\n'
        'port = 2525\nsecurity = "starttls"\nusername = "apikey"\n'
        'password = "Old-Inline-S3cret"\nfrom_email = "alerts@example.com"\n'
    )
    app = build_wizard(config_path=config, edit="work")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert step_id(app) == "connection"
        app.screen.query_one("#port-list").choose(465, app.draft.profile.security.TLS)
        await pilot.pause()
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#password", "New-Inline-S3cret")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        assert step_id(app) == "review"
        changes = str(app.screen.query_one("#changes").content)
        assert "Port: 2525 → 465" in changes
        assert "Encryption: STARTTLS → Implicit TLS (SSL)" in changes
        assert "Password: unchanged → changed" in changes
        assert "S3cret" not in changes
        preview = str(app.screen.query_one("#toml-preview").content)
        assert "S3cret" not in preview and 'password = "********"' in preview
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    saved = tomllib.loads(config.read_text())["profiles"]["work"]
    assert (saved["port"], saved["security"], saved["password"]) == (465, "tls", "New-Inline-S3cret")


async def test_debug_writes_a_redacted_log_of_the_test_send(tmp_path, smtp_starttls, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # platformdirs' log folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    app = build_wizard(config_path=tmp_path / "config.toml", debug=True)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_custom_test(app, pilot, smtp_starttls)
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        notes = [str(n.message) for n in app._notifications]
    logs = list(tmp_path.rglob("test-*.log"))
    assert len(logs) == 1, notes
    assert any(str(logs[0]) in note for note in notes)
    text = logs[0].read_text()
    assert "AUTH PLAIN ********" in text and "s3cret-Pa55" not in text
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"


async def test_domain_check_table_after_an_accepted_send(tmp_path, smtp_starttls, dns_server):
    """As WP Mail SMTP does, but over DNS in the open: the From domain's records, judged."""
    from domain_zones import GOOD, good_zones

    dns = dns_server(good_zones())
    app = build_wizard(config_path=tmp_path / "config.toml", nameserver=dns.address)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_custom_test(app, pilot, smtp_starttls)
        await pilot.press("ctrl+b")
        await set_value(app, pilot, "#from-email", f"alerts@{GOOD}")
        await pilot.press("ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True
        await settle(app, pilot)
        table = app.screen.query_one("#domain-check")
        assert table.display
        rendered = table.content
        assert rendered.title == f"Can receivers trust mail from {GOOD}?"
        checks = [str(cell) for cell in rendered.columns[1].cells]
        marks = [str(cell) for cell in rendered.columns[0].cells]
        assert checks == ["MX", "SPF", "DKIM", "DMARC"]
        assert set(marks) <= {"✓", "!", "i"}
    assert any(name.startswith("_dmarc.") for name in dns.queries)


async def discover_in_dialog(app, pilot, address: str) -> None:
    """From the Welcome step: New profile, "Find from my address…", `address`, Enter, and
    wait for the suggestions (not settle(): the Provider step's worker waits on the dialog)."""
    await pilot.pause()
    await pilot.press("enter")
    app.screen.query_one("#discover", Button).focus()
    await pilot.press("enter")
    await pilot.pause()
    app.screen.query_one("#discover-address", Input).value = address
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.05)
        if app.screen.query_one("#discover-results").display:
            return


async def test_find_settings_from_an_address(tmp_path, dns_server):
    dns = dns_server({})  # every name: no such domain; the catalog still knows gmail.com
    app = build_wizard(config_path=tmp_path / "config.toml", nameserver=dns.address)
    app.services.discovery_options = {"timeout": 3.0, "probe": False}
    async with app.run_test(size=SIZE) as pilot:
        await discover_in_dialog(app, pilot, "ada@gmail.com")
        sources = str(app.screen.query_one("#discover-sources").content)
        assert "catalog" in sources.lower()
        await pilot.press("enter")  # use the best suggestion
        await settle(app, pilot)  # the dialog has closed, so its worker can finish
        assert step_id(app) == "connection"
        assert app.draft.provider_id == "gmail"
        assert app.draft.profile.username == "ada@gmail.com"
        assert app.draft.profile.from_email == "ada@gmail.com"
    assert dns.queries, "DNS questions went to the test server"


async def test_enter_on_custom_port_goes_to_the_port_field(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        ports = app.screen.query_one("#port-list", OptionList)
        ports.focus()
        ports.highlighted = len(ports.options) - 1  # Custom port…
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause()
        assert step_id(app) == "connection"
        assert app.focused is app.screen.query_one("#custom-port", Input)
        await pilot.press(*"2525", "enter")
        await settle(app, pilot)
        assert step_id(app) == "credentials"
