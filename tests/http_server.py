"""A tiny HTTP(S) server on 127.0.0.1 for tests: serves given paths, records what was asked.

    routes = {"/mail/config-v1.1.xml": Route(200, GOOD_XML), "/slow": Route(200, b"", delay=0.3)}
    with TestHttpServer(routes) as server:        # TestHttpServer(routes, tls=context) for HTTPS
        server.port; server.requests              # [(method, target, host header), ...]

A path not in the routes gets 404. The query string is ignored for matching (but recorded).
`Route.chunked` sends the body with chunked transfer encoding, `Route.silent` never answers,
`Route.headers` adds headers (e.g. a Location for a redirect). One request per connection.
Runs its own event loop in a thread, like the test DNS server.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found",
           500: "Internal Server Error"}


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0  # seconds before answering
    chunked: bool = False
    silent: bool = False
    headers: dict[str, str] = field(default_factory=dict)


class TestHttpServer:
    """Serves `routes` on 127.0.0.1 (random port), plain HTTP or with the `tls` context."""

    __test__ = False

    def __init__(self, routes: dict[str, Route], *, tls: ssl.SSLContext | None = None) -> None:
        self.routes = routes
        self.tls = tls
        self.requests: list[tuple[str, str, str]] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TestHttpServer:
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            server = loop.run_until_complete(
                asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            server.close()
            loop.close()

        self._thread = threading.Thread(target=run, name="test-http", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def close(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> TestHttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
            host = next((v.strip() for k, v in headers.items() if k.lower() == "host"), "")
            self.requests.append((method, target, host))
            route = self.routes.get(target.split("?", 1)[0], Route(404, b"not found"))
            if route.delay:
                await asyncio.sleep(route.delay)
            if route.silent:
                await reader.read()
                return
            reason = REASONS.get(route.status, "Status")
            out = [f"HTTP/1.1 {route.status} {reason}", "Content-Type: application/xml",
                   "Connection: close", *(f"{k}: {v}" for k, v in route.headers.items())]
            if route.chunked:
                out.append("Transfer-Encoding: chunked")
                body = b"".join(b"%x\r\n%s\r\n" % (len(route.body[i:i + 1000]),
                                                   route.body[i:i + 1000])
                                for i in range(0, len(route.body), 1000)) + b"0\r\n\r\n"
            else:
                out.append(f"Content-Length: {len(route.body)}")
                body = route.body
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + body)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                ValueError, ssl.SSLError):
            pass
        finally:
            writer.close()
