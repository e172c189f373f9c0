"""The five discovery sources, each an async function filling in a `Run`: what it found and
what it said, kept even when the shared time limit stops it half-way. `discovery.discover`
runs them all at once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from smtp_setup.core.catalog.loader import Provider, load_catalog
from smtp_setup.core.discovery import autoconfig
from smtp_setup.core.discovery.report import (
    CATALOG_SOURCE,
    SourceOutcome,
    Suggestion,
    add_sentence,
    join_notes,
)
from smtp_setup.core.dns import client as dns_client
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.probe_ports import Candidate, provider_for_host
from smtp_setup.i18n import _, ngettext

SOURCES = ("catalog", "autoconfig", "srv", "mx", "guess")  # the order ties are broken in
GUESS_PREFIXES = ("smtp", "mail")
GUESS_PORTS = (Candidate(465, Security.TLS), Candidate(587, Security.STARTTLS))  # TLS only
SRV_LABELS = (("_submissions._tcp", Security.TLS), ("_submission._tcp", Security.STARTTLS))

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What every source of one discovery shares."""

    address: str
    domain: str
    resolver: Any
    deadline: float  # loop time when everything stops
    timeout: float
    probe: bool
    allow_http: bool
    ports: dict[str, int]
    guess_ports: list[Candidate]
    ca_file: str | None
    nameserver: str | None  # HOST[:PORT] the resolver asks, also for connections

    @property
    def local(self) -> str:
        return self.address.partition("@")[0] if "@" in self.address else ""

    def left(self) -> float:
        return self.deadline - asyncio.get_running_loop().time()


class Run:
    """One source's run: what it found and its notes, kept even when time runs out."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[Suggestion] = []
        self.notes: list[str] = []
        self.status = "none"
        self.ms = 0.0

    async def run(self, ctx: Context) -> None:
        started = perf_counter()
        try:
            await SOURCE_FUNCTIONS[self.name](ctx, self)
            if self.status == "none":  # a source may have said "skipped", "failed" ...
                self.status = "found" if self.found else "none"
        except asyncio.CancelledError:
            self.status = "timed_out"
            self.notes.append(_("no answer within the {limit} s limit").format(
                limit=f"{ctx.timeout:g}"))
            raise
        except dns_client.DnsProblem as exc:
            self.status = "timed_out" if exc.kind == "timeout" else "failed"
            self.notes.append(str(exc))
        except Exception as exc:  # one broken source must not sink the others
            log.exception("discovery source %s failed", self.name)
            self.status = "failed"
            self.notes.append(_("unexpected error: {error}").format(error=exc))
        finally:
            self.ms = (perf_counter() - started) * 1000

    def outcome(self) -> SourceOutcome:
        detail = join_notes(self.notes) or _("nothing found")
        return SourceOutcome(self.name, self.status not in ("failed", "timed_out"),
                             detail, self.ms, self.status)


def _username(kind: str, ctx: Context, literal: str = "") -> str:
    return {"email": ctx.address if ctx.local else "", "localpart": ctx.local,
            "literal": literal}.get(kind, "")


def _from_provider(provider: Provider, ctx: Context, source: str, confidence: str,
                   hint: str) -> Suggestion | None:
    """The provider's recommended setting; of its regional hosts, the one whose domain the
    `hint` (the email domain or the MX host) ends with, e.g. mx.zoho.eu -> smtp.zoho.eu."""
    host, region = _regional_host(provider, hint)
    if not host:
        return None
    option = provider.recommended
    note = (_("The {region} server, chosen because {hint} is in that region.").format(
        region=region, hint=hint) if region and host != provider.default_host else "")
    return Suggestion(provider.id, host, option.port, option.security,
                      provider.username_kind, source, confidence,
                      _username(provider.username_kind, ctx, provider.username_value),
                      note=note)


def _regional_host(provider: Provider, hint: str) -> tuple[str, str]:
    """(host, region key) for `hint`: the host whose domain (its name without the first
    label) is the longest that `hint` ends with; else the default host."""
    best, best_len = (provider.default_host, ""), 0
    for region, host in provider.hosts.items():
        base = host.casefold().partition(".")[2]
        if base and (hint == base or hint.endswith("." + base)) and len(base) > best_len:
            best, best_len = (host, region), len(base)
    return best


async def _catalog(ctx: Context, run: Run) -> None:
    provider = load_catalog().for_email_domain(ctx.domain)
    if provider is None:
        run.notes.append(_("{domain} is not a mailbox domain in the catalog").format(
            domain=ctx.domain))
        return
    suggestion = _from_provider(provider, ctx, CATALOG_SOURCE, "high", ctx.domain)
    if suggestion:
        run.found.append(suggestion)
    run.notes.append(_("{domain} is {provider}").format(domain=ctx.domain,
                                                         provider=provider.name))


async def _mx(ctx: Context, run: Run) -> None:
    records = await dns_client.lookup(ctx.resolver, ctx.domain, "MX")
    hosts = [r.exchange.to_text().rstrip(".").casefold()
             for r in sorted(records, key=lambda r: (r.preference, r.exchange.to_text()))]
    if not hosts:
        run.notes.append(_("{domain} has no MX record").format(domain=ctx.domain))
        return
    if hosts == [""]:
        run.notes.append(_("{domain} publishes a null MX: it accepts no mail").format(
            domain=ctx.domain))
        return
    catalog, seen = load_catalog(), set()
    for host in hosts:
        provider = catalog.for_mx_host(host)
        if provider is None or provider.id in seen:
            continue
        seen.add(provider.id)
        # A mailbox provider receiving the mail almost always sends it too; a transactional
        # service receiving it (inbound parsing) says less about how the domain sends.
        confidence = "high" if provider.group == "mailbox" else "medium"
        if suggestion := _from_provider(provider, ctx, f"MX {host}", confidence, host):
            run.found.append(suggestion)
        run.notes.append(_("MX {host} is {provider}").format(host=host, provider=provider.name))
    if not seen:
        shown = ", ".join(hosts[:3]) + (" ..." if len(hosts) > 3 else "")
        run.notes.append(_("MX {hosts} matches no provider in the catalog").format(
            hosts=shown))


async def _srv(ctx: Context, run: Run) -> None:
    names = [f"{label}.{ctx.domain}" for label, _security in SRV_LABELS]
    answers = await asyncio.gather(*(dns_client.lookup(ctx.resolver, n, "SRV") for n in names),
                                   return_exceptions=True)
    problems = []
    for (label, security), answer in zip(SRV_LABELS, answers, strict=True):
        if isinstance(answer, dns_client.DnsProblem):
            problems.append(answer)
            continue
        if isinstance(answer, BaseException):
            raise answer
        records = sorted(answer, key=lambda r: (r.priority, -r.weight))
        if not records:
            run.notes.append(_("no {label} record").format(label=label))
        elif all(r.target.to_text() == "." for r in records):
            run.notes.append(_("{label}: not offered (target \".\")").format(label=label))
        for record in records[:3]:
            target = record.target.to_text().rstrip(".").casefold()
            if not target or validation.host(target) or not 1 <= record.port <= 65535:
                continue
            inside = target == ctx.domain or target.endswith("." + ctx.domain)
            provider = provider_for_host(target)
            note = "" if inside else _(
                "{target} is outside {domain}; without DNSSEC an SRV record can be forged, "
                "so check that this is your provider's server.").format(
                target=target, domain=ctx.domain)
            run.found.append(Suggestion(
                provider.id if provider else None, target, record.port, security, "email",
                f"SRV {label}", "high" if inside or provider else "medium",
                _username("email", ctx), note=note, username_stated=False))
            run.notes.append(_("{label}: {target} port {port}").format(
                label=label, target=target, port=record.port))
    if problems and len(problems) == len(names):
        raise problems[0]
    run.notes.extend(str(p) for p in problems)


async def _autoconfig(ctx: Context, run: Run) -> None:
    urls = autoconfig.autoconfig_urls(ctx.address, ctx.domain, allow_http=ctx.allow_http)
    run.notes.append(_("HTTPS, then plain HTTP as Thunderbird does") if ctx.allow_http
                     else _("HTTPS only (plain HTTP not tried)"))
    margin = min(0.5, ctx.timeout * 0.1)  # finish before the shared limit to report each URL

    failures: set[str] = set()  # "timeout" or "error"; a file that is simply absent is neither
    said: dict[int, str] = {}  # per URL, reported in the order the URLs are tried

    async def one(index: int, url: str) -> None:
        shown = url.split("?", 1)[0]  # the address stays out of reports and logs
        try:
            async with asyncio.timeout(max(0.05, ctx.left() - margin)):
                body = await autoconfig.fetch(url, ctx.resolver, ports=ctx.ports,
                                              ca_file=ctx.ca_file)
            servers = autoconfig.parse_config(body, ctx.address, ctx.domain)
        except TimeoutError:
            said[index] = _("{url}: no answer in time").format(url=shown)
            failures.add("timeout")
            return
        except autoconfig.AutoconfigError as exc:
            said[index] = _("{url}: {reason}").format(url=shown, reason=exc)
            if not exc.absent:
                failures.add("error")
            return
        except dns_client.DnsProblem as exc:
            said[index] = _("{url}: {reason}").format(url=shown, reason=exc)
            failures.add("timeout" if exc.kind == "timeout" else "error")
            return
        if not servers:
            said[index] = _("{url}: lists no SMTP server").format(url=shown)
            return
        said[index] = ngettext("{url}: {count} SMTP server", "{url}: {count} SMTP servers",
                               len(servers)).format(url=shown, count=len(servers))
        plain_http = url.startswith("http:")
        for server in servers:
            provider = provider_for_host(server.host)
            note = ""
            if plain_http:
                note = add_sentence(note, _("Fetched over plain HTTP, which anyone on the "
                                            "network path could have changed."))
            if server.security is Security.NONE:
                note = add_sentence(note, _("The file offers this server without "
                                            "encryption."))
            if server.authentication and all(
                    a.casefold() == "oauth2" for a in server.authentication):
                note = add_sentence(note, _("The provider lists only OAuth2 sign-in; an app "
                                            "password may be needed."))
            run.found.append(Suggestion(
                provider.id if provider else None, server.host, server.port, server.security,
                server.username_kind, f"autoconfig {shown}",
                "medium" if plain_http or server.security is Security.NONE else "high",
                server.username, note=note,
            ))

    try:
        await asyncio.gather(*(one(i, url) for i, url in enumerate(urls)))
    finally:  # also when time runs out: what each URL said so far
        run.notes.extend(said[i] for i in sorted(said))
    if not run.found and failures:  # nothing published is "none"; anything else is reported
        run.status = "timed_out" if failures <= {"timeout"} else "failed"


async def _guess(ctx: Context, run: Run) -> None:
    if not ctx.probe:
        run.status = "skipped"
        run.notes.append(_("the port check is off, so guesses cannot be confirmed"))
        return
    from smtp_setup.core.smtp.probe import probe_host

    names = [f"{prefix}.{ctx.domain}" for prefix in GUESS_PREFIXES]
    found = await asyncio.gather(*(dns_client.resolve_host(ctx.resolver, n) for n in names),
                                 return_exceptions=True)
    if all(isinstance(f, dns_client.DnsProblem) for f in found):
        raise found[0]  # DNS itself failed: the source failed (or timed out)
    existing = []
    for name, addresses in zip(names, found, strict=True):
        if isinstance(addresses, BaseException):
            if not isinstance(addresses, dns_client.DnsProblem):
                raise addresses
            run.notes.append(_("{name}: {problem}").format(name=name, problem=addresses))
        elif not addresses:
            run.notes.append(_("{name} does not exist").format(name=name))
        else:
            existing.append(name)
    if not existing:
        return

    async def check(name: str) -> None:
        # The name's address comes from the same DNS server (the system resolver stays out
        # when one is named); the certificate is checked against the name.
        limit = max(0.1, min(5.0, ctx.left() - min(0.5, ctx.timeout * 0.1)))
        report = await probe_host(name, ctx.guess_ports, timeout=limit, ca_file=ctx.ca_file,
                                  nameserver=ctx.nameserver)
        usable = [r for r in report.results if r.usable]
        ports = ", ".join(f"{r.port}/{r.security}" for r in usable)
        run.notes.append(_("{name}: {ports} answer").format(name=name, ports=ports) if usable
                         else _("{name}: no port answered").format(name=name))
        provider = provider_for_host(name)
        for result in usable:
            run.found.append(Suggestion(
                provider.id if provider else None, name, result.port, result.security,
                "email", f"guess {name} (port check)", "low", _username("email", ctx),
                note="" if result.login_mechanisms else _("The server offers no login here."),
                username_stated=False))

    await asyncio.gather(*(check(name) for name in existing))


SOURCE_FUNCTIONS = {"catalog": _catalog, "mx": _mx, "srv": _srv, "autoconfig": _autoconfig,
                     "guess": _guess}
