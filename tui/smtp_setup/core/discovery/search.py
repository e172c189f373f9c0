"""Find a domain's outgoing mail server from an email address, in the open and with DNS only.

Five sources run at the same time under one time limit; each says where a suggestion came
from and how sure it is, and one that fails (no DNS, an HTTP error, a time-out) is reported
and skipped, never fatal:

1. catalog   the catalog's own mailbox domains (gmail.com is Gmail);
2. mx        the domain's MX hosts matched against the catalog's MX patterns;
3. srv       RFC 6186 / RFC 8314 SRV records `_submissions._tcp` and `_submission._tcp`;
4. autoconfig Mozilla autoconfig files, HTTPS first (autoconfig.py);
5. guess     smtp.<domain> and mail.<domain>, when they exist, confirmed by the port check.

With the port check on, every other suggestion's port is checked too, in the time left: a
suggestion whose port does not answer from here is never "high" confidence.

Every DNS question, including the look-ups of names fetched over HTTP and of guessed hosts,
goes through dns_client, so `nameserver` controls them all. Suggestions are ranked by
confidence, then implicit TLS before STARTTLS before none (RFC 8314), then source order.
The sources live in sources.py, the report and ranking in report.py; every sentence and
note they make follows the chosen language, while codes, host names, URLs and a
suggestion's `source` stay the same in every language.
"""

from __future__ import annotations

import asyncio
from time import perf_counter

from smtp_setup.core.discovery.report import (
    CONFIDENCES,
    DiscoveryReport,
    SourceOutcome,
    Suggestion,
    add_sentence,
    format_report,
    rank,
)
from smtp_setup.core.discovery.sources import GUESS_PORTS, SOURCES, Context, Run
from smtp_setup.core.dns import client as dns_client
from smtp_setup.core.profiles import validation
from smtp_setup.core.smtp.probe_ports import Candidate
from smtp_setup.i18n import _

__all__ = ["CONFIDENCES", "DiscoveryReport", "SourceOutcome", "Suggestion", "discover",
           "format_report", "rank", "split_address"]


def split_address(address: str) -> tuple[str, str]:
    """(address, domain) from `user@example.com` or a bare `example.com`; an international
    domain comes back in its ASCII form (xn--...). Raises ValueError with one sentence when
    there is no usable domain."""
    text = address.strip()
    domain = text.rpartition("@")[2].rstrip(".").casefold()
    if not domain or (error := validation.host(domain)) or "." not in domain:
        if domain and error:
            raise ValueError(_("{address} has no domain to look up ({reason}): give an email "
                               "address such as alerts@example.com.").format(
                address=repr(text), reason=error))
        raise ValueError(_("{address} has no domain to look up: give an email address such "
                           "as alerts@example.com.").format(address=repr(text)))
    if "@" in text and not text.partition("@")[0]:
        raise ValueError(_("{address} has nothing before the @: give the whole address.").format(
            address=repr(text)))
    return text, domain.encode("idna").decode("ascii")  # DNS and HTTP speak A-labels


async def discover(address: str, *, nameserver: str | None = None, timeout: float = 8.0,
                   probe: bool = True, http_port: int | None = None,
                   https_port: int | None = None, allow_http: bool = False,
                   guess_ports: list[Candidate] | None = None,
                   ca_file: str | None = None) -> DiscoveryReport:
    """Ask every source at once and rank what they suggest; never longer than `timeout`.

    `nameserver` (HOST[:PORT]) receives every DNS question, including the addresses of the
    suggested servers. `probe=False` skips the guesses and the check of the suggestions'
    ports. `allow_http` adds Thunderbird's plain-HTTP autoconfig URLs
    after the HTTPS ones; `http_port`/`https_port` replace 80/443 and `guess_ports` the
    guessed ports (tests on loopback); `ca_file` adds a trust anchor for HTTPS and the port
    check. Raises ValueError (one sentence) for a bad address or nameserver.
    """
    address, domain = split_address(address)
    if not timeout > 0:
        raise ValueError(_("The time limit must be more than 0 seconds."))
    lifetime = min(4.0, timeout / 2)  # DNS gives up first, so its own sentence is reported
    resolver = dns_client.make_resolver(nameserver, timeout=lifetime / 2, lifetime=lifetime)
    loop = asyncio.get_running_loop()
    ports = {k: v for k, v in (("http", http_port), ("https", https_port)) if v}
    ctx = Context(address, domain, resolver, loop.time() + timeout, timeout, probe,
                  allow_http, ports, list(guess_ports or GUESS_PORTS), ca_file, nameserver)
    runs = [Run(name) for name in SOURCES]
    started = perf_counter()
    try:
        async with asyncio.timeout(timeout), asyncio.TaskGroup() as group:
            for run in runs:
                group.create_task(run.run(ctx))
    except TimeoutError:
        pass  # each unfinished source has marked itself timed out
    suggestions = rank([s for run in runs for s in run.found])
    if probe and (left := ctx.left()) > 0.1:
        await confirm_ports(suggestions, timeout=left, nameserver=nameserver, ca_file=ca_file)
        suggestions = rank(suggestions)
    return DiscoveryReport(address, domain, suggestions, [run.outcome() for run in runs],
                           ms=(perf_counter() - started) * 1000, timeout=timeout)


async def confirm_ports(suggestions: list[Suggestion], *, timeout: float,
                        nameserver: str | None, ca_file: str | None) -> None:
    """Check each suggestion's port (the guesses were checked already), one port check per
    host, all at once within `timeout`. One whose port did not answer, or failed its TLS
    check, drops from high to medium confidence and says why in its note."""
    from smtp_setup.core.smtp.probe import probe_host

    by_host: dict[str, list[Suggestion]] = {}
    for suggestion in suggestions:
        if not suggestion.source.startswith("guess"):
            by_host.setdefault(suggestion.host, []).append(suggestion)

    async def check(host: str, group: list[Suggestion]) -> None:
        candidates = [Candidate(s.port, s.security) for s in group]
        try:
            report = await probe_host(host, candidates, timeout=timeout, ca_file=ca_file,
                                      nameserver=nameserver)
        except ValueError:  # an unreadable CA file: the suggestions stay as the sources said
            return
        results = {(r.port, r.security): r for r in report.results}
        for suggestion in group:
            result = results[(suggestion.port, suggestion.security)]
            if result.usable:
                continue
            if suggestion.confidence == "high":
                suggestion.confidence = "medium"
            said = _("Port {port} did not work from here: {reason}").format(
                port=suggestion.port, reason=result.detail)
            suggestion.note = add_sentence(suggestion.note, said)

    await asyncio.gather(*(check(host, group) for host, group in by_host.items()))
