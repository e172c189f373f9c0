"""Discovery runs its sources concurrently: total time vs the slowest source, and the limit.

    .venv/bin/python benchmarks/discovery_speed.py [--runs 5] [--delay 0.3] [--limit 1.0] [--strict]

1. All five sources answer locally, each with some real work: the test DNS server (tests/
   dns_server.py) serves MX, SRV and the guessed host; the test HTTP server serves the
   autoconfig file after `--delay` seconds (the slow source); the guessed host's port is an
   aiosmtpd server that the port check talks to. Summed, the sources would take about
   (delay + the others); run concurrently the total should be about the slowest source.
   Budget: total within 1.2x of the slowest source plus 50 ms, on the median.
2. A silent DNS server (every query dropped): discovery must end within `--limit`, every
   DNS source reported as timed out. Budget: within 1.1x the limit, on the median.

Each run is one `await discover(...)`, timed from the call to its return. All traffic stays
on 127.0.0.1; no name reaches the system resolver (nameserver= the test server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import budget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

CONCURRENT_BUDGET = 1.2  # total / slowest source
CONCURRENT_SLACK_MS = 50.0  # event loop, catalog, ranking: a constant, not a multiple
LIMIT_BUDGET = 1.1  # silent DNS: total / limit
XML = b"""<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="bench.test">
<outgoingServer type="smtp"><hostname>smtp.bench.test</hostname><port>465</port>
<socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"""


def zones() -> dict:
    return {
        "bench.test": {"MX": ["10 aspmx.l.google.com."], "A": ["127.0.0.1"]},
        "autoconfig.bench.test": {"A": ["127.0.0.1"]},
        "_submissions._tcp.bench.test": {"SRV": ["0 1 465 smtp.bench.test."]},
        "_submission._tcp.bench.test": {"SRV": ["0 1 587 smtp.bench.test."]},
        "smtp.bench.test": {"A": ["127.0.0.1"]},
    }


async def concurrent_run(dns_address: str, http_port: int, smtp_port: int) -> tuple[float, dict]:
    from smtp_setup.core.discovery.search import discover
    from smtp_setup.core.profiles.model import Security
    from smtp_setup.core.smtp.probe_ports import Candidate

    start = time.perf_counter()
    report = await discover("someone@bench.test", nameserver=dns_address, timeout=5.0,
                            allow_http=True, http_port=http_port, https_port=1,
                            guess_ports=[Candidate(smtp_port, Security.NONE)])
    ms = (time.perf_counter() - start) * 1000
    sources = {s.name: s for s in report.sources}
    if not all(sources[n].status == "found" for n in ("autoconfig", "srv", "mx", "guess")):
        raise SystemExit("a source found nothing, so the benchmark did not measure it: "
                         + "; ".join(f"{s.name} {s.status}: {s.detail}" for s in report.sources))
    return ms, {name: s.ms for name, s in sources.items()}


async def silent_run(dns_address: str, limit: float) -> tuple[float, set[str]]:
    from smtp_setup.core.discovery.search import discover

    start = time.perf_counter()
    report = await discover("someone@bench.test", nameserver=dns_address, timeout=limit)
    ms = (time.perf_counter() - start) * 1000
    return ms, {s.name for s in report.sources if s.status == "timed_out"}


def report_concurrent(title: str, runs: int, totals: budget.Samples,
                      per_source: dict[str, budget.Samples]) -> bool:
    slowest = max(s.median for s in per_source.values())
    summed = sum(s.median for s in per_source.values())
    print(f"discovery, every source answering on 127.0.0.1; {title} ({runs} runs)")
    for samples in per_source.values():
        print(samples.row(12))
    print(totals.row(12))
    ok = totals.median <= slowest * CONCURRENT_BUDGET + CONCURRENT_SLACK_MS
    print(f"sum of sources (one after another): {summed:.0f} ms; slowest source: "
          f"{slowest:.0f} ms; total/slowest: median {totals.median / slowest:.2f}x (budget "
          f"{CONCURRENT_BUDGET:g}x + {CONCURRENT_SLACK_MS:.0f} ms) -> "
          f"{'within budget' if ok else 'OVER BUDGET'}")
    return ok


async def measure(runs: int, delay: float, limit: float) -> bool:
    from aiosmtpd.controller import Controller
    from dns_server import TestDnsServer
    from http_server import Route, TestHttpServer
    from smtp_fixtures import RecordingHandler, free_port

    smtp_port = free_port()
    smtp = Controller(RecordingHandler(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    ok_concurrent = True
    # One slow source (the autoconfig web server), then three (DNS answers for MX and both
    # SRV labels delayed too): the total should stay near one delay either way.
    slow_dns = {"bench.test": delay, "_submissions._tcp.bench.test": delay,
                "_submission._tcp.bench.test": delay}
    try:
        for title, delays in (("autoconfig delayed", {}),
                              ("autoconfig, MX and SRV each delayed", slow_dns)):
            with TestDnsServer(zones(), delays=delays) as dns, TestHttpServer(
                    {"/mail/config-v1.1.xml": Route(200, XML, delay=delay)}) as web:
                await concurrent_run(dns.address, web.port, smtp_port)  # warm-up
                totals = budget.Samples("total")
                per_source: dict[str, budget.Samples] = {}
                for _ in range(runs):
                    ms, sources = await concurrent_run(dns.address, web.port, smtp_port)
                    totals.add(ms)
                    for name, value in sources.items():
                        per_source.setdefault(name, budget.Samples(name)).add(value)
            ok_concurrent = report_concurrent(f"{title} {delay * 1000:.0f} ms", runs,
                                              totals, per_source) and ok_concurrent
    finally:
        smtp.stop()

    with TestDnsServer({}, default="silent") as dns:
        silent = budget.Samples(f"silent DNS, limit {limit:g} s")
        timed_out: set[str] = set()
        for _ in range(runs):
            ms, names = await silent_run(dns.address, limit)
            silent.add(ms)
            timed_out |= names
    ratio = silent.median / (limit * 1000)
    ok_silent = ratio <= LIMIT_BUDGET
    print(silent.row(24))
    print(f"total/limit: median {ratio:.2f}x (budget {LIMIT_BUDGET:g}x) -> "
          f"{'within budget' if ok_silent else 'OVER BUDGET'}; timed out: "
          f"{', '.join(sorted(timed_out)) or 'none'}")
    return ok_concurrent and ok_silent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default 5)")
    parser.add_argument("--delay", type=float, default=0.3,
                        help="seconds the autoconfig server waits (default 0.3)")
    parser.add_argument("--limit", type=float, default=1.0,
                        help="discovery time limit with a silent DNS server (default 1.0)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)
    ok = asyncio.run(measure(args.runs, args.delay, args.limit))
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    raise SystemExit(main())
