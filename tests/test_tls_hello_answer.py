"""What a port answers to a TLS hello decides the advice after a silent greeting: "tls"
means "this port speaks implicit TLS, try that". A server whose first TLS record arrives in
pieces (a busy machine, a small first write) is still a TLS server."""

from __future__ import annotations

import asyncio

from smtp_setup.core.smtp.tls import tls_hello_answer


async def _server(pieces: list[bytes]):
    async def answer(reader, writer):
        await reader.read(1024)  # the ClientHello
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.05)
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_tls_record_header_in_pieces_is_still_tls():
    server, port = await _server([b"\x16", b"\x03\x03\x00\x02", b"\x02\x00"])
    async with server:
        assert await tls_hello_answer("127.0.0.1", port, 3.0) == "tls"


async def test_an_smtp_banner_is_its_first_line():
    server, port = await _server([b"220 mail.example.test ESMTP\r\n"])
    async with server:
        assert await tls_hello_answer("127.0.0.1", port, 3.0) == "220 mail.example.test ESMTP"
