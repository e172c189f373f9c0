"""How long a port check of N silent ports takes, next to one per-candidate time limit.

    .venv/bin/python benchmarks/probe_speed.py [--runs 5] [--limit 1.0] [--counts 4,8] [--strict]

Every candidate is silent, in the two ways a port goes quiet in real life. Half are
"dropped": a listener whose one-place queue is already full, so the kernel drops the SYN
and the connect times out, as behind a firewall. The other half are "silent after connect":
a listener that never accepts, so the TCP handshake completes but no greeting (or TLS
handshake) ever comes, as when the encryption mode does not match the port. Candidates
alternate between STARTTLS and implicit TLS. Fresh sockets are made for every run.
Each run is one `await probe_host(...)`, timed from the call to its return (building the
TLS context included). Budget (design.md, issue 3): within 1.2x one limit, on the median.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import time
from collections import Counter
from contextlib import ExitStack, contextmanager

import budget

PROBE_BUDGET = 1.2  # N silent candidates: at most this many per-candidate limits
EXPECTED = {"timeout", "no_greeting", "tls_failed"}  # what silence may be reported as


@contextmanager
def dropped_port():
    """SYNs to this port are dropped: the listener never accepts and its queue is full."""
    with ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(2):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        time.sleep(0.02)  # let the first filler's handshake land in the queue
        yield port


@contextmanager
def silent_port():
    """The kernel completes the handshake; nobody ever reads or writes."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


async def one_run(count: int, limit: float) -> tuple[float, Counter]:
    from smtp_setup.core.profiles.model import Security
    from smtp_setup.core.smtp.probe import Candidate, probe_host

    with ExitStack() as stack:
        ports = [stack.enter_context(dropped_port() if i % 2 else silent_port())
                 for i in range(count)]
        # Alternate modes on both kinds of silence: i // 2 flips every second candidate.
        candidates = [Candidate(port, Security.TLS if (i // 2) % 2 else Security.STARTTLS)
                      for i, port in enumerate(ports)]
        start = time.perf_counter()
        report = await probe_host("127.0.0.1", candidates, timeout=limit,
                                  local_hostname="bench.test")
        ms = (time.perf_counter() - start) * 1000
    statuses = Counter(result.status for result in report.results)
    if not set(statuses) <= EXPECTED:
        raise SystemExit(f"a silent port was reported as {dict(statuses)}: the benchmark "
                         "did not measure silence")
    return ms, statuses


async def measure(counts: list[int], runs: int, limit: float) -> bool:
    await one_run(1, min(limit, 0.2))  # warm-up: imports, the TLS context, the first connect
    ok = True
    print(f"port check of N silent ports on 127.0.0.1, limit {limit:g} s per candidate "
          f"({runs} runs each)")
    for count in counts:
        samples = budget.Samples(f"N={count}")
        seen: Counter = Counter()
        for _ in range(runs):
            ms, statuses = await one_run(count, limit)
            samples.add(ms)
            seen.update(statuses)
        limit_ms = limit * 1000
        best, median = samples.best / limit_ms, samples.median / limit_ms
        within = median <= PROBE_BUDGET
        ok = ok and within
        print(samples.row(8))
        print(f"ratio N={count}/limit: best {best:.2f}x, median {median:.2f}x "
              f"(budget {PROBE_BUDGET:g}x) -> {'within budget' if within else 'OVER BUDGET'}")
        print(f"  one after another this would take about {count * limit:g} s; statuses: "
              + ", ".join(f"{name} {n}" for name, n in sorted(seen.items())))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per N (default 5)")
    parser.add_argument("--limit", type=float, default=1.0,
                        help="seconds per candidate (default 1.0)")
    parser.add_argument("--counts", default="4,8", help="values of N (default 4,8)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.counts.split(",") if n.strip()]
    ok = asyncio.run(measure(counts, args.runs, args.limit))
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    raise SystemExit(main())
