"""`--nameserver` answers every name: the SMTP server that `probe`, `test`, `doctor`, the
wizard and discovery connect to is looked up there (A and AAAA), never in the system
resolver, and TLS still checks the certificate against the host NAME.

The loopback DNS server's SRV record names mail.srv.example.test, whose A record is
127.0.0.1, where an aiosmtpd with a certificate for that name listens. The CLI runs with a
tripwire (sitecustomize) that fails any host name handed to the system resolver.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from domain_zones import GOOD, good_zones
from smtp_fixtures import PASSWORD
from smtp_setup.app import build_wizard
from smtp_setup.core.discovery.search import discover
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.session import send_test_message
from support.cli import run
from test_discovery import no_system_resolver  # noqa: F401 (autouse: the in-process tripwire)
from test_wizard_flow import (
    SIZE,
    choose_provider,
    next_enabled,
    send_and_wait,
    set_value,
    settle,
)
from textual.widgets import OptionList, RadioButton

HOST = "mail.srv.example.test"
TRIPWIRE = Path(__file__).parent / "support" / "resolver_tripwire"


@pytest.fixture
def reserved_port():
    """A port that is bound and held, never listening: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def named_server(smtp_server_factory, smtp_ca):
    """Implicit TLS on loopback with a certificate for HOST only (not for 127.0.0.1)."""
    return smtp_server_factory("tls", cert=smtp_ca.issue_cert(HOST))


@pytest.fixture
def zones(named_server, reserved_port):
    return {
        **good_zones(),
        "_submissions._tcp.srv.example.test": {"SRV": [f"0 1 {named_server.port} {HOST}."]},
        "_submission._tcp.srv.example.test": {"SRV": [f"0 1 {reserved_port} {HOST}."]},
        HOST: {"A": ["127.0.0.1"]},
        "srv.example.test": {"A": ["127.0.0.1"]},
    }


def cli(*args: str, dns) -> object:
    """The CLI with --nameserver and the tripwire: a host name given to getaddrinfo fails."""
    path = os.pathsep.join(filter(None, [str(TRIPWIRE), os.environ.get("PYTHONPATH")]))
    return run(*args, "--nameserver", dns.address, env={"PYTHONPATH": path})


def save(config: Path, server, **overrides) -> None:
    ConfigStore(config).save_profile(server.profile(
        name="lab", host=HOST, from_email=f"alerts@{GOOD}", **overrides))


async def test_discovery_rates_only_answering_ports_high(dns_server, named_server, smtp_ca_file,
                                                        reserved_port, zones):
    dns = dns_server(zones)
    report = await discover("alice@srv.example.test", nameserver=dns.address, timeout=4,
                            https_port=1, guess_ports=[], ca_file=smtp_ca_file)
    got = {(s.port, s.security): s for s in report.suggestions if s.host == HOST}
    answered = got[(named_server.port, Security.TLS)]
    assert (answered.confidence, answered.note) == ("high", "")
    silent = got[(reserved_port, Security.STARTTLS)]
    assert silent.confidence == "medium"
    assert f"Port {reserved_port} did not work from here" in silent.note
    assert report.best is answered


async def test_discovery_names_the_nameserver_for_an_unknown_host(dns_server, named_server):
    dns = dns_server({"_submissions._tcp.srv.example.test": {
        "SRV": [f"0 1 {named_server.port} gone.srv.example.test."]}})
    report = await discover("alice@srv.example.test", nameserver=dns.address, timeout=4,
                            https_port=1, guess_ports=[])
    only = report.best
    assert (only.host, only.confidence) == ("gone.srv.example.test", "medium")
    assert f"the DNS server {dns.address} given with --nameserver has no address for " \
           "gone.srv.example.test" in only.note


def test_cli_probe_with_nameserver(dns_server, named_server, smtp_ca_file, zones):
    dns = dns_server(zones)
    proc = cli("probe", HOST, "--ports", f"{named_server.port}/tls", "--ca-file",
               smtp_ca_file, "--json", dns=dns)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)["results"][0]
    assert result["status"] == "usable" and result["certificate_ok"] is True
    assert HOST in dns.queries


def test_cli_test_with_nameserver(_isolated_config, dns_server, named_server, zones):
    dns = dns_server(zones)
    save(_isolated_config, named_server)
    proc = cli("test", "lab", "--json", dns=dns)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True and PASSWORD not in proc.stdout
    assert len(named_server.messages) == 1


def test_cli_doctor_with_nameserver(_isolated_config, dns_server, named_server, zones):
    dns = dns_server(zones)
    save(_isolated_config, named_server)
    proc = cli("doctor", "lab", "--json", dns=dns)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True, data["problems"]
    assert data["own_port"]["status"] == "usable" and data["send"]["ok"] is True


def test_a_name_the_nameserver_does_not_know(_isolated_config, dns_server, named_server):
    dns = dns_server({})
    save(_isolated_config, named_server)
    proc = cli("test", "lab", "--json", dns=dns)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    diagnosis = json.loads(proc.stdout)["diagnosis"]
    assert diagnosis["code"] == "dns_not_found"
    assert (f"The name {HOST} could not be turned into an address (the DNS server "
            f"{dns.address} given with --nameserver has no address for {HOST})."
            ) == diagnosis["explanation"]


async def test_the_certificate_is_still_checked_against_the_name(dns_server, named_server,
                                                                 smtp_ca):
    """The address comes from the nameserver; a certificate for another name still fails."""
    dns = dns_server({"other.srv.example.test": {"A": ["127.0.0.1"]}})
    profile = named_server.profile(host="other.srv.example.test")
    result = await send_test_message(profile, PASSWORD, nameserver=dns.address,
                                     local_hostname="client.test")
    assert result.diagnosis.code == "certificate_hostname_mismatch"
    assert HOST in result.diagnosis.explanation  # the certificate's name, read via the nameserver


async def test_wizard_probe_and_send_with_nameserver(tmp_path, dns_server, named_server,
                                                     zones):
    dns = dns_server(zones)
    app = build_wizard(config_path=tmp_path / "config.toml", nameserver=dns.address)
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "other smtp")
        await set_value(app, pilot, "#host", HOST)
        await set_value(app, pilot, "#ca-file", str(named_server.ca_file))
        await set_value(app, pilot, "#custom-port", str(named_server.port))
        app.screen.query_one("#custom-security").value = "tls"
        ports = app.screen.query_one("#port-list", OptionList)
        ports.highlighted = len(ports.options) - 1  # Custom port…
        await pilot.click("#check-ports")
        await settle(app, pilot)
        summary = str(app.screen.query_one("#probe-summary").content)
        assert summary.startswith(f"✓ Chose {named_server.port} (Implicit TLS"), summary
        assert next_enabled(app), app.screen.query_one("#nav-status").content
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#username", "user")
        await set_value(app, pilot, "#password", PASSWORD)
        app.screen.query_one("#inline", RadioButton).value = True
        await pilot.pause()
        await pilot.press("ctrl+n")
        await set_value(app, pilot, "#from-email", f"alerts@{GOOD}")
        await pilot.press("ctrl+n")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True, str(app.screen.query_one("#outcome").content)
    assert len(named_server.messages) == 1
    assert HOST in dns.queries
