"""The local sandbox: an SMTP server on this computer that captures mail instead of
delivering it, so a person can try everything without an account.

It runs inside the caller's event loop (no thread), on 127.0.0.1, without TLS, and accepts
every sender, recipient and message. It also accepts any login, so tools that always log in
can be pointed at it; the credentials are never stored. aiosmtpd is imported lazily.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smtp_setup.i18n import _, ngettext

SERVER_NAME = "sandbox.smtp-setup.invalid"  # given to aiosmtpd so it never calls getfqdn()
IDENT = "smtp-setup sandbox"  # with SERVER_NAME in the greeting: how a test knows it is us
DEFAULT_PORT = 2525  # where `smtp-setup sandbox` listens without --port
NEARBY_PORTS = 10  # when the wanted port is taken, the next few are easier to remember


def start_command(port: int) -> str:
    """The command that runs the sandbox where a profile with this port expects it."""
    return "smtp-setup sandbox" + ("" if port == DEFAULT_PORT else f" --port {port}")


class NotTheSandbox(Exception):
    """A sandbox profile's port is answered by another server; nothing was sent to it."""

    def __init__(self, greeting: str) -> None:
        super().__init__(_("another server answers: {greeting}").format(greeting=greeting))
        self.greeting = greeting


def is_sandbox_greeting(greeting: str) -> bool:
    """True when a server's greeting (after the 220) is the sandbox's own."""
    return SERVER_NAME in greeting and IDENT in greeting


@dataclass
class ReceivedMessage:
    """One message the sandbox accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: str
    received_at: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def subject(self) -> str:
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(
            self.data)
        subject = headers.get("subject")
        return " ".join(str(subject).split()) if subject else _("(no subject)")

    @property
    def size(self) -> int:
        return len(self.data)

    def preview(self, body_lines: int = 6) -> str:
        """The main headers and the start of the text body, as a person would read them."""
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(self.data)
        lines = [f"{name}: {' '.join(str(message[name]).split())}"
                 for name in ("From", "To", "Subject", "Date") if message[name]]
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
        body = [line.rstrip() for line in text.strip().splitlines()]
        if len(body) > body_lines:
            body = body[:body_lines] + ["…"]
        return "\n".join(lines + [""] + body)

    def summary(self) -> str:
        """One line: when, from, to, subject and size."""
        to = ", ".join(self.rcpt_tos) or _("(nobody)")
        return ngettext('{time}  from {sender} to {to}: "{subject}" ({size} byte)',
                        '{time}  from {sender} to {to}: "{subject}" ({size} bytes)',
                        self.size).format(time=f"{self.received_at:%H:%M:%S}",
                                          sender=self.mail_from or "<>", to=to,
                                          subject=self.subject, size=self.size)


class Sandbox:
    """An SMTP server on loopback that keeps what it receives in `messages`."""

    def __init__(self, on_message: Callable[[ReceivedMessage], None] | None = None) -> None:
        self.on_message = on_message
        self.messages: list[ReceivedMessage] = []
        self.port: int | None = None
        self.host: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self._sessions: list[Any] = []

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self, host: str = "127.0.0.1", port: int = 2525) -> int:
        """Listen on host:port (port 0 picks any free port); returns the bound port.

        Raises OSError when the port is taken or not allowed.
        """
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")  # i18n: a programming error
        from aiosmtpd.smtp import SMTP

        # aiosmtpd logs every session (and a deprecation warning on each login) to mail.log
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        loop = asyncio.get_running_loop()
        handler = _Handler(self)

        def session() -> Any:
            smtp = SMTP(handler, hostname=SERVER_NAME, ident=IDENT,
                        enable_SMTPUTF8=True, auth_require_tls=False,
                        authenticator=_accept_any_login, loop=loop)
            self._sessions = [s for s in self._sessions if s.transport is not None]
            self._sessions.append(smtp)
            return smtp

        self._server = await loop.create_server(session, host, port)
        self.host = host
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def start_preferring(self, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> int:
        """Start on `port` if it is free, else on one of the next few ports, else on any
        free port; returns the port."""
        for candidate in range(port, min(port + NEARBY_PORTS, 65536)) if port else ():
            try:
                return await self.start(host, candidate)
            except OSError as exc:
                if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
                    raise
        return await self.start(host, 0)

    async def stop(self) -> None:
        """Stop listening and end open sessions. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for smtp in self._sessions:  # Python 3.12+ waits for open connections in wait_closed
            if smtp.transport is not None:
                smtp.transport.close()
        self._sessions = []
        try:
            async with asyncio.timeout(2.0):
                await server.wait_closed()
        except TimeoutError:
            pass
        self.port = None

    def _received(self, message: ReceivedMessage) -> None:
        self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)


class _Handler:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        peer = session.peer
        peer_text = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.sandbox._received(ReceivedMessage(
            mail_from=envelope.mail_from or "", rcpt_tos=list(envelope.rcpt_tos), data=data,
            peer=peer_text))
        count = len(self.sandbox.messages)
        # i18n: the SMTP reply, protocol text the transcript shows as the server sent it
        return f"250 2.0.0 Ok: captured by the sandbox as message {count}"


def _accept_any_login(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=True)  # the credentials are not kept anywhere
