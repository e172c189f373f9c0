"""dns_client against the test DNS server: real packets on loopback, UDP and TCP."""

from __future__ import annotations

import time

import pytest
from smtp_setup.core.dns.client import (
    DnsProblem,
    lookup,
    make_resolver,
    parse_nameserver,
    resolve_host,
    txt_records,
)

ZONES = {
    "example.test": {
        "MX": ["20 backup.example.test.", "10 mx.example.test."],
        "TXT": ["v=spf1 -all", ("v=DKIM1; k=rsa; ", "p=MIIBIjAN")],
        "A": ["127.0.0.1"],
        "AAAA": ["::1"],
    },
    "big.example.test": {"TXT": ["x" * 3000]},
    "www.example.test": {"CNAME": ["example.test."]},
    "broken.test": "servfail",
    "quiet.test": {"TXT": "silent", "A": ["127.0.0.2"]},
}


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1", ("127.0.0.1", 53)),
    ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    (" ::1 ", ("::1", 53)),
    ("[::1]:5300", ("::1", 5300)),
    ("[::1]", ("::1", 53)),
])
def test_parse_nameserver(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"), ("dns.example.test", "not an IP address"), ("127.0.0.1:", "no port"),
    ("[::1]:", "no port"), ("127.0.0.1:70000", "1 to 65535"), ("[::1", "not a DNS server"),
])
def test_parse_nameserver_errors_are_sentences(text, words):
    with pytest.raises(ValueError, match=words) as caught:
        parse_nameserver(text)
    assert str(caught.value).endswith(".")


def test_make_resolver_rejects_a_bad_nameserver():
    with pytest.raises(ValueError, match="not an IP address"):
        make_resolver("localhost:53")


async def test_records_names_and_empty_answers(dns_server):
    server = dns_server(ZONES)
    resolver = make_resolver(server.address)
    mx = await lookup(resolver, "Example.TEST.", "MX")
    assert sorted((r.preference, r.exchange.to_text().lower()) for r in mx) == [
        (10, "mx.example.test."), (20, "backup.example.test.")]
    assert await lookup(resolver, "missing.example.test", "A") == []  # NXDOMAIN
    assert await lookup(resolver, "example.test", "SRV") == []  # no records of that type
    assert ("example.test", "MX") in server.questions
    assert server.queries[0] == "example.test"


async def test_txt_strings_are_joined_and_big_answers_come_over_tcp(dns_server):
    server = dns_server(ZONES)
    resolver = make_resolver(server.address)
    assert sorted(await txt_records(resolver, "example.test")) == [
        "v=DKIM1; k=rsa; p=MIIBIjAN", "v=spf1 -all"]
    assert await txt_records(resolver, "big.example.test") == ["x" * 3000]
    # too big for UDP: truncated, then asked again over TCP
    assert server.questions.count(("big.example.test", "TXT")) == 2


async def test_cname_is_followed_and_hosts_resolve(dns_server):
    resolver = make_resolver(dns_server(ZONES).address)
    assert await resolve_host(resolver, "www.example.test") == ["127.0.0.1", "::1"]
    assert await resolve_host(resolver, "nowhere.example.test") == []


async def test_an_address_is_not_looked_up(dns_server):
    server = dns_server(ZONES)
    resolver = make_resolver(server.address)
    assert await resolve_host(resolver, "[::1]") == ["::1"]
    assert await resolve_host(resolver, "192.0.2.7") == ["192.0.2.7"]
    assert server.queries == []


async def test_servfail_is_a_problem_not_an_empty_answer(dns_server):
    resolver = make_resolver(dns_server(ZONES).address)
    with pytest.raises(DnsProblem, match="SERVFAIL") as caught:
        await lookup(resolver, "broken.test", "MX")
    assert caught.value.kind == "servfail"


async def test_silence_is_a_timeout_within_the_lifetime(dns_server):
    server = dns_server(ZONES)
    resolver = make_resolver(server.address, timeout=0.2, lifetime=0.5)
    started = time.monotonic()
    with pytest.raises(DnsProblem, match="did not answer in time") as caught:
        await lookup(resolver, "quiet.test", "TXT")
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 1.5
    assert await resolve_host(resolver, "quiet.test") == ["127.0.0.2"]  # AAAA: no records


async def test_a_silent_server_fails_every_host_lookup(dns_server):
    resolver = make_resolver(dns_server({}, default="silent").address, timeout=0.2,
                             lifetime=0.4)
    with pytest.raises(DnsProblem) as caught:
        await resolve_host(resolver, "smtp.example.test")
    assert caught.value.kind == "timeout"
    assert "Traceback" not in str(caught.value)


async def test_bad_names_and_no_servers_are_sentences(dns_server):
    resolver = make_resolver(dns_server(ZONES).address)
    with pytest.raises(DnsProblem, match="not a name DNS can look up") as caught:
        await lookup(resolver, "bad..example.test", "A")
    assert caught.value.kind == "bad_name"
    resolver.nameservers = []
    with pytest.raises(DnsProblem, match="No DNS server") as caught:
        await lookup(resolver, "example.test", "A")
    assert caught.value.kind == "no_servers"


def test_system_resolver_builds_without_asking(monkeypatch):
    resolver = make_resolver(timeout=1.5, lifetime=3.0)  # reads resolv.conf; sends nothing
    assert (resolver.timeout, resolver.lifetime) == (1.5, 3.0)


def test_the_server_refuses_unknown_modes():
    from dns_server import TestDnsServer

    with pytest.raises(ValueError, match="mode"):
        TestDnsServer({"x.test": "sleepy"})
