"""The sender-domain check (MX, SPF, DKIM, DMARC) against a real DNS server on 127.0.0.1
serving one zone per situation. Every look-up goes to that server (nameserver=...)."""

from __future__ import annotations

import json
import time

import pytest
from domain_zones import GOOD, dkim_record, ed25519_key, good_zones, rsa_key
from smtp_setup.core.dns.dkim import parse_tags, read_key_record
from smtp_setup.core.dns.dmarc import parent_names, read_policy
from smtp_setup.core.dns.domain_check import check_domain, format_report, sender_domain
from smtp_setup.core.profiles.validation import InvalidInput


async def check(dns_server, zones, domain=GOOD, *, provider="sendgrid", timeout=3.0,
                **kwargs):
    server = dns_server(zones, **{k: kwargs.pop(k) for k in ("default", "delays")
                                  if k in kwargs})
    return await check_domain(domain, provider_id=provider, nameserver=server.address,
                              timeout=timeout, **kwargs)


def statuses(report):
    return {row.name: row.status for row in report.rows}


# -- the whole domain -------------------------------------------------------------------------
async def test_a_correct_domain_passes_every_check(dns_server):
    report = await check(dns_server, good_zones())
    assert statuses(report) == {"MX": "pass", "SPF": "pass", "DKIM": "pass", "DMARC": "pass"}
    assert report.ok and report.verdict == "pass" and not report.offline
    spf = report.row("SPF")
    assert spf.record == "v=spf1 include:sendgrid.net ~all"
    assert "2 of 10 DNS look-ups" not in spf.summary  # include:sendgrid.net is one
    assert "1 of 10 DNS look-ups" in spf.summary
    assert "authorizes SendGrid (include:sendgrid.net)" in spf.summary
    assert report.row("DKIM").summary == "Selector s1: 2048-bit RSA key."
    assert report.row("MX").record == "10 mx1.good.test.\n20 mx2.good.test."
    assert "p=reject" in report.row("DMARC").summary


async def test_an_address_is_checked_by_its_domain(dns_server):
    report = await check(dns_server, good_zones(), "Alerts@Good.Test")
    assert report.domain == GOOD and report.ok


async def test_report_json_and_text(dns_server):
    report = await check(dns_server, good_zones(spf=["v=spf1 include:sendgrid.net ?all"],
                                                dmarc=None))
    data = json.loads(json.dumps(report.to_json()))
    assert data["ok"] is True and data["verdict"] == "warn" and data["offline"] is False
    assert [c["name"] for c in data["checks"]] == ["MX", "SPF", "DKIM", "DMARC"]
    assert data["checks"][1]["status"] == "warn"
    lines = format_report(report)
    assert lines[0] == f"Sender domain check of {GOOD}"
    assert any(line.startswith("✓ MX") for line in lines)
    assert any(line.startswith("! SPF") for line in lines)
    assert any(line.startswith("! DMARC") for line in lines)
    assert any("│ v=spf1 include:sendgrid.net ?all" in line for line in lines)
    assert all(len(line) <= 80 for line in lines)
    assert "\x1b" not in "".join(lines)  # marks, never colour codes


# -- MX ---------------------------------------------------------------------------------------
async def test_null_mx_fails_and_says_why(dns_server):
    report = await check(dns_server, good_zones(mx=["0 ."]))
    row = report.row("MX")
    assert row.status == "fail" and "null MX" in row.summary
    assert not report.ok


async def test_no_mx_but_an_address_is_a_warning(dns_server):
    report = await check(dns_server, good_zones(mx=None))
    row = report.row("MX")
    assert row.status == "warn" and "no MX record" in row.summary


async def test_no_mx_and_no_address_fails(dns_server):
    zones = good_zones(mx=None)
    del zones[GOOD]["A"]
    report = await check(dns_server, zones)
    assert report.row("MX").status == "fail"


# -- SPF --------------------------------------------------------------------------------------
async def test_no_spf_fails_with_a_record_to_publish(dns_server):
    report = await check(dns_server, good_zones(spf=[]))
    row = report.row("SPF")
    assert row.status == "fail" and "no SPF record" in row.summary
    assert any("v=spf1 include:sendgrid.net ~all" in step for step in row.advice)
    assert row.record is None


async def test_no_spf_without_a_known_include_suggests_a_template(dns_server):
    report = await check(dns_server, good_zones(spf=[]), provider="postmark")
    assert any("<your provider's SPF domain>" in step for step in report.row("SPF").advice)


async def test_two_spf_records_fail(dns_server):
    report = await check(dns_server, good_zones(spf=["v=spf1 include:sendgrid.net ~all",
                                                     "v=spf1 -all"]))
    row = report.row("SPF")
    assert row.status == "fail" and "2 SPF records" in row.summary


@pytest.mark.parametrize(("ending", "status"), [
    ("+all", "fail"), ("all", "fail"), ("?all", "warn"), ("~all", "pass"), ("-all", "pass"),
    ("", "warn"),
])
async def test_the_all_term(dns_server, ending, status):
    record = f"v=spf1 include:sendgrid.net {ending}".strip()
    report = await check(dns_server, good_zones(spf=[record]))
    assert report.row("SPF").status == status, report.row("SPF")


async def test_plus_all_says_anyone_can_send(dns_server):
    report = await check(dns_server, good_zones(spf=["v=spf1 include:sendgrid.net +all"]))
    row = report.row("SPF")
    assert "any server" in row.summary
    assert any("Replace +all with ~all" in step for step in row.advice)


async def test_a_syntax_error_fails(dns_server):
    report = await check(dns_server, good_zones(spf=["v=spf1 include:sendgrid.net ip4:1.2.3 ~all"]))
    row = report.row("SPF")
    assert row.status == "fail" and "syntax error" in row.summary
    assert any("not an IPv4 address" in step for step in row.advice)


async def test_over_the_lookup_limit_fails_naming_the_count(dns_server):
    chain = {f"hop{i}.test": {"TXT": [f"v=spf1 include:hop{i + 1}.test a mx ~all"]}
             for i in range(4)}
    chain["hop4.test"] = {"TXT": ["v=spf1 include:sendgrid.net -all"]}
    zones = good_zones(spf=["v=spf1 include:hop0.test mx ~all"]) | chain
    report = await check(dns_server, zones)
    row = report.row("SPF")
    # top: include + mx; hop0-3: include + a + mx each; hop4: include; sendgrid.net: none
    assert row.status == "fail"
    assert "The record needs 15 DNS look-ups" in row.summary
    assert any("flattening" in step for step in row.advice)


async def test_exactly_ten_lookups_is_within_the_limit(dns_server):
    zones = good_zones(spf=["v=spf1 include:ten.test ~all"])
    zones["ten.test"] = {"TXT": ["v=spf1 include:sendgrid.net a mx a:x.test mx:x.test "
                                 "a:y.test mx:y.test a:z.test mx:z.test -all"]}
    for name in ("ten.test", "x.test", "y.test", "z.test"):  # nothing void
        zones.setdefault(name, {}).update({"A": ["192.0.2.1"], "MX": ["10 mx.x.test."]})
    report = await check(dns_server, zones)
    assert report.row("SPF").status == "pass"
    assert "10 of 10 DNS look-ups" in report.row("SPF").summary


async def test_a_missing_provider_include_fails_with_the_fixed_record(dns_server):
    zones = good_zones(spf=["v=spf1 include:_spf.other.test -all"])
    zones["_spf.other.test"] = {"TXT": ["v=spf1 ip4:203.0.113.0/24 -all"]}
    report = await check(dns_server, zones)
    row = report.row("SPF")
    assert row.status == "fail" and "does not authorize SendGrid" in row.summary
    assert any("v=spf1 include:_spf.other.test include:sendgrid.net -all" in step
               for step in row.advice)


async def test_a_provider_include_after_all_does_not_count(dns_server):
    report = await check(dns_server, good_zones(spf=["v=spf1 -all include:sendgrid.net"]))
    row = report.row("SPF")
    assert row.status == "fail" and "does not authorize SendGrid" in row.summary
    assert any("never evaluated" in step for step in row.advice)


async def test_a_nested_provider_include_counts_as_authorized(dns_server):
    zones = good_zones(spf=["v=spf1 include:_spf.company.test -all"])
    zones["_spf.company.test"] = {"TXT": ["v=spf1 include:sendgrid.net -all"]}
    report = await check(dns_server, zones)
    assert report.row("SPF").status == "pass"
    assert "authorizes SendGrid" in report.row("SPF").summary


async def test_an_unknown_provider_include_is_never_a_failure(dns_server):
    zones = good_zones(spf=["v=spf1 include:_spf.other.test -all"])
    zones["_spf.other.test"] = {"TXT": ["v=spf1 ip4:203.0.113.0/24 -all"]}
    report = await check(dns_server, zones, provider="postmark")  # catalog: no include
    row = report.row("SPF")
    assert row.status == "pass"
    assert any("could not be told" in step for step in row.advice)


@pytest.mark.parametrize("provider", ["custom", "sandbox"])
async def test_a_server_of_ones_own_is_not_named_as_a_provider(dns_server, provider):
    zones = good_zones(spf=["v=spf1 include:_spf.other.test -all"])
    zones["_spf.other.test"] = {"TXT": ["v=spf1 ip4:203.0.113.0/24 -all"]}
    report = await check(dns_server, zones, provider=provider)
    row = report.row("SPF")
    assert row.status == "pass"
    said = " ".join([row.summary, *row.advice])
    assert "Other SMTP server" not in said and "sandbox" not in said.lower(), said


async def test_too_many_void_lookups_warn(dns_server):
    zones = good_zones(spf=["v=spf1 include:sendgrid.net a:gone1.test a:gone2.test "
                            "mx:gone3.test ~all"])
    report = await check(dns_server, zones)
    row = report.row("SPF")
    assert row.status == "warn" and "3 of the record's DNS look-ups find nothing" in row.summary
    assert any("publish no record" in step for step in row.advice)


async def test_two_void_lookups_are_allowed(dns_server):
    zones = good_zones(spf=["v=spf1 include:sendgrid.net a:gone1.test mx:gone2.test ~all"])
    zones["v6only.test"] = {"AAAA": ["2001:db8::1"]}
    zones[GOOD]["TXT"][-1] = zones[GOOD]["TXT"][-1].replace("~all", "a:v6only.test ~all")
    report = await check(dns_server, zones)
    assert report.row("SPF").status == "pass"


async def test_an_include_dns_cannot_answer_is_a_warning(dns_server):
    zones = good_zones(spf=["v=spf1 include:sendgrid.net include:down.test ~all"])
    zones["down.test"] = "servfail"
    report = await check(dns_server, zones)
    row = report.row("SPF")
    assert row.status == "warn" and "could not be followed" in row.summary


# -- DKIM -------------------------------------------------------------------------------------
async def test_revoked_dkim_key_fails(dns_server):
    report = await check(dns_server, good_zones(dkim=["v=DKIM1; k=rsa; p="]))
    row = report.row("DKIM")
    assert row.status == "fail" and "revoked" in row.summary
    assert row.record == "v=DKIM1; k=rsa; p="


async def test_a_512_bit_key_fails(dns_server):
    report = await check(dns_server, good_zones(dkim=[dkim_record(rsa_key(512))]))
    row = report.row("DKIM")
    assert row.status == "fail" and "512-bit RSA key" in row.summary


async def test_a_1024_bit_key_warns(dns_server):
    report = await check(dns_server, good_zones(dkim=[dkim_record(rsa_key(1024))]))
    row = report.row("DKIM")
    assert row.status == "warn" and "1024-bit" in row.summary
    assert "2048" in row.advice[0]


async def test_an_ed25519_key_passes(dns_server):
    record = f"v=DKIM1; k=ed25519; p={ed25519_key()}"
    report = await check(dns_server, good_zones(dkim=[record]))
    assert report.row("DKIM").status == "pass"
    assert "Ed25519" in report.row("DKIM").summary


async def test_a_key_split_across_txt_strings_is_joined(dns_server):
    record = dkim_record()
    pieces = tuple(record[i:i + 100] for i in range(0, len(record), 100))
    assert len(pieces) > 3
    report = await check(dns_server, good_zones(dkim=[pieces]))
    row = report.row("DKIM")
    assert row.status == "pass" and row.record == record


async def test_a_dkim_cname_to_the_provider_is_followed(dns_server):
    zones = good_zones(dkim=None)
    zones[f"s1._domainkey.{GOOD}"] = {"CNAME": ["s1.domainkey.u123.wl.sendgrid.net."]}
    zones["s1.domainkey.u123.wl.sendgrid.net"] = {"TXT": [dkim_record()]}
    report = await check(dns_server, zones)
    assert report.row("DKIM").status == "pass"


async def test_the_selector_given_is_used_and_a_missing_one_fails(dns_server):
    zones = good_zones(selector="mail2024")
    report = await check(dns_server, zones, dkim_selector="mail2024")
    assert report.row("DKIM").summary.startswith("Selector mail2024:")
    report = await check(dns_server, zones, dkim_selector="other")
    row = report.row("DKIM")
    assert row.status == "fail" and "other._domainkey.good.test" in row.summary


async def test_provider_selectors_not_found_warn(dns_server):
    report = await check(dns_server, good_zones(dkim=None))
    row = report.row("DKIM")
    assert row.status == "warn" and "(s1 or s2)" in row.summary
    assert any("--dkim-selector" in step for step in row.advice)


async def test_no_known_selector_is_information_only(dns_server):
    report = await check(dns_server, good_zones(), provider="postmark")
    row = report.row("DKIM")
    assert row.status == "info" and row.advice == [
        "Pass --dkim-selector with the selector your provider signs with (the s= in a "
        "received message's DKIM-Signature header)."]


def test_dkim_tags_and_key_problems():
    assert parse_tags(" v=DKIM1 ; k=rsa;p=abc ; ") == {"v": "DKIM1", "k": "rsa", "p": "abc"}
    assert read_key_record("v=DKIM1; p=abc; p=def").problems  # a repeated tag
    assert read_key_record("v=DKIM2; p=" + rsa_key(2048)).problems
    assert read_key_record("v=DKIM1; k=rsa").problems  # no p=
    assert "base64" in read_key_record("v=DKIM1; p=!!!").problems[0]
    assert "readable public key" in read_key_record("v=DKIM1; p=AAAA").problems[0]
    assert read_key_record("v=DKIM1; k=dsa; p=AAAA").problems
    assert "32 bytes" in read_key_record("v=DKIM1; k=ed25519; p=AAAA").problems[0]
    assert read_key_record("v=DKIM1; s=other; p=" + rsa_key(2048)).problems
    spaced = "v=DKIM1; p=" + " ".join(rsa_key(2048)[i:i + 40] for i in range(0, 392, 40))
    assert read_key_record(spaced).bits == 2048  # folding white space inside p=
    testing = read_key_record("v=DKIM1; t=y; p=" + rsa_key(2048))
    assert testing.testing and testing.warnings
    assert read_key_record("v=DKIM1; h=sha1; p=" + rsa_key(2048)).warnings


# -- DMARC ------------------------------------------------------------------------------------
async def test_dmarc_none_is_monitoring_only(dns_server):
    report = await check(dns_server, good_zones(dmarc=["v=DMARC1; p=none; rua=mailto:d@good.test"]))
    row = report.row("DMARC")
    assert row.status == "warn" and "monitoring only" in row.summary
    assert any("p=quarantine" in step for step in row.advice)


async def test_no_dmarc_warns_with_a_starter_record(dns_server):
    report = await check(dns_server, good_zones(dmarc=None))
    row = report.row("DMARC")
    assert row.status == "warn" and row.record is None
    assert any("v=DMARC1; p=none; rua=mailto:dmarc-reports@good.test" in step
               for step in row.advice)


async def test_two_dmarc_records_fail(dns_server):
    report = await check(dns_server, good_zones(dmarc=["v=DMARC1; p=reject", "v=DMARC1; p=none"]))
    assert report.row("DMARC").status == "fail"


async def test_dmarc_without_a_policy_fails(dns_server):
    report = await check(dns_server, good_zones(dmarc=["v=DMARC1; pct=100"]))
    row = report.row("DMARC")
    assert row.status == "fail" and "invalid" in row.summary


async def test_dmarc_without_rua_gets_advice(dns_server):
    report = await check(dns_server, good_zones(dmarc=["v=DMARC1; p=quarantine"]))
    row = report.row("DMARC")
    assert row.status == "pass"
    assert any("rua=mailto:dmarc-reports@good.test" in step for step in row.advice)


async def test_a_subdomain_inherits_the_parent_policy(dns_server):
    zones = good_zones(dmarc=["v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@good.test"])
    zones["mail.good.test"] = {"MX": ["10 mx1.good.test."],
                               "TXT": ["v=spf1 include:sendgrid.net -all"]}
    report = await check(dns_server, zones, "mail.good.test", provider=None)
    row = report.row("DMARC")
    assert row.status == "pass"
    assert "p=quarantine (inherited from good.test)" in row.summary


def test_dmarc_policy_reading():
    assert read_policy("v=DMARC1; rua=mailto:a@b.test").policy == "none"  # RFC 7489 6.6.3
    assert read_policy("v=DMARC1; p=reject; pct=50").pct == 50
    assert read_policy("v=DMARC1; p=bogus").policy is None
    assert parent_names("a.b.example.com") == ["b.example.com", "example.com"]
    assert parent_names("example.com") == []


# -- DNS trouble ------------------------------------------------------------------------------
async def test_a_silent_dns_server_means_offline_not_failures(dns_server):
    started = time.perf_counter()
    report = await check(dns_server, {}, default="silent", timeout=1.0)
    elapsed = time.perf_counter() - started
    assert report.offline and report.rows == []
    assert not report.ok and report.verdict == "fail"
    assert "DNS gave no answer" in report.problem and "--nameserver" in report.problem
    assert elapsed < 2.0
    assert format_report(report)[1].startswith("✗ DNS gave no answer")


async def test_a_dns_server_that_is_not_there_means_offline(dns_server):
    from smtp_fixtures import free_port

    report = await check_domain(GOOD, nameserver=f"127.0.0.1:{free_port()}", timeout=1.0)
    assert report.offline and report.rows == []


async def test_one_slow_name_leaves_the_other_checks_standing(dns_server):
    zones = good_zones()
    report = await check(dns_server, zones, timeout=1.0, delays={f"_dmarc.{GOOD}": 5})
    assert not report.offline
    assert statuses(report) == {"MX": "pass", "SPF": "pass", "DKIM": "pass", "DMARC": "warn"}
    assert "did not finish" in report.row("DMARC").summary or "could not be done" in (
        report.row("DMARC").summary)


async def test_servfail_on_one_name_is_a_warning(dns_server):
    zones = good_zones(dmarc=None)
    zones[f"_dmarc.{GOOD}"] = "servfail"
    report = await check(dns_server, zones)
    row = report.row("DMARC")
    assert row.status == "warn" and "could not be done" in row.summary
    assert not report.offline


# -- input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "  ", "localhost", "not a domain", "192.0.2.1",
                                  "a@", "exa mple.com"])
def test_unusable_domains_are_refused_with_a_sentence(text):
    with pytest.raises(InvalidInput) as caught:
        sender_domain(text)
    assert caught.value.message.endswith(".")


async def test_a_bad_nameserver_or_selector_is_refused():
    with pytest.raises(InvalidInput, match="not an IP address"):
        await check_domain(GOOD, nameserver="dns.example.com")
    with pytest.raises(InvalidInput, match="not a DKIM selector"):
        await check_domain(GOOD, dkim_selector="bad selector", nameserver="127.0.0.1:1")
