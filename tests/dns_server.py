"""A small authoritative DNS server on 127.0.0.1 for tests: real packets, UDP and TCP on the
same port, answers built with dnspython's message API from zones given as Python data.

    zones = {
        "example.test": {
            "MX": ["10 mx.example.test."],
            "TXT": ["v=spf1 -all", ("v=DKIM1; k=rsa; p=MIIB...", "...rest")],  # tuple: strings
            "A": ["127.0.0.1"],
        },
        "_submissions._tcp.example.test": {"SRV": ["0 1 465 smtp.example.test."]},
        "www.example.test": {"CNAME": ["example.test."]},
        "broken.test": "servfail",            # the whole name: "nxdomain" | "servfail" | "silent"
        "slow.test": {"TXT": "silent"},       # or one type of a name
    }
    with TestDnsServer(zones) as server:      # or the `dns_server` fixture: dns_server(zones)
        make_resolver(server.address)         # "127.0.0.1:PORT"
        server.queries                        # ["example.test", ...] names asked, in order

Record values are dnspython text forms ("10 mx.example.test.", "0 1 465 host."), except TXT:
a str is one string (any length: it is split into 255-byte strings as DNS requires) and a
tuple or list is several strings exactly as given. A name not in the zones gets `default`
("nxdomain"; "servfail" or "silent" for a broken or unreachable server). `delays` holds
seconds to wait before answering a name. A CNAME is answered for any type and followed
within the zones. A UDP answer too big for the client is sent truncated (TC), so the client
retries over TCP, as with a real server.

The server runs its own event loop in a thread, so it serves async tests, sync tests and
`smtp-setup` subprocesses alike.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import pytest

__all__ = ["dns_server"]

MODES = ("nxdomain", "servfail", "silent")
TTL = 60


class TestDnsServer:
    """An authoritative server for `zones` on 127.0.0.1 (random port), UDP and TCP."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, zones: dict[str, Any], *, default: str = "nxdomain",
                 delays: dict[str, float] | None = None) -> None:
        if default not in MODES:
            raise ValueError(f"default must be one of {MODES}")
        self.zones = {_key(name): value for name, value in zones.items()}
        for name, value in self.zones.items():
            if isinstance(value, str) and value not in MODES:
                raise ValueError(f"{name}: mode {value!r} is not one of {MODES}")
        self.default = default
        self.delays = {_key(name): seconds for name, seconds in (delays or {}).items()}
        self.questions: list[tuple[str, str]] = []  # (name, type) in the order asked
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closers: list[Any] = []

    @property
    def address(self) -> str:
        """What --nameserver takes: "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self.port}"

    @property
    def queries(self) -> list[str]:
        """The names asked, in order (lower case, no trailing dot)."""
        return [name for name, _ in self.questions]

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> TestDnsServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._bind())
            except BaseException as exc:  # report to start(), do not die silently
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            for closer in self._closers:
                closer.close()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="test-dns", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def close(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> TestDnsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> TestDnsServer:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        for attempt in range(20):  # UDP picks the port; TCP must get the same one
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            try:
                tcp_server = await asyncio.start_server(self._serve_tcp, "127.0.0.1", port)
            except OSError:
                udp.close()
                if attempt == 19:
                    raise
                continue
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), sock=udp)
            self._closers = [transport, tcp_server]
            self.port = port
            return

    # -- answering ----------------------------------------------------------------------------
    async def answer(self, wire: bytes, max_size: int) -> bytes | None:
        """The reply to one query in wire format, or None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        if not query.question:
            return None
        question = query.question[0]
        name = _key(question.name.to_text())
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.questions.append((name, rdtype))
        if delay := self.delays.get(name):
            await asyncio.sleep(delay)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        mode = self._fill(response, question.name, question.rdtype)
        if mode == "silent":
            return None
        if mode == "servfail":
            response.set_rcode(dns.rcode.SERVFAIL)
            response.answer.clear()
        elif mode == "nxdomain" and not response.answer:
            response.set_rcode(dns.rcode.NXDOMAIN)
        try:
            return response.to_wire(max_size=max_size)
        except dns.exception.TooBig:
            response.answer.clear()
            response.flags |= dns.flags.TC
            return response.to_wire()

    def _fill(self, response: dns.message.Message, qname: dns.name.Name, rdtype: int) -> str:
        """Add the answer for (qname, rdtype), following CNAMEs; return the mode: "ok",
        "nxdomain", "servfail" or "silent"."""
        for _ in range(8):  # a CNAME chain in the zones, bounded
            entry = self.zones.get(_key(qname.to_text()))
            if entry is None:
                return self.default
            if isinstance(entry, str):
                return entry
            cname = entry.get("CNAME")
            if cname and rdtype != dns.rdatatype.CNAME:
                if isinstance(cname, str):
                    return cname
                target = dns.name.from_text(cname[0])
                response.answer.append(self._rrset(qname, dns.rdatatype.CNAME, [target]))
                qname = target
                continue
            values = entry.get(dns.rdatatype.to_text(rdtype))
            if isinstance(values, str):
                return values
            if values:
                response.answer.append(self._rrset(qname, rdtype, values))
            return "ok"
        return "servfail"

    @staticmethod
    def _rrset(qname: dns.name.Name, rdtype: int, values: list[Any]) -> dns.rrset.RRset:
        rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, rdtype)
        for value in values:
            rrset.add(_rdata(rdtype, value), TTL)
        return rrset

    async def _serve_tcp(self, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(2), "big")
                reply = await self.answer(await reader.readexactly(size), 65535)
                if reply is None:
                    await reader.read()  # silent: hold the connection until the client leaves
                    return
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: TestDnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        task = asyncio.ensure_future(self._reply(data, addr))
        self.tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr: tuple) -> None:
        max_size = 512
        try:
            query = dns.message.from_wire(data)
            if query.edns >= 0:
                max_size = max(512, query.payload)
        except dns.exception.DNSException:
            return
        reply = await self.server.answer(data, max_size)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


def _key(name: str) -> str:
    return name.strip().rstrip(".").casefold()


def _rdata(rdtype: int, value: Any) -> dns.rdata.Rdata:
    if isinstance(value, dns.rdata.Rdata):
        return value
    if isinstance(value, dns.name.Name):
        value = value.to_text()
    if rdtype == dns.rdatatype.TXT:
        if isinstance(value, str):
            data = value.encode()
            value = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
        strings = [part.encode() if isinstance(part, str) else part for part in value]
        return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, rdtype, strings)
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, str(value))


@pytest.fixture
def dns_server() -> Iterator[Any]:
    """make(zones, default="nxdomain", delays=None) -> a started TestDnsServer, stopped when
    the test ends."""
    servers: list[TestDnsServer] = []

    def make(zones: dict[str, Any], **kwargs: Any) -> TestDnsServer:
        server = TestDnsServer(zones, **kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
