"""TCP connections made by hand, for when "the connection was dropped" and "connected, but
the server is silent" must stay apart (the port check). One DNS look-up serves several
ports; addresses are tried as RFC 8305 (happy eyeballs) describes, so a black-holed IPv6
route does not use up a whole time limit. The socket is then handed to aiosmtplib (`sock=`).
With `--nameserver` the addresses come from that DNS server (A and AAAA, dns_client), never
from the system resolver; TLS still checks the certificate against the host name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from smtp_setup.core.profiles import validation
from smtp_setup.i18n import _

HAPPY_EYEBALLS_DELAY = 0.25  # start the next address when one has not connected by then

Address = tuple[int, int, tuple]  # (family, proto, sockaddr)


class NameserverLookupError(socket.gaierror):
    """The DNS server given with --nameserver has no address for a host, or did not answer.
    `reason` is the sentence's ending that names that server, in the chosen language."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.reason = reason


async def resolve_host(host: str, deadline: float,
                       nameserver: str | None = None) -> list[Address]:
    """(family, proto, sockaddr) for each address of `host`, families interleaved (RFC 8305).
    Asks only `nameserver` (HOST[:PORT]) when one is given, else the system resolver."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(deadline):
            if nameserver is not None:
                infos = await _ask_nameserver(host, nameserver, deadline - loop.time())
            else:
                infos = await loop.getaddrinfo(host, 0, type=socket.SOCK_STREAM,
                                               proto=socket.IPPROTO_TCP)
    except TimeoutError:
        raise socket.gaierror(socket.EAI_AGAIN, _("DNS did not answer in time")) from None
    seen: dict[tuple, Address] = {}
    for family, _type, proto, _name, sockaddr in infos:
        seen.setdefault((family, sockaddr[0]), (family, proto, sockaddr))
    by_family: dict[int, list[Address]] = {}
    for address in seen.values():
        by_family.setdefault(address[0], []).append(address)
    groups = list(by_family.values())
    return [group[i] for i in range(max(map(len, groups), default=0))
            for group in groups if i < len(group)]


async def _ask_nameserver(host: str, nameserver: str, limit: float) -> list[tuple]:
    """getaddrinfo's answer shape, from the A and AAAA records `nameserver` gives."""
    from smtp_setup.core.dns import client as dns_client

    resolver = dns_client.make_resolver(nameserver, timeout=max(0.05, limit / 2),
                                        lifetime=max(0.1, limit))
    try:
        addresses = await dns_client.resolve_host(resolver, host)
    except dns_client.DnsProblem as exc:
        raise NameserverLookupError(
            socket.EAI_AGAIN, _("the DNS server {nameserver} given with --nameserver did not "
                                "answer: {reason}").format(
                nameserver=nameserver, reason=exc.message.rstrip(".。"))) from None
    if not addresses:
        raise NameserverLookupError(
            socket.EAI_NONAME, _("the DNS server {nameserver} given with --nameserver has no "
                                 "address for {host}").format(nameserver=nameserver, host=host))
    return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM,
             socket.IPPROTO_TCP, "", (address, 0)) for address in addresses]


async def connect_socket(host: str, port: int, *, nameserver: str | None,
                         timeout: float) -> socket.socket:
    """A socket connected to `host`:`port` within `timeout` seconds (TimeoutError after),
    the name looked up as resolve_host does. Raises OSError as a connection does."""
    deadline = asyncio.get_running_loop().time() + timeout
    addresses = await resolve_host(host.strip("[]"), deadline, nameserver)
    async with asyncio.timeout_at(deadline):
        return await open_socket(addresses, port)


async def open_socket(addresses: list[Address], port: int) -> socket.socket:
    """A connected socket to the first address that answers. The next address is tried as
    soon as one fails, or when it has not connected after HAPPY_EYEBALLS_DELAY, so a
    black-holed IPv6 route does not use up the whole time limit."""
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "the name has no addresses")
    queue, pending = list(addresses), set()
    errors: list[BaseException] = []
    try:
        while queue or pending:
            if queue:
                pending.add(asyncio.create_task(_connect_one(*queue.pop(0), port)))
            done, pending = await asyncio.wait(
                pending, timeout=HAPPY_EYEBALLS_DELAY if queue else None,
                return_when=asyncio.FIRST_COMPLETED)
            winners = []
            for task in done:
                error = task.exception()
                if error is None:
                    winners.append(task.result())
                else:
                    errors.append(error)
            for extra in winners[1:]:
                extra.close()
            if winners:
                return winners[0]
    finally:
        for task in pending:
            task.cancel()
            task.add_done_callback(_close_if_connected)
    raise next((e for e in errors if isinstance(e, ConnectionRefusedError)), errors[0])


async def _connect_one(family: int, proto: int, sockaddr: tuple, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM, proto)
    try:
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (sockaddr[0], port, *sockaddr[2:]))
    except BaseException:
        sock.close()
        raise
    return sock


def _close_if_connected(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is None:
        task.result().close()


def default_local_hostname() -> str:
    """The name we give in EHLO: this machine's name when it is a valid host name, else
    "localhost". Never calls socket.getfqdn(), which can block for seconds."""
    name = socket.gethostname()
    try:
        ipaddress.ip_address(name)
        return "localhost"
    except ValueError:
        pass
    if name.isascii() and validation.host(name) is None:
        return name
    return "localhost"
