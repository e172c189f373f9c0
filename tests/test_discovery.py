"""Discovery from an email address: every source against real servers on loopback.

Every call passes nameserver= the test DNS server, so no name reaches the system resolver;
the autoconfig host names exist only in the test zones, so a fetch that arrives proves the
HTTP client looked them up there.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time

import pytest
from http_server import Route, TestHttpServer
from smtp_fixtures import server_context
from smtp_setup.core.discovery.search import (
    Suggestion,
    discover,
    format_report,
    rank,
    split_address,
)
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.probe_ports import Candidate

ADDRESS = "alice@example.test"
CONFIG = "/mail/config-v1.1.xml"
WELL_KNOWN = "/.well-known/autoconfig/mail/config-v1.1.xml"
GOOD_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.test">
    <domain>example.test</domain>
    <incomingServer type="imap"><hostname>imap.example.test</hostname><port>993</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.%EMAILDOMAIN%</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>submit.example.test</hostname>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>bad host</hostname><port>25</port><socketType>SSL</socketType>
    </outgoingServer>
  </emailProvider>
</clientConfig>"""
ENTITY_BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><clientConfig>&lol2;</clientConfig>')


def zones(**extra):
    """example.test with its autoconfig host on loopback; keyword names are added zones."""
    base = {
        "example.test": {"A": ["127.0.0.1"]},
        "autoconfig.example.test": {"A": ["127.0.0.1"]},
    }
    base.update({name.replace("__", ".").replace("_dot_", "."): value
                 for name, value in extra.items()})
    return base


@pytest.fixture
def http_server():
    """make(routes, tls=None) -> a started TestHttpServer, stopped when the test ends."""
    servers = []

    def make(routes, **kwargs):
        server = TestHttpServer(routes, **kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def no_system_resolver(monkeypatch):
    """A tripwire, not a stand-in: every call still goes to the real getaddrinfo, but a name
    (not an address) given to it fails the test, since discovery must ask only the test
    DNS server."""
    names = []
    real = socket.getaddrinfo

    def watched(host, *args, **kwargs):
        text = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            if host is not None:
                names.append(text)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", watched)
    yield
    assert names == [], f"names reached the system resolver: {names}"


def by_source(report, name):
    return next(s for s in report.sources if s.name == name)


# -- the address --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("alice@Example.TEST", ("alice@Example.TEST", "example.test")),
    (" example.test ", ("example.test", "example.test")),
    ("anna@bücher.test", ("anna@bücher.test", "xn--bcher-kva.test")),
])
def test_split_address(text, expected):
    assert split_address(text) == expected


@pytest.mark.parametrize("text", ["", "alice@", "@example.test", "alice@localhost",
                                  "alice@exa mple.test"])
def test_split_address_refuses_with_a_sentence(text):
    with pytest.raises(ValueError, match=r"\.$"):
        split_address(text)


async def test_a_bad_nameserver_is_a_sentence():
    with pytest.raises(ValueError, match="not an IP address"):
        await discover(ADDRESS, nameserver="dns.example.test")


# -- catalog and MX ---------------------------------------------------------------------------
async def test_catalog_domain(dns_server):
    server = dns_server({})  # every name: NXDOMAIN
    report = await discover("someone@gmail.com", nameserver=server.address, timeout=3,
                            probe=False)  # smtp.gmail.com is not on loopback
    best = report.best
    assert (best.provider_id, best.host, best.port, best.security) == (
        "gmail", "smtp.gmail.com", 465, Security.TLS)
    assert (best.source, best.confidence, best.username) == (
        "catalog domain", "high", "someone@gmail.com")
    assert by_source(report, "catalog").status == "found"
    assert by_source(report, "mx").detail == "gmail.com has no MX record"
    assert "gmail.com" in server.queries  # the MX question went to the test server


@pytest.mark.parametrize(("mx", "provider", "host", "port", "security"), [
    ("1 aspmx.l.google.com.", "google_workspace", "smtp.gmail.com", 465, Security.TLS),
    ("0 example-test.mail.protection.outlook.com.", "microsoft365", "smtp.office365.com",
     587, Security.STARTTLS),
])
async def test_mx_on_a_known_provider(dns_server, mx, provider, host, port, security):
    server = dns_server(zones(example__test={"MX": ["20 backup.example.test.", mx]}))
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    best = report.best
    assert (best.provider_id, best.host, best.port, best.security) == (
        provider, host, port, security)
    assert best.source == f"MX {mx.split()[1].rstrip('.')}"
    assert (best.confidence, best.username_kind, best.username) == ("high", "email", ADDRESS)
    assert by_source(report, "mx").status == "found"


async def test_mx_of_no_known_provider_and_null_mx(dns_server):
    server = dns_server(zones(example__test={"MX": ["10 mx.example.test."]},
                              null__test={"MX": ["0 ."]}))
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    assert report.suggestions == []
    assert by_source(report, "mx").detail == "MX mx.example.test matches no provider in the catalog"
    report = await discover("bob@null.test", nameserver=server.address, timeout=3, probe=False)
    assert "null MX" in by_source(report, "mx").detail


async def test_a_failing_source_is_reported_not_fatal(dns_server):
    server = dns_server({"example.test": "servfail",
                         "_submissions._tcp.example.test": {"SRV": ["0 1 465 smtp.example.test."]}})
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    mx = by_source(report, "mx")
    assert (mx.ok, mx.status) == (False, "failed")
    assert "SERVFAIL" in mx.detail
    assert report.best.host == "smtp.example.test"


# -- SRV ----------------------------------------------------------------------------------------
async def test_srv_both_labels_implicit_tls_first(dns_server):
    server = dns_server(zones(**{
        "_submission._tcp.example.test": {"SRV": ["0 1 587 mail.example.test."]},
        "_submissions._tcp.example.test": {"SRV": ["10 1 465 backup.example.test.",
                                                  "0 1 465 mail.example.test."]},
    }))
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    got = [(s.host, s.port, s.security, s.source) for s in report.suggestions]
    assert got == [
        ("mail.example.test", 465, Security.TLS, "SRV _submissions._tcp"),
        ("backup.example.test", 465, Security.TLS, "SRV _submissions._tcp"),
        ("mail.example.test", 587, Security.STARTTLS, "SRV _submission._tcp"),
    ]
    assert all(s.confidence == "high" and s.username == ADDRESS for s in report.suggestions)
    assert {"_submissions._tcp.example.test", "_submission._tcp.example.test"} <= set(
        server.queries)


async def test_srv_dot_means_not_offered_and_a_foreign_target_is_doubted(dns_server):
    server = dns_server(zones(**{
        "_submission._tcp.example.test": {"SRV": ["0 0 0 ."]},
        "_submissions._tcp.example.test": {"SRV": ["0 1 465 smtp.elsewhere.test."]},
    }))
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    [only] = report.suggestions
    assert (only.host, only.confidence) == ("smtp.elsewhere.test", "medium")
    assert "outside example.test" in only.note
    assert '_submission._tcp: not offered (target ".")' in by_source(report, "srv").detail


# -- autoconfig ---------------------------------------------------------------------------------
async def test_autoconfig_over_http_with_the_test_dns(dns_server, http_server):
    web = http_server({CONFIG: Route(200, GOOD_XML)})
    server = dns_server(zones())
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False,
                            allow_http=True, http_port=web.port, https_port=1)
    got = [(s.host, s.port, s.security, s.username_kind, s.username, s.confidence)
           for s in report.suggestions]
    assert got == [
        ("smtp.example.test", 465, Security.TLS, "localpart", "alice", "medium"),
        ("submit.example.test", 587, Security.STARTTLS, "email", ADDRESS, "medium"),
    ]
    assert report.best.source == "autoconfig http://autoconfig.example.test/mail/config-v1.1.xml"
    assert "plain HTTP" in report.best.note
    assert ("GET", f"{CONFIG}?emailaddress=alice@example.test",
            "autoconfig.example.test") in web.requests
    assert "autoconfig.example.test" in server.queries
    detail = by_source(report, "autoconfig").detail
    assert detail.startswith("HTTPS, then plain HTTP as Thunderbird does")
    assert "refused the connection" in detail  # HTTPS was asked first (port 1: nothing there)


async def test_autoconfig_over_https_is_trusted_more(dns_server, http_server, smtp_ca,
                                                      smtp_ca_file):
    cert = smtp_ca.issue_cert("autoconfig.example.test", "example.test")
    web = http_server({WELL_KNOWN: Route(200, GOOD_XML, chunked=True)},
                      tls=server_context(cert))
    server = dns_server(zones())
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False,
                            https_port=web.port, ca_file=smtp_ca_file)
    assert [(s.host, s.confidence, s.note) for s in report.suggestions] == [
        ("smtp.example.test", "high", ""), ("submit.example.test", "high", "")]
    assert report.best.source == ("autoconfig https://example.test/.well-known/autoconfig/"
                                  "mail/config-v1.1.xml")
    assert by_source(report, "autoconfig").detail.startswith("HTTPS only")
    assert all(scheme_host[2] != "" for scheme_host in web.requests)


async def test_autoconfig_certificate_for_another_name(dns_server, http_server, smtp_ca,
                                                       smtp_ca_file):
    web = http_server({CONFIG: Route(200, GOOD_XML)},
                      tls=server_context(smtp_ca.issue_cert("other.test")))
    server = dns_server(zones())
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False,
                            https_port=web.port, ca_file=smtp_ca_file)
    assert report.suggestions == []
    source = by_source(report, "autoconfig")
    assert (source.ok, source.status) == (False, "failed")
    assert "certificate of autoconfig.example.test is not valid" in source.detail


@pytest.mark.parametrize(("route", "words"), [
    (Route(200, b"<clientConfig><emailProvider>"), "not well-formed XML"),
    (Route(200, b"<html><body>hello</body></html>"), "not an autoconfig file"),
    (Route(200, ENTITY_BOMB), "DOCTYPE or entities"),
    (Route(200, b"<clientConfig>" + b" " * 200_000 + b"</clientConfig>"), "larger than 100 KB"),
    (Route(200, b"<clientConfig>" + b" " * 200_000 + b"</clientConfig>", chunked=True),
     "larger than 100 KB"),
    (Route(500, b"oops"), "HTTP 500"),
    (Route(302, headers={"Location": "ftp://autoconfig.example.test/x"}), "not a web address"),
])
async def test_autoconfig_bad_answers_fail_the_source(dns_server, http_server, route, words):
    web = http_server({CONFIG: route})
    report = await discover(ADDRESS, nameserver=dns_server(zones()).address, timeout=3,
                            probe=False, allow_http=True, http_port=web.port, https_port=1)
    source = by_source(report, "autoconfig")
    assert report.suggestions == []
    assert (source.ok, source.status) == (False, "failed")
    assert words in source.detail


async def test_autoconfig_404_everywhere_is_nothing_published(dns_server, http_server):
    web = http_server({})
    report = await discover(ADDRESS, nameserver=dns_server(zones()).address, timeout=3,
                            probe=False, allow_http=True, http_port=web.port, https_port=1)
    source = by_source(report, "autoconfig")
    assert (source.ok, source.status) == (True, "none")
    assert "not found (HTTP 404)" in source.detail
    assert len(web.requests) == 2


async def test_autoconfig_redirect_is_followed(dns_server, http_server):
    web = http_server({CONFIG: Route(301, headers={"Location": "/moved.xml"}),
                       "/moved.xml": Route(200, GOOD_XML)})
    report = await discover(ADDRESS, nameserver=dns_server(zones()).address, timeout=3,
                            probe=False, allow_http=True, http_port=web.port, https_port=1)
    assert report.best.host == "smtp.example.test"
    assert ("GET", "/moved.xml", "autoconfig.example.test") in web.requests


# -- guesses confirmed by the port check --------------------------------------------------------
async def test_guesses_confirmed_by_the_port_check(dns_server, smtp_server_factory, smtp_ca,
                                                   smtp_ca_file):
    cert = smtp_ca.issue_cert("smtp.example.test")  # not valid for mail.example.test
    tls = smtp_server_factory("tls", cert=cert)
    starttls = smtp_server_factory("starttls", cert=cert)
    server = dns_server(zones(smtp__example__test={"A": ["127.0.0.1"]},
                              mail__example__test={"A": ["127.0.0.1"]}))
    ports = [Candidate(tls.port, Security.TLS), Candidate(starttls.port, Security.STARTTLS)]
    report = await discover(ADDRESS, nameserver=server.address, timeout=5, guess_ports=ports,
                            ca_file=smtp_ca_file)
    got = [(s.host, s.port, s.security, s.confidence, s.source) for s in report.suggestions]
    assert got == [
        ("smtp.example.test", tls.port, Security.TLS, "low", "guess smtp.example.test (port check)"),
        ("smtp.example.test", starttls.port, Security.STARTTLS, "low",
         "guess smtp.example.test (port check)"),
    ]
    detail = by_source(report, "guess").detail
    assert "mail.example.test: no port answered" in detail  # its certificate is not for it


async def test_guesses_only_for_names_that_exist_and_only_with_the_port_check(dns_server):
    server = dns_server(zones())
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, https_port=1)
    assert by_source(report, "guess").detail == ("smtp.example.test does not exist; "
                                                 "mail.example.test does not exist")
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    assert by_source(report, "guess").status == "skipped"


# -- one time limit -----------------------------------------------------------------------------
async def test_silent_dns_ends_within_the_limit(dns_server):
    server = dns_server({}, default="silent")
    started = time.monotonic()
    report = await discover(ADDRESS, nameserver=server.address, timeout=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 1.3
    assert report.suggestions == []
    for name in ("mx", "srv", "autoconfig", "guess"):
        source = by_source(report, name)
        assert (source.ok, source.status) == (False, "timed_out"), source
        assert "in time" in source.detail
    assert "Traceback" not in "\n".join(format_report(report))


async def test_a_silent_web_server_does_not_hold_up_the_others(dns_server, http_server):
    web = http_server({CONFIG: Route(silent=True)})
    server = dns_server(zones(**{
        "_submissions._tcp.example.test": {"SRV": ["0 1 465 smtp.example.test."]}}))
    started = time.monotonic()
    report = await discover(ADDRESS, nameserver=server.address, timeout=1.0, probe=False,
                            allow_http=True, http_port=web.port, https_port=1)
    assert time.monotonic() - started < 1.3
    assert report.best.host == "smtp.example.test"
    source = by_source(report, "autoconfig")
    assert (source.ok, source.status) == (False, "timed_out")
    assert "no answer in time" in source.detail


async def test_sources_run_concurrently(dns_server, http_server):
    web = http_server({CONFIG: Route(200, GOOD_XML, delay=0.4)})
    server = dns_server(zones(**{"_submissions._tcp.example.test": {
        "SRV": ["0 1 465 mail.example.test."]}}), delays={
        "_submissions._tcp.example.test": 0.4, "example.test": 0.4})
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False,
                            allow_http=True, http_port=web.port, https_port=1)
    # autoconfig 0.4 s (+ 0.4 s for example.test's address for .well-known), SRV 0.4 s,
    # MX 0.4 s: summed that is 1.6 s or more
    assert report.ms < 1200
    assert {s.host for s in report.suggestions} == {"smtp.example.test", "submit.example.test",
                                                    "mail.example.test"}


# -- ranking and reports ------------------------------------------------------------------------
def suggestion(host, port, security, confidence, source, kind="email", stated=True):
    return Suggestion(None, host, port, security, kind, source, confidence,
                      username_stated=stated)


def test_rank_orders_by_confidence_then_encryption_and_folds_repeats():
    ranked = rank([
        suggestion("a.test", 587, Security.STARTTLS, "high", "SRV _submission._tcp"),
        suggestion("g.test", 465, Security.TLS, "low", "guess g.test (port check)"),
        suggestion("a.test", 465, Security.TLS, "high", "SRV _submissions._tcp", stated=False),
        suggestion("p.test", 25, Security.NONE, "high", "autoconfig x"),
        suggestion("a.test", 465, Security.TLS, "medium", "autoconfig y", kind="localpart"),
    ])
    assert [(s.host, s.port) for s in ranked] == [("a.test", 465), ("a.test", 587),
                                                  ("p.test", 25), ("g.test", 465)]
    first = ranked[0]
    assert (first.source, first.also, first.username_kind) == (
        "SRV _submissions._tcp", ["autoconfig y"], "localpart")


async def test_report_lines_and_json(dns_server):
    server = dns_server(zones(**{
        "_submissions._tcp.example.test": {"SRV": ["0 1 465 smtp.example.test."]}}))
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    lines = format_report(report)
    assert lines[1] == "Suggestions, best first:"
    assert lines[2:4] == ["  1. smtp.example.test port 465, implicit TLS; username: the full "
                          "address",
                          "     (alice@example.test); from SRV _submissions._tcp (high "
                          "confidence)"]  # wrapped at 79, under its number
    assert all(len(line) <= 79 for line in lines if "http" not in line), lines
    assert any(line.startswith("  - guess") for line in lines)
    data = json.loads(json.dumps(report.to_json()))
    assert data["ok"] is True
    assert data["suggestions"][0]["security"] == "tls"
    assert [s["name"] for s in data["sources"]] == ["catalog", "autoconfig", "srv", "mx",
                                                    "guess"]
    assert all(set(s) == {"name", "ok", "status", "detail", "ms"} for s in data["sources"])


@pytest.mark.parametrize(("mx", "host"), [
    ("10 mx.zoho.eu.", "smtp.zoho.eu"),
    ("10 mx2.zoho.com.", "smtp.zoho.com"),
    ("10 mxa.eu.mailgun.org.", "smtp.eu.mailgun.org"),
    ("10 inbound-smtp.eu-west-1.amazonaws.com.", "email-smtp.eu-west-1.amazonaws.com"),
])
async def test_mx_picks_the_providers_server_for_its_region(dns_server, mx, host):
    server = dns_server(zones(example__test={"MX": [mx]}))
    report = await discover(ADDRESS, nameserver=server.address, timeout=3, probe=False)
    assert report.best.host == host
    assert ("region" in report.best.note) == (host != "smtp.zoho.com")
