"""The wizard's "Check which ports work", driven by Pilot against real servers on loopback.

The Other SMTP server's choices (465, 587, 2525, 25) are moved to ports each test chose:
the machine running the tests may have a real mail server on the well-known ports.
"""

from __future__ import annotations

import io
import socket
from contextlib import contextmanager

import pytest
from rich.console import Console
from smtp_fixtures import reserved_ports
from smtp_setup.app import build_wizard
from smtp_setup.core.profiles.model import Security
from test_wizard_flow import SIZE, choose_provider, send_and_wait, set_value, settle
from textual.widgets import Button, Checkbox, Collapsible
from wizard_driver import move_ports

WELL_KNOWN = (465, 587, 2525, 25)


async def check_ports(app, pilot) -> str:
    app.screen.query_one("#check-ports", Button).focus()
    await pilot.press("enter")
    await settle(app, pilot)
    return str(app.screen.query_one("#probe-summary").content)


def row_text(app, port: int, security: str) -> str:
    """The row of that choice as drawn, on one line (wide enough that nothing wraps)."""
    choices = app.screen.query_one("#port-list")
    index = next(i for i, c in enumerate(choices.choices)
                 if (c.port, c.security.value) == (port, security))
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(choices.get_option(f"port-{index}").prompt)
    return " ".join(console.export_text().split())


async def test_check_which_ports_work_marks_choices_and_preselects(tmp_path, smtp_implicit_tls):
    app = build_wizard(config_path=tmp_path / "config.toml")
    with reserved_ports(len(WELL_KNOWN)) as closed:
        move_ports(app, "custom", dict(zip(WELL_KNOWN, closed, strict=True)))
        async with app.run_test(size=SIZE) as pilot:
            await choose_provider(app, pilot, "other smtp")
            await set_value(app, pilot, "#host", "127.0.0.1")
            await set_value(app, pilot, "#ca-file", str(smtp_implicit_tls.ca_file))
            ports = app.screen.query_one("#port-list")
            ports.highlighted = len(ports.options) - 1  # custom: the test server's own port
            await pilot.pause()
            await set_value(app, pilot, "#custom-port", str(smtp_implicit_tls.port))
            app.screen.query_one("#custom-security").value = "tls"
            await pilot.pause()
            ports.highlighted = 0  # the person was looking at 465 when they asked for the check
            await pilot.pause()
            summary = await check_ports(app, pilot)
            # Every listed port is held closed for this test and marked so.
            assert {r.status for r in ports.results.values()} >= {"refused"}
            assert all((c.port, c.security) in ports.results for c in ports.choices)
            assert summary.startswith("✓ Chose"), summary
            assert str(smtp_implicit_tls.port) in summary
            assert app.step._chosen() == (smtp_implicit_tls.port, app.step._chosen()[1])
            assert app.step._chosen()[1].value == "tls"
            # the focus waits in the list of answers (Tab from nowhere went to the host,
            # whose Enter left the step)
            assert app.focused is ports


async def test_a_certificate_failure_never_makes_a_plain_port_the_choice(
        tmp_path, smtp_server_factory):
    """465, 587 and 2525 answer with certificates this computer does not trust (no CA file
    given); 25 works, without encryption and without login. The check keeps encryption,
    says why in each row and names the field that fixes it; with the CA file it chooses 465."""
    tls = smtp_server_factory("tls")
    starttls = smtp_server_factory("starttls")
    alternate = smtp_server_factory("starttls")
    relay = smtp_server_factory("plain", auth=False)
    app = build_wizard(config_path=tmp_path / "config.toml")
    move_ports(app, "custom", {465: tls.port, 587: starttls.port, 2525: alternate.port,
                               25: relay.port})
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", "127.0.0.1")
        summary = await check_ports(app, pilot)

        assert summary.startswith(f"! Kept {tls.port} (Implicit TLS"), summary
        assert "certificate is not trusted" in summary
        assert "“Extra trusted CA file” under Advanced" in summary
        assert app.step._chosen()[1].value == "tls"
        assert not app.screen.query_one("#advanced", Collapsible).collapsed
        for port, security in ((tls.port, "tls"), (starttls.port, "starttls"),
                               (alternate.port, "starttls")):
            row = row_text(app, port, security)
            assert "! answers, but its certificate is not trusted" in row, row
            assert "“Extra trusted CA file” under Advanced" in row, row
        assert "works from this network" in row_text(app, relay.port, "none")

        await set_value(app, pilot, "#ca-file", str(tls.ca_file))
        summary = await check_ports(app, pilot)
        assert summary.startswith(f"✓ Chose {tls.port} (Implicit TLS"), summary
        assert app.step._chosen() == (tls.port, app.step._chosen()[1])


@contextmanager
def held_closed(port: int):
    """Hold 127.0.0.1:`port` bound but not listening (refused), or skip when it cannot be."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        pytest.skip(f"port {port} cannot be held closed here: {exc}")
    try:
        yield port
    finally:
        sock.close()


async def test_advice_after_a_failed_test_never_offers_a_port_the_check_found_refused(
        tmp_path, smtp_server_factory):
    """A plain port with a login: "the server does not offer login" would suggest 587 with
    STARTTLS, which the port check has just found refused. The Try button does not offer it."""
    relay = smtp_server_factory("plain", auth=False)
    app = build_wizard(config_path=tmp_path / "config.toml")
    with reserved_ports(2) as closed, held_closed(587):
        move_ports(app, "custom", {465: closed[0], 587: 587, 2525: closed[1], 25: relay.port})
        async with app.run_test(size=SIZE) as pilot:
            await choose_provider(app, pilot, "other smtp")
            await set_value(app, pilot, "#host", "127.0.0.1")
            await check_ports(app, pilot)
            assert app.step.query_one("#port-list").results[(587, Security.STARTTLS)].status == (
                "refused")
            assert app.step._chosen() == (relay.port, Security.NONE)
            app.screen.query_one("#plain-ok", Checkbox).value = True
            await pilot.pause()
            await pilot.press("ctrl+n")
            await pilot.pause()
            await set_value(app, pilot, "#username", "user")
            await set_value(app, pilot, "#password", "secret")
            await pilot.press("ctrl+n")
            await pilot.pause()
            await set_value(app, pilot, "#from-email", "me@example.com")
            await pilot.press("ctrl+n")
            await pilot.pause()
            await send_and_wait(app, pilot)
            assert app.step.diagnosis.code == "auth_not_offered"
            assert app.step.diagnosis.suggestion == {"port": 587, "security": "starttls"}
            assert app.step.suggestion is None
            assert not app.screen.query_one("#try-suggestion", Button).display


async def test_the_check_says_each_thing_once_and_forgets_its_verdict_on_a_new_setting(
        tmp_path, smtp_server_factory):
    """A refused row says "refused" once; "no port worked" is said once, and the sentence
    about a login on a plain port only when the profile logs in. The summary goes when the
    host or the port it is about changes."""
    plain = smtp_server_factory("plain", auth=False)  # on the STARTTLS choice: no STARTTLS
    app = build_wizard(config_path=tmp_path / "config.toml")
    with reserved_ports(3) as closed:
        move_ports(app, "custom", {465: closed[0], 587: plain.port, 2525: closed[1],
                                   25: closed[2]})
        async with app.run_test(size=SIZE) as pilot:
            await choose_provider(app, pilot, "other smtp")
            await set_value(app, pilot, "#host", "127.0.0.1")
            summary = await check_ports(app, pilot)
            refused = row_text(app, closed[0], "tls")
            assert refused.endswith("✗ refused: nothing listens on this port"), refused
            assert refused.count("refused") == 1, refused
            assert summary.count("o port worked") == 1, summary
            assert summary.count("never recommended for a login") == 1, summary

            await set_value(app, pilot, "#host", "localhost")  # another host: verdict goes
            assert not app.screen.query_one("#probe-summary").display
            await set_value(app, pilot, "#host", "127.0.0.1")
            await check_ports(app, pilot)
            assert app.screen.query_one("#probe-summary").display
            ports = app.screen.query_one("#port-list")
            ports.highlighted = (ports.highlighted + 1) % len(ports.options)  # another port
            await pilot.pause()
            assert not app.screen.query_one("#probe-summary").display

            await pilot.press("ctrl+n")  # the Login step: this server needs no login
            await pilot.pause()
            await pilot.click("#use-auth")
            await pilot.pause()
            await pilot.press("ctrl+b")
            await pilot.pause()
            summary = await check_ports(app, pilot)
            assert "No port worked" in summary, summary
            assert "login" not in summary, summary
