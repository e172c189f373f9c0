"""discover, check-domain and doctor from the command line: every DNS question goes to a test
server on 127.0.0.1 (`--nameserver`), SMTP to aiosmtpd on loopback."""

from __future__ import annotations

import json
import subprocess
import sys

from domain_zones import GOOD, good_zones
from smtp_fixtures import free_port


def cli(*args: str, config=None) -> subprocess.CompletedProcess:
    extra = ["--config", str(config)] if config else []
    return subprocess.run([sys.executable, "-m", "smtp_setup", *extra, *args],
                          capture_output=True, text=True, timeout=60)


def test_check_domain_good_zone_passes(dns_server):
    dns = dns_server(good_zones())
    run = cli("check-domain", GOOD, "--provider", "sendgrid", "--nameserver", dns.address,
              "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ["MX", "SPF", "DKIM", "DMARC"]


def test_check_domain_plus_all_fails_with_advice(dns_server):
    dns = dns_server(good_zones(spf=["v=spf1 include:sendgrid.net +all"]))
    run = cli("check-domain", GOOD, "--nameserver", dns.address)
    assert run.returncode == 1
    assert "✗ SPF" in run.stdout and "+all" in run.stdout


def test_check_domain_silent_dns_says_offline_plainly(dns_server):
    dns = dns_server({}, default="silent")
    run = cli("check-domain", GOOD, "--nameserver", dns.address, "--timeout", "2")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stdout.splitlines()[1].startswith("✗")


def test_discover_finds_gmail_from_the_catalog(dns_server):
    dns = dns_server({})
    run = cli("discover", "ada@gmail.com", "--nameserver", dns.address, "--timeout", "3",
              "--json")
    assert run.returncode == 0, run.stderr
    best = json.loads(run.stdout)["suggestions"][0]
    assert (best["provider"], best["host"]) == ("gmail", "smtp.gmail.com")


def test_doctor_healthy_then_broken(tmp_path, dns_server, smtp_starttls):
    dns = dns_server(good_zones())
    config = tmp_path / "config.toml"
    config.write_text(
        f'format = 1\n\n[profiles.ok]\nprovider = "custom"\nhost = "127.0.0.1"\n'
        f'port = {smtp_starttls.port}\nsecurity = "starttls"\nusername = "user"\n'
        f'password = "{smtp_starttls.password}"\nfrom_email = "alerts@{GOOD}"\n'
        f'ca_file = "{smtp_starttls.ca_file}"\n\n'
        f'[profiles.broken]\nprovider = "custom"\nhost = "127.0.0.1"\nport = {free_port()}\n'
        f'security = "tls"\nfrom_email = "alerts@{GOOD}"\n'
    )
    run = cli("doctor", "ok", "--nameserver", dns.address, "--json", config=config)
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["ok"] is True
    assert smtp_starttls.password not in run.stdout
    run = cli("doctor", "broken", "--nameserver", dns.address, config=config)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr


def test_bad_nameserver_is_a_usage_error():
    run = cli("check-domain", GOOD, "--nameserver", "not a server:99999")
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
