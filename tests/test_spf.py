"""SPF records (RFC 7208): term syntax, the look-up count, and following includes and
redirects through a real DNS server on 127.0.0.1."""

from __future__ import annotations

import pytest
from smtp_setup.core.dns.client import lookup, make_resolver, txt_records
from smtp_setup.core.dns.spf import (
    LOOKUP_LIMIT,
    domain_key,
    is_spf,
    parse_spf,
    walk_spf,
)
from smtp_setup.core.dns.spf_verdict import add_include, suggest_record


# -- parsing ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "v=spf1 -all",
    "v=spf1 include:_spf.google.com ~all",
    "V=SPF1 Include:Sendgrid.NET -ALL",  # case does not matter
    "v=spf1 a mx ptr a:mail.example.com mx:example.com/24 a/24//64 mx//64 -all",
    "v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip6:::1 ?all",
    "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
    "v=spf1 redirect=_spf.example.com",
    "v=spf1 -all exp=explain._spf.%{d} custom-mod=anything",
    "v=spf1  include:example.com   -all ",  # repeated and trailing spaces
    "v=spf1",
])
def test_valid_records_parse_without_errors(text):
    record = parse_spf(text)
    assert record.errors == []
    assert is_spf(text)


@pytest.mark.parametrize(("text", "words"), [
    ("v=spf1 foo:bar -all", "not an SPF mechanism"),
    ("v=spf1 ip4:300.1.1.1 -all", "not an IPv4 address"),
    ("v=spf1 ip4:192.0.2.0/33 -all", "0 to 32"),
    ("v=spf1 ip6:2001:db8::/129 -all", "0 to 128"),
    ("v=spf1 ip6:192.0.2.1 -all", "not an IPv6 address"),
    ("v=spf1 ip4 -all", "needs an address"),
    ("v=spf1 include: -all", "is empty"),
    ("v=spf1 include -all", "needs a domain"),
    ("v=spf1 include:example -all", "not a full domain name"),
    ("v=spf1 include:example.com/24 -all", "takes no /prefix"),
    ("v=spf1 a:example.com/abc -all", "prefix length"),
    ("v=spf1 all:x", "takes no value"),
    ("v=spf1 include:50%.example.com -all", "must start a macro"),
    ("v=spf1 include:%{x}.example.com -all", "not an SPF macro"),
    ("v=spf1 include:%{c}.example.com -all", "only allowed in exp="),
    ("v=spf1 redirect=a.example.com redirect=b.example.com", "appears twice"),
    ("v=spf1 include:example.com\t-all", "tabs or line breaks"),
])
def test_syntax_errors_are_named(text, words):
    record = parse_spf(text)
    assert record.errors, text
    assert words in " ".join(record.errors)


def test_is_spf_needs_the_exact_version_tag():
    assert is_spf("v=spf1 -all") and is_spf("v=spf1")
    assert not is_spf("v=spf10 -all")
    assert not is_spf("spf1 -all")
    assert not is_spf("google-site-verification=v=spf1")


def test_terms_keep_qualifier_name_and_value():
    record = parse_spf("v=spf1 -include:a.example.com ~a:b.example.com/24 ?mx +all")
    assert [(t.qualifier, t.name, t.value) for t in record.terms] == [
        ("-", "include", "a.example.com"), ("~", "a", "b.example.com"), ("?", "mx", None),
        ("+", "all", None)]
    assert record.all_term is not None and record.all_term.qualifier == "+"


def test_own_lookups_count_the_mechanisms_rfc_7208_names():
    record = parse_spf("v=spf1 include:a.example.com a mx ptr exists:%{i}.example.com "
                       "ip4:192.0.2.1 ip6:2001:db8::1 exp=x.example.com redirect=r.example.com")
    # include a mx ptr exists redirect; ip4, ip6 and exp are free
    assert record.own_lookups == 6
    assert record.redirect == "r.example.com"


def test_redirect_is_ignored_when_the_record_has_all():
    record = parse_spf("v=spf1 a -all redirect=r.example.com")
    assert record.redirect is None
    assert record.own_lookups == 1


def test_include_with_an_equals_sign_is_a_warning_not_an_include():
    record = parse_spf("v=spf1 include=sendgrid.net -all")
    assert record.errors == []
    assert "include:sendgrid.net" in record.warnings[0]
    assert record.own_lookups == 0


def test_terms_after_all_are_never_reached():
    record = parse_spf("v=spf1 a -all include:late.example.com a")
    assert record.own_lookups == 1
    assert "include:late.example.com a after the all term are never evaluated" in (
        record.warnings[0])


def test_ptr_is_discouraged():
    assert "ptr" in parse_spf("v=spf1 ptr -all").warnings[0]


def test_add_include_goes_before_all_or_redirect():
    assert add_include("v=spf1 ip4:192.0.2.1 ~all", "sendgrid.net") == (
        "v=spf1 ip4:192.0.2.1 include:sendgrid.net ~all")
    assert add_include("v=spf1 redirect=_spf.example.com", "x.net") == (
        "v=spf1 include:x.net redirect=_spf.example.com")
    assert add_include("v=spf1 a", "x.net") == "v=spf1 a include:x.net"
    assert suggest_record("sendgrid.net") == "v=spf1 include:sendgrid.net ~all"
    assert "<your provider" in suggest_record(None)


def test_domain_key_compares_names_loosely():
    assert domain_key(" Example.COM. ") == "example.com"


# -- following includes through DNS -----------------------------------------------------------
async def walk(dns_server, zones, text, domain="top.test", *, hosts=False):
    server = dns_server(zones)
    resolver = make_resolver(server.address, timeout=1.0, lifetime=2.0)
    resolve = (lambda name, rdtype: lookup(resolver, name, rdtype)) if hosts else None
    tree = await walk_spf(parse_spf(text), domain, lambda name: txt_records(resolver, name),
                          resolve)
    return tree, server


async def test_includes_are_followed_and_counted_recursively(dns_server):
    zones = {
        "a.test": {"TXT": ["v=spf1 include:b.test mx -all"]},
        "b.test": {"TXT": ["v=spf1 a ip4:192.0.2.1 -all"]},
        "c.test": {"TXT": ["v=spf1 exists:%{i}.c.test -all"]},
    }
    tree, _ = await walk(dns_server, zones, "v=spf1 include:a.test redirect=c.test")
    # top: include + redirect (2); a.test: include + mx (2); b.test: a (1); c.test: exists (1)
    assert tree.lookups == 6
    assert sorted(tree.domains) == ["a.test", "b.test", "c.test"]
    assert tree.problems == [] and tree.unresolved == []


async def test_a_chain_of_includes_over_the_limit(dns_server):
    zones = {f"l{i}.test": {"TXT": [f"v=spf1 include:l{i + 1}.test a mx -all"]}
             for i in range(5)}
    zones["l5.test"] = {"TXT": ["v=spf1 ip4:192.0.2.1 -all"]}
    tree, _ = await walk(dns_server, zones, "v=spf1 include:l0.test ~all")
    assert tree.lookups == 1 + 5 * 3
    assert tree.lookups > LOOKUP_LIMIT


async def test_a_shared_include_is_fetched_once_but_counted_each_time(dns_server):
    zones = {
        "a.test": {"TXT": ["v=spf1 include:shared.test -all"]},
        "b.test": {"TXT": ["v=spf1 include:shared.test -all"]},
        "shared.test": {"TXT": ["v=spf1 a mx -all"]},
    }
    tree, server = await walk(dns_server, zones, "v=spf1 include:a.test include:b.test -all")
    assert tree.lookups == 2 + 1 + 1 + 2 + 2
    assert server.queries.count("shared.test") == 1


async def test_an_include_loop_is_reported_and_stops(dns_server):
    zones = {"a.test": {"TXT": ["v=spf1 include:b.test -all"]},
             "b.test": {"TXT": ["v=spf1 include:a.test -all"]}}
    tree, _ = await walk(dns_server, zones, "v=spf1 include:a.test -all")
    assert any("loops back to a.test" in p for p in tree.problems)


async def test_an_include_without_an_spf_record_is_a_permanent_error(dns_server):
    zones = {"nospf.test": {"TXT": ["some-verification=1"]}}
    tree, _ = await walk(dns_server, zones, "v=spf1 include:nospf.test -all")
    assert "include:nospf.test leads to no SPF record" in tree.problems[0]
    assert tree.voids == 0  # it answered, with a record that is not SPF


async def test_broken_records_below_the_top_are_problems(dns_server):
    zones = {"two.test": {"TXT": ["v=spf1 -all", "v=spf1 ~all"]},
             "bad.test": {"TXT": ["v=spf1 ip4:999.0.0.1 -all"]}}
    tree, _ = await walk(dns_server, zones, "v=spf1 include:two.test include:bad.test -all")
    text = " ".join(tree.problems)
    assert "two.test has 2 SPF records" in text
    assert "the record at bad.test is invalid" in text


async def test_void_lookups_are_counted(dns_server):
    tree, _ = await walk(dns_server, {}, "v=spf1 include:gone1.test include:gone2.test "
                         "include:gone3.test -all")
    assert tree.voids == 3
    assert len(tree.problems) == 3


async def test_macro_targets_are_counted_but_not_followed(dns_server):
    tree, server = await walk(dns_server, {}, "v=spf1 include:%{d}.spf.test -all")
    assert tree.lookups == 1
    assert tree.unfollowed == ["include:%{d}.spf.test"]
    assert server.queries == []


async def test_dns_trouble_below_the_top_is_unresolved_not_a_problem(dns_server):
    zones = {"down.test": "servfail"}
    tree, _ = await walk(dns_server, zones, "v=spf1 include:down.test -all")
    assert tree.problems == []
    assert tree.unresolved and "include:down.test" in tree.unresolved[0]


async def test_a_and_mx_targets_without_records_are_void(dns_server):
    zones = {"top.test": {"MX": ["10 mx.top.test."]}, "has-a.test": {"A": ["192.0.2.1"]},
             "v6.test": {"AAAA": ["2001:db8::1"]}}
    tree, server = await walk(dns_server, zones, "v=spf1 a mx a:has-a.test a:v6.test "
                              "a:none.test mx:none.test mx:%{d}.test -all", hosts=True)
    # void: a (top.test has no address), a:none.test, mx:none.test; not mx (top.test has
    # one), has-a.test, v6.test (an address of either family), or the macro
    assert tree.voids == 3
    assert ("none.test", "A") in server.questions and ("none.test", "MX") in server.questions


async def test_an_mx_target_with_more_than_ten_servers_is_a_permanent_error(dns_server):
    zones = {"big.test": {"MX": [f"{i} mx{i}.big.test." for i in range(11)]}}
    tree, _ = await walk(dns_server, zones, "v=spf1 mx:big.test -all", hosts=True)
    assert "names 11 mail servers" in tree.problems[0]


async def test_without_a_resolver_a_and_mx_are_only_counted(dns_server):
    tree, server = await walk(dns_server, {}, "v=spf1 a mx:none.test -all")
    assert tree.lookups == 2 and tree.voids == 0
    assert server.questions == []
