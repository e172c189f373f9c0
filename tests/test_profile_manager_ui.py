"""The Welcome step's profile manager, driven by Pilot on real config files."""

from __future__ import annotations

import tomllib
from contextlib import suppress

from smtp_setup.app import build_wizard
from textual.widgets import Button, Input, OptionList, Select
from textual.worker import WorkerCancelled

SIZE = (100, 40)
CONFIG = """format = 1
default_profile = "work"

[profiles.work]
provider = "sendgrid"
host = "smtp.sendgrid.net"
port = 587
security = "starttls"
username = "apikey"
password = { env = "SG_KEY" }
from_email = "alerts@example.com"

[profiles.home]
provider = "fastmail"
host = "smtp.fastmail.com"
port = 465
security = "tls"
username = "me@example.com"
password = "Inline-Pa55-word"
from_email = "me@example.com"
"""


async def settle(app, pilot):
    for _ in range(3):
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


async def highlight(app, pilot, name: str) -> None:
    choice = app.screen.query_one("#start-choice", OptionList)
    choice.highlighted = next(i for i, o in enumerate(choice.options) if o.id == f"edit:{name}")
    await pilot.pause()


async def press(app, pilot, selector: str) -> None:
    """Activate a button by keyboard, as a person tabbing to it would."""
    app.screen.query_one(selector, Button).focus()
    await pilot.press("enter")
    await pilot.pause()


def saved(path):
    return tomllib.loads(path.read_text())


async def test_make_default_rename_and_delete(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await highlight(app, pilot, "home")
        await press(app, pilot, "#make-default")
        await settle(app, pilot)
        assert saved(config)["default_profile"] == "home"

        await highlight(app, pilot, "home")
        await press(app, pilot, "#rename")
        app.screen.query_one("#ask-input", Input).value = "work"  # taken: refused in place
        await pilot.press("enter")
        await pilot.pause()
        assert "exists already" in str(app.screen.query_one("#ask-error").content)
        app.screen.query_one("#ask-input", Input).value = "personal"
        await pilot.press("enter")
        await settle(app, pilot)
        data = saved(config)
        assert set(data["profiles"]) == {"work", "personal"}
        assert data["default_profile"] == "personal"

        await highlight(app, pilot, "work")
        await press(app, pilot, "#delete")
        await press(app, pilot, "#no")  # cancel first: nothing happens
        await settle(app, pilot)
        assert "work" in saved(config)["profiles"]
        await press(app, pilot, "#delete")
        await press(app, pilot, "#yes")
        await settle(app, pilot)
        assert set(saved(config)["profiles"]) == {"personal"}
        labels = [str(o.prompt) for o in app.screen.query_one("#start-choice").options]
        assert not any("work" in label for label in labels)


async def test_leaving_after_a_rename_says_the_rename_is_saved(tmp_path):
    """Esc after a rename on the first screen: neither the question nor the last line may
    say that nothing was changed, because the rename is written."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await highlight(app, pilot, "home")
        await press(app, pilot, "#rename")
        app.screen.query_one("#ask-input", Input).value = "personal"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        question = " ".join(str(s.content) for s in app.screen.query("Static"))
        assert "no changes were made" not in question and "without saving" not in question
        assert "Leave the setup?" in question
        assert "already saved" in question and "Renamed home to personal." in question
        await press(app, pilot, "#yes")
        await settle(app, pilot)
    assert app.return_code == 130
    assert app.farewell == "Setup closed. Saved before that: Renamed home to personal."
    assert set(saved(config)["profiles"]) == {"work", "personal"}


async def test_a_change_on_disk_is_refused_not_merged(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    app = build_wizard(config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        changed = CONFIG.replace('from_email = "me@example.com"', 'from_email = "x@example.com"')
        config.write_text(changed)  # another editor saves behind the wizard's back
        await highlight(app, pilot, "home")
        await press(app, pilot, "#make-default")
        await settle(app, pilot)
        assert config.read_text() == changed
        notes = [str(n.message) for n in app._notifications]
        assert any("changed on disk" in note for note in notes), notes


async def test_export_then_import_on_another_machine(tmp_path):
    here, there = tmp_path / "here.toml", tmp_path / "there" / "config.toml"
    here.write_text(CONFIG)
    exported = tmp_path / "home.smtp-setup.toml"
    app = build_wizard(config_path=here)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await highlight(app, pilot, "home")
        await press(app, pilot, "#export")
        fmt = app.screen.query_one("#export-format", Select)
        fmt.value = "msmtp"
        await pilot.pause()
        assert "account home" in str(app.screen.query_one("#export-text").content)
        fmt.value = "toml"
        await pilot.pause()
        preview = str(app.screen.query_one("#export-text").content)
        assert "Inline-Pa55-word" not in preview
        app.screen.query_one("#export-path", Input).value = str(exported)
        await press(app, pilot, "#save")
        await settle(app, pilot)
    assert oct(exported.stat().st_mode & 0o777) == "0o600"
    assert "Inline-Pa55-word" not in exported.read_text()

    app = build_wizard(config_path=there)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await press(app, pilot, "#import")
        app.screen.query_one("#ask-input", Input).value = str(exported)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.step.step_id == "provider"
        assert app.step.selected_id == "fastmail"
        await pilot.press("ctrl+n", "ctrl+n")
        assert app.step.step_id == "credentials"
        assert app.screen.query_one("#username", Input).value == "me@example.com"
        assert app.screen.query_one("#next", Button).disabled  # the password stayed behind
        app.screen.query_one("#password", Input).value = "New-Machine-Pa55"
        app.screen.query_one("#inline").value = True
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        assert app.step.step_id == "review"
        assert app.screen.query_one("#profile-name", Input).value == "home"
        await pilot.press("ctrl+n")
        await settle(app, pilot)
    profile = saved(there)["profiles"]["home"]
    assert (profile["host"], profile["port"], profile["security"]) == (
        "smtp.fastmail.com", 465, "tls")
    assert profile["password"] == "New-Machine-Pa55"


async def test_check_domain_from_the_manager(tmp_path, dns_server):
    from domain_zones import GOOD, good_zones

    dns = dns_server(good_zones())
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace("alerts@example.com", f"alerts@{GOOD}"))
    app = build_wizard(config_path=config, nameserver=dns.address)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await highlight(app, pilot, "work")
        await press(app, pilot, "#check-domain")
        await settle(app, pilot)
        table = app.screen.query_one("#domain-check")
        assert [str(c) for c in table.content.columns[1].cells] == ["MX", "SPF", "DKIM", "DMARC"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#start-choice")


async def test_the_export_dialog_lists_every_format_with_its_file(tmp_path):
    from smtp_setup.core.exports.formats import FORMAT_FILES

    here = tmp_path / "here.toml"
    here.write_text(CONFIG)
    app = build_wizard(config_path=here)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await highlight(app, pilot, "home")
        await press(app, pilot, "#export")
        fmt = app.screen.query_one("#export-format", Select)
        labels = {value: str(prompt) for prompt, value in fmt._options}
        for name, file in FORMAT_FILES.items():
            assert labels[name].startswith(f"{name} → {file}: ")
        fmt.value = "laravel"
        await pilot.pause()
        assert "MAIL_SCHEME=" in str(app.screen.query_one("#export-text").content)
