"""TCP connections made by hand, for when "the connection was dropped" and "connected, but
the server is silent" must stay apart (the port check). One DNS look-up serves several
ports; addresses are tried as RFC 8305 (happy eyeballs) describes, so a black-holed IPv6
route does not use up a whole time limit. The socket is then handed to aiosmtplib (`sock=`).
"""

from __future__ import annotations

import asyncio
import socket

HAPPY_EYEBALLS_DELAY = 0.25  # start the next address when one has not connected by then

Address = tuple[int, int, tuple]  # (family, proto, sockaddr)


async def resolve_host(host: str, deadline: float) -> list[Address]:
    """(family, proto, sockaddr) for each address of `host`, families interleaved (RFC 8305)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(deadline):
            infos = await loop.getaddrinfo(host, 0, type=socket.SOCK_STREAM,
                                           proto=socket.IPPROTO_TCP)
    except TimeoutError:
        raise socket.gaierror(socket.EAI_AGAIN, "DNS did not answer in time") from None
    seen: dict[tuple, Address] = {}
    for family, _type, proto, _name, sockaddr in infos:
        seen.setdefault((family, sockaddr[0]), (family, proto, sockaddr))
    by_family: dict[int, list[Address]] = {}
    for address in seen.values():
        by_family.setdefault(address[0], []).append(address)
    groups = list(by_family.values())
    return [group[i] for i in range(max(map(len, groups), default=0))
            for group in groups if i < len(group)]


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
