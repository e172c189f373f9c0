"""Find a domain's outgoing mail server from an email address, in the open and with DNS only.

Five sources run at the same time under one time limit; each says where a suggestion came
from and how sure it is, and one that fails (no DNS, an HTTP error, a time-out) is reported
and skipped, never fatal:

1. catalog   the catalog's own mailbox domains (gmail.com is Gmail);
2. mx        the domain's MX hosts matched against the catalog's MX patterns;
3. srv       RFC 6186 / RFC 8314 SRV records `_submissions._tcp` and `_submission._tcp`;
4. autoconfig Mozilla autoconfig files, HTTPS first (autoconfig.py);
5. guess     smtp.<domain> and mail.<domain>, when they exist, confirmed by the port check.

Every DNS question, including the look-ups of names fetched over HTTP and of guessed hosts,
goes through dns_client, so `nameserver` controls them all. Suggestions are ranked by
confidence, then implicit TLS before STARTTLS before none (RFC 8314), then source order.
The sources live in discovery_sources.py, the report and ranking in discovery_report.py.
"""

from __future__ import annotations

import asyncio
from time import perf_counter

from smtp_setup.core import dns_client, validation
from smtp_setup.core.discovery_report import (
    CONFIDENCES,
    DiscoveryReport,
    SourceOutcome,
    Suggestion,
    format_report,
    rank,
)
from smtp_setup.core.discovery_sources import GUESS_PORTS, SOURCES, Context, Run
from smtp_setup.core.probe_ports import Candidate

__all__ = ["CONFIDENCES", "DiscoveryReport", "SourceOutcome", "Suggestion", "discover",
           "format_report", "rank", "split_address"]


def split_address(address: str) -> tuple[str, str]:
    """(address, domain) from `user@example.com` or a bare `example.com`; an international
    domain comes back in its ASCII form (xn--...). Raises ValueError with one sentence when
    there is no usable domain."""
    text = address.strip()
    domain = text.rpartition("@")[2].rstrip(".").casefold()
    if not domain or (error := validation.host(domain)) or "." not in domain:
        detail = f" ({error})" if domain and error else ""
        raise ValueError(f"{text!r} has no domain to look up{detail}: give an email address "
                         "such as alerts@example.com.")
    if "@" in text and not text.partition("@")[0]:
        raise ValueError(f"{text!r} has nothing before the @: give the whole address.")
    return text, domain.encode("idna").decode("ascii")  # DNS and HTTP speak A-labels


async def discover(address: str, *, nameserver: str | None = None, timeout: float = 8.0,
                   probe: bool = True, http_port: int | None = None,
                   https_port: int | None = None, allow_http: bool = False,
                   guess_ports: list[Candidate] | None = None,
                   ca_file: str | None = None) -> DiscoveryReport:
    """Ask every source at once and rank what they suggest; never longer than `timeout`.

    `nameserver` (HOST[:PORT]) receives every DNS question. `probe=False` skips the guesses
    (they need the port check). `allow_http` adds Thunderbird's plain-HTTP autoconfig URLs
    after the HTTPS ones; `http_port`/`https_port` replace 80/443 and `guess_ports` the
    guessed ports (tests on loopback); `ca_file` adds a trust anchor for HTTPS and the port
    check. Raises ValueError (one sentence) for a bad address or nameserver.
    """
    address, domain = split_address(address)
    if not timeout > 0:
        raise ValueError("The time limit must be more than 0 seconds.")
    lifetime = min(4.0, timeout / 2)  # DNS gives up first, so its own sentence is reported
    resolver = dns_client.make_resolver(nameserver, timeout=lifetime / 2, lifetime=lifetime)
    loop = asyncio.get_running_loop()
    ports = {k: v for k, v in (("http", http_port), ("https", https_port)) if v}
    ctx = Context(address, domain, resolver, loop.time() + timeout, timeout, probe,
                  allow_http, ports, list(guess_ports or GUESS_PORTS), ca_file)
    runs = [Run(name) for name in SOURCES]
    started = perf_counter()
    try:
        async with asyncio.timeout(timeout), asyncio.TaskGroup() as group:
            for run in runs:
                group.create_task(run.run(ctx))
    except TimeoutError:
        pass  # each unfinished source has marked itself timed out
    suggestions = rank([s for run in runs for s in run.found])
    return DiscoveryReport(address, domain, suggestions, [run.outcome() for run in runs],
                           ms=(perf_counter() - started) * 1000, timeout=timeout)
