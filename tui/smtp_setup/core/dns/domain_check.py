"""The sender-domain check: will receivers trust mail from this domain? MX, SPF, DKIM and
DMARC, each looked up with DNS (locally, in the open; never through a web service) and
judged as pass / warn / fail with plain next steps.

The four checks run concurrently under one time limit. When DNS gives no answer at all
(offline, no server, every query timed out) the report says so in one sentence instead of
failing every row. Parsing and judging live in spf.py, dkim.py and dmarc.py; the report
types in domain_report.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
from time import perf_counter
from typing import Any

from smtp_setup.core.catalog.loader import Provider, load_catalog
from smtp_setup.core.dns.client import DnsProblem, lookup, make_resolver, txt_records
from smtp_setup.core.dns.dkim import check_dkim
from smtp_setup.core.dns.dmarc import check_dmarc, is_dmarc, parent_names
from smtp_setup.core.dns.domain_report import CheckRow, DomainReport, format_report
from smtp_setup.core.dns.spf_verdict import check_spf
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.i18n import _, ngettext

__all__ = ["CheckRow", "DomainReport", "check_domain", "format_report", "sender_domain"]

_OFFLINE_KINDS = ("timeout", "no_servers", "error")  # no server answered at all


def sender_domain(text: str) -> str:
    """The domain to check from a domain or an address (`alerts@example.com`), lower case,
    without a trailing dot. Raises InvalidInput (a ValueError) with one sentence."""
    domain = text.strip().rpartition("@")[2].strip().rstrip(".").lower()
    if not domain:
        raise InvalidInput("domain", _("Give a domain to check, e.g. example.com."))
    try:
        ipaddress.ip_address(domain.strip("[]"))
    except ValueError:
        pass
    else:
        raise InvalidInput("domain", _("{domain} is an address; give the domain name that "
                                       "follows the @ in the From address.").format(
            domain=domain))
    if (error := validation.host(domain)) or "." not in domain:
        raise InvalidInput("domain", error or _("{domain} is not a full domain name such as "
                                                "example.com.").format(domain=repr(domain)))
    return domain


async def check_domain(domain: str, *, provider_id: str | None = None,
                       dkim_selector: str | None = None, nameserver: str | None = None,
                       timeout: float = 8.0) -> DomainReport:
    """Check MX, SPF, DKIM and DMARC of `domain` (an address works too).

    `provider_id`: the catalog provider the mail goes through, for its SPF include and DKIM
    selectors. `dkim_selector`: the selector to look up instead of the provider's.
    `nameserver` ("HOST[:PORT]"): ask only that DNS server. The whole check ends within
    about `timeout` seconds. Raises InvalidInput (a ValueError) for a domain, selector or
    nameserver that cannot be used; everything DNS does becomes part of the report.
    """
    domain = sender_domain(domain)
    selector = (dkim_selector or "").strip().strip(".") or None
    if selector is not None and validation.host(selector):
        raise InvalidInput("dkim_selector", _("{selector} is not a DKIM selector: use "
                                              "letters, digits, hyphens and dots, e.g. s1 or "
                                              "google.").format(selector=repr(selector)))
    if not timeout > 0:
        raise InvalidInput("timeout", _("The time limit must be more than 0 seconds."))
    provider = _provider(provider_id)
    lifetime = max(0.2, timeout * 0.75)  # one question; the rest is left for includes
    try:
        resolver = make_resolver(nameserver, timeout=min(2.0, lifetime / 2), lifetime=lifetime)
    except ValueError as exc:
        raise InvalidInput("nameserver", str(exc)) from None
    dns = _Dns(resolver)
    started = perf_counter()
    selectors = [selector] if selector else list(provider.dkim_selectors if provider else ())
    checks = {
        "MX": _mx_row(dns, domain),
        "SPF": _spf_row(dns, domain, provider),
        "DKIM": _dkim_row(dns, domain, selectors, asked=selector is not None,
                          provider=provider),
        "DMARC": _dmarc_row(dns, domain),
    }
    tasks = {name: asyncio.ensure_future(coro) for name, coro in checks.items()}
    try:
        _done, late = await asyncio.wait(tasks.values(), timeout=timeout)
    finally:  # on time-out, or when our caller cancels us: leave nothing running
        for task in tasks.values():
            task.cancel()
    if late:
        await asyncio.wait(late)
    rows = [_result(name, task, timeout) for name, task in tasks.items()]
    report = DomainReport(domain, rows, provider=provider.id if provider else None,
                          ms=(perf_counter() - started) * 1000)
    if not dns.answered and (dns.problems or any(t.cancelled() for t in tasks.values())):
        report.rows, report.offline = [], True
        report.problem = _offline_sentence(domain, dns.problems, timeout)
    return report


# Catalog entries that are no sending service: their name says nothing to judge SPF by.
_NO_SERVICE = frozenset({"custom", "sandbox"})


def _provider(provider_id: str | None) -> Provider | None:
    if not provider_id or provider_id in _NO_SERVICE:
        return None
    try:
        catalog = load_catalog()
        return catalog.get(provider_id) if provider_id in catalog else None
    except Exception:  # the check still works without provider knowledge
        return None


def _result(name: str, task: asyncio.Future[Any], timeout: float) -> CheckRow:
    if task.cancelled():
        return CheckRow(name, "warn", _("The {name} check did not finish within {limit} s: "
                                        "DNS answered too slowly.").format(
            name=name, limit=f"{timeout:g}"), [_("Run the check again.")])
    error = task.exception()
    if isinstance(error, DnsProblem):
        return CheckRow(name, "warn", _("The {name} check could not be done: {error}").format(
            name=name, error=error),
                        [_("Receivers may meet the same DNS trouble; run the check again, and "
                           "if it persists ask whoever hosts the domain's DNS.")])
    if error is not None:
        raise error
    return task.result()


def _offline_sentence(domain: str, problems: list[DnsProblem], timeout: float) -> str:
    kinds = {p.kind for p in problems}
    if "no_servers" in kinds:
        why = _("no DNS server is configured on this computer")
    elif kinds == {"timeout"} or not kinds:
        why = _("no DNS server answered within {limit} s").format(limit=f"{timeout:g}")
    else:
        why = _("the DNS server could not be reached")
    return _("DNS gave no answer ({reason}), so {domain} could not be checked: check the "
             "network connection, or give a working DNS server with --nameserver.").format(
        reason=why, domain=domain)


class _Dns:
    """The look-ups of one check, noting whether any server answered at all."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self.answered = 0
        self.problems: list[DnsProblem] = []

    async def _ask(self, coro: Any) -> Any:
        try:
            result = await coro
        except DnsProblem as problem:
            if problem.kind in _OFFLINE_KINDS:
                self.problems.append(problem)
            else:
                self.answered += 1  # a SERVFAIL is an answer: the server is there
            raise
        self.answered += 1
        return result

    async def txt(self, name: str) -> list[str]:
        return await self._ask(txt_records(self.resolver, name))

    async def records(self, name: str, rdtype: str) -> list[Any]:
        return await self._ask(lookup(self.resolver, name, rdtype))


# -- the four checks --------------------------------------------------------------------------
async def _mx_row(dns: _Dns, domain: str) -> CheckRow:
    mx = sorted((r.preference, r.exchange.to_text()) for r in await dns.records(domain, "MX"))
    record = "\n".join(f"{pref} {host}" for pref, host in mx) or None
    if any(host in (".", "") for _pref, host in mx):
        return CheckRow("MX", "fail", _(
            "{domain} publishes a null MX (RFC 7505): it declares that it accepts no mail, so "
            "replies and bounces cannot come back, and receivers may refuse mail from "
            "it.").format(domain=domain),
                        [_("Send from an address at a domain that receives mail, or replace "
                           "the null MX with your mail servers' MX records.")], record)
    if mx:
        hosts = [host.rstrip(".") for _pref, host in mx]
        summary = _("Mail to {domain} goes to {host}, so replies and bounces can come "
                    "back.") if len(hosts) == 1 else ngettext(
            "Mail to {domain} goes to {host} and {count} more, so replies and bounces can "
            "come back.", "Mail to {domain} goes to {host} and {count} more, so replies and "
            "bounces can come back.", len(hosts) - 1)
        return CheckRow("MX", "pass", summary.format(domain=domain, host=hosts[0],
                                                     count=len(hosts) - 1), [], record)
    addresses = await asyncio.gather(dns.records(domain, "A"), dns.records(domain, "AAAA"),
                                     return_exceptions=True)
    if any(isinstance(a, list) and a for a in addresses):
        return CheckRow("MX", "warn", _(
            "{domain} has no MX record; mail to it falls back to the domain's own address "
            "(RFC 5321), which often has no mail server listening.").format(domain=domain),
                        [_("Publish MX records for {domain} pointing at the servers that "
                           "receive its mail, so replies and bounces arrive.").format(
                            domain=domain)])
    return CheckRow("MX", "fail", _(
        "{domain} has no MX record and no address, so mail to it cannot be delivered; many "
        "receivers refuse mail from such a domain.").format(domain=domain),
                    [_("Check the spelling of {domain}; if it is right, publish MX records "
                       "for it (your mailbox provider lists them).").format(domain=domain)])


async def _spf_row(dns: _Dns, domain: str, provider: Provider | None) -> CheckRow:
    texts = await dns.txt(domain)
    return await check_spf(domain, texts, dns.txt, resolve=dns.records,
                           include=provider.spf_include if provider else None,
                           provider_name=provider.name if provider else None)


async def _dkim_row(dns: _Dns, domain: str, selectors: list[str], *, asked: bool,
                    provider: Provider | None) -> CheckRow:
    answers = await asyncio.gather(*(dns.txt(f"{s}._domainkey.{domain}") for s in selectors),
                                   return_exceptions=True)
    found: dict[str, list[str]] = {}
    trouble: dict[str, str] = {}
    for selector, answer in zip(selectors, answers, strict=True):
        if isinstance(answer, DnsProblem):
            trouble[selector] = str(answer)
        elif isinstance(answer, BaseException):
            raise answer
        else:
            found[selector] = answer
    return check_dkim(domain, found, asked=asked, trouble=trouble,
                      provider_name=provider.name if provider else None)


async def _dmarc_row(dns: _Dns, domain: str) -> CheckRow:
    texts = await dns.txt(f"_dmarc.{domain}")
    if any(is_dmarc(t) for t in texts) or not (parents := parent_names(domain)):
        return check_dmarc(domain, texts)
    answers = await asyncio.gather(*(dns.txt(f"_dmarc.{p}") for p in parents),
                                   return_exceptions=True)
    for parent, answer in zip(parents, answers, strict=True):  # the nearest record applies
        if isinstance(answer, list) and any(is_dmarc(t) for t in answer):
            return check_dmarc(domain, answer, inherited_from=parent)
    return check_dmarc(domain, texts)
