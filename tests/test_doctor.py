"""The doctor against real servers on 127.0.0.1: aiosmtpd with trustme certificates for the
port check and the test send, and the test DNS server for the From domain."""

from __future__ import annotations

import json

import pytest
from domain_zones import GOOD, good_zones
from smtp_fixtures import PASSWORD, free_port
from smtp_setup.core.doctor import candidates_for, format_report, run_doctor
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.profiles.validation import InvalidInput

FROM = f"alerts@{GOOD}"


@pytest.fixture
def good_dns(dns_server):
    return dns_server(good_zones())


async def doctor(profile, dns, password=PASSWORD, **kwargs):
    kwargs.setdefault("probe_timeout", 2.0)
    return await run_doctor(profile, password, nameserver=dns.address, **kwargs)


async def test_a_healthy_profile_is_ok(smtp_starttls, good_dns):
    profile = smtp_starttls.profile(from_email=FROM, provider="sendgrid")
    report = await doctor(profile, good_dns)
    assert report.ok, report.problems
    assert report.own_port is not None and report.own_port.usable
    assert (report.own_port.port, report.own_port.security) == (smtp_starttls.port,
                                                                Security.STARTTLS)
    assert report.send is not None and report.send.ok
    assert len(smtp_starttls.messages) == 1  # the test message really went through
    assert report.domain is not None and report.domain.verdict == "pass"
    assert report.problems == []
    assert GOOD in good_dns.queries  # the From domain was asked of the test server


async def test_json_and_text(smtp_implicit_tls, good_dns):
    report = await doctor(smtp_implicit_tls.profile(from_email=FROM, provider="sendgrid"),
                          good_dns)
    data = json.loads(json.dumps(report.to_json()))
    assert data["ok"] is True and data["problems"] == []
    assert data["own_port"]["ok"] is True and data["send"]["ok"] is True
    assert data["domain"]["verdict"] == "pass"
    lines = format_report(report)
    assert lines[0].startswith("Doctor for profile test (127.0.0.1:")
    own = lines.index(" " * 11 + "(the port and encryption this profile uses)")
    row = next(i for i, line in enumerate(lines)
               if line.startswith(f"  ✓ {smtp_implicit_tls.port:>5}  implicit TLS"))
    assert row < own <= row + 3  # right under its own row and detail
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith("  ✓ accepted in") for line in lines)
    assert any(line.startswith("✓ SPF") for line in lines)
    assert lines[-1].startswith("✓ Healthy")
    assert PASSWORD not in "\n".join(lines) + json.dumps(data)


async def test_a_port_nothing_listens_on_is_not_ok(smtp_starttls, good_dns):
    profile = smtp_starttls.profile(from_email=FROM, provider="sendgrid", port=free_port())
    report = await doctor(profile, good_dns)
    assert not report.ok
    assert report.own_port is not None and report.own_port.status == "refused"
    # what happened, not "did not answer" (that is a timeout)
    assert report.send_skipped == (f"Port {profile.port} refused the connection (nothing "
                                   "listens there, or a firewall rejects it), so no test "
                                   "message was sent.")
    assert any(f"Port {profile.port} with STARTTLS does not work" in p
               for p in report.problems)
    assert len(report.problems) == 2
    lines = format_report(report)
    closing = "✗ Not healthy (2 problems):" if not report.warnings else next(
        line for line in lines if line.startswith("✗ Not healthy (2 problems and "))
    listed = lines[lines.index(closing) + 1:]
    assert sum(line.startswith("  - ") for line in listed) == 2
    assert sum(line.startswith("  ! ") for line in listed) == len(report.warnings)


async def test_the_wrong_encryption_on_the_port_is_not_ok(smtp_starttls, good_dns):
    # implicit TLS against a STARTTLS port: the port answers, but not the way the profile
    # expects, so both the port check and the test send fail
    profile = smtp_starttls.profile(from_email=FROM, security=Security.TLS, timeout=3.0)
    report = await doctor(profile, good_dns, probe_timeout=1.5)
    assert not report.ok
    assert not report.own_port.usable
    assert report.send is not None and not report.send.ok


async def test_a_wrong_password_is_not_ok(smtp_starttls, good_dns):
    report = await doctor(smtp_starttls.profile(from_email=FROM), good_dns,
                          password="not-the-password")
    assert not report.ok
    assert report.own_port.usable
    assert report.send.failed_stage == "auth"
    assert any(p.startswith("The test send failed at AUTH") for p in report.problems)


async def test_a_bad_domain_is_not_ok(smtp_starttls, dns_server):
    dns = dns_server(good_zones(spf=["v=spf1 include:sendgrid.net +all"], dmarc=None))
    report = await doctor(smtp_starttls.profile(from_email=FROM, provider="sendgrid"), dns)
    assert report.send.ok and report.own_port.usable
    assert not report.ok
    assert [p.split(":")[0] for p in report.problems] == [f"SPF of {GOOD}"]
    assert [w.split(":")[0] for w in report.warnings] == [f"DMARC of {GOOD}"]
    lines = format_report(report)  # the closing line counts all it lists: the warning too
    listed = lines[lines.index("✗ Not healthy (1 problem and 1 warning):") + 1:]
    assert [line[:4] for line in listed if not line.startswith("    ")] == ["  - ", "  ! "]


async def test_domain_warnings_alone_keep_it_ok(smtp_starttls, dns_server):
    dns = dns_server(good_zones(dmarc=["v=DMARC1; p=none; rua=mailto:d@good.test"]))
    report = await doctor(smtp_starttls.profile(from_email=FROM, provider="sendgrid"), dns)
    assert report.ok
    assert [w.split(":")[0] for w in report.warnings] == [f"DMARC of {GOOD}"]
    lines = format_report(report)
    closing = lines.index("✓ Healthy: the test message was accepted and nothing failed "
                          "(1 warning):")
    assert lines[closing + 1].startswith(f"  ! DMARC of {GOOD}")


async def test_no_dns_is_a_warning_when_the_send_works(smtp_starttls, dns_server):
    dns = dns_server({}, default="silent")
    report = await doctor(smtp_starttls.profile(from_email=FROM), dns, domain_timeout=0.5)
    assert report.domain.offline
    assert report.ok
    assert any("DNS gave no answer" in w for w in report.warnings)
    assert any(line.startswith("! DNS gave no answer") for line in format_report(report))


async def test_candidates_are_the_own_port_then_the_providers(smtp_starttls):
    from smtp_setup.core.catalog.loader import load_catalog

    sendgrid = load_catalog().get("sendgrid")
    profile = smtp_starttls.profile(port=2525, security=Security.TLS)
    labels = [c.label for c in candidates_for(profile, sendgrid)]
    assert labels[0] == "2525/tls"
    assert labels[1:] == [f"{o.port}/{o.security}" for o in sendgrid.ports
                          if (o.port, o.security) != (2525, Security.TLS)]
    assert [c.label for c in candidates_for(profile.copy(port=587, security=Security.STARTTLS),
                                            None)] == ["587/starttls", "465/tls",
                                                       "2525/starttls", "25/starttls"]


async def test_a_bad_nameserver_is_refused_before_any_work(smtp_starttls):
    with pytest.raises(InvalidInput, match="not an IP address"):
        await run_doctor(smtp_starttls.profile(), PASSWORD, nameserver="dns.example.com")
    assert smtp_starttls.messages == []
