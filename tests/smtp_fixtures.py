"""Real SMTP servers on 127.0.0.1 for tests, shared by every test module.

Registered in conftest.py, so any test can ask for:

- ``smtp_ca`` (session): a trustme CA; ``smtp_ca_file`` (session): its PEM file path.
- ``smtp_plain``: no TLS, no AUTH.
- ``smtp_starttls``: STARTTLS required before anything else, then AUTH PLAIN and LOGIN
  (user ``USERNAME`` / password ``PASSWORD``).
- ``smtp_implicit_tls``: TLS from the first byte (465-style), AUTH PLAIN and LOGIN.
- ``smtp_server_factory``: ``make(kind, cert=None, handler=None, **aiosmtpd_kwargs)`` for
  variations (expired or foreign certificates, only LOGIN, rejecting replies, a canned
  AUTH reply such as Gmail's 534 5.7.9, another valid password...).
- ``smtp_xoauth2``: ``make(style="exchange" | "gmail", kind="starttls", failure=None)``, a
  server that offers only XOAUTH2 and checks each access token against ``fake_oauth``
  (``xoauth2_server`` does the same with any object that has ``user_for(token)``).

Each yields an ``SMTPTestServer`` with ``.host``, ``.port``, ``.messages`` (the aiosmtpd
envelopes received: ``.mail_from``, ``.rcpt_tos``, ``.content``), ``.logins`` (every AUTH
attempt as ``(mechanism, username)``), ``.ca_file`` and ``.profile(**overrides)``, which
builds a matching Profile with the password inline.

These servers run in their own thread (aiosmtpd's Controller), so they serve async tests,
sync tests and `smtp-setup` subprocesses alike. For failures aiosmtpd cannot produce
(silence, a 421 banner, a dropped connection, a stall, another protocol) use the in-loop
``fake_smtp_server`` with one of the sessions below; ``full_backlog_port`` gives a port whose
connections time out, ``reserved_ports`` ports that refuse, ``tls_refusing_port`` one whose TLS handshake always fails,
``old_tls_port`` one that speaks only TLS 1.0/1.1.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import json
import logging
import socket
import ssl
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import trustme
from smtp_setup.core.profiles.model import Profile, SecretRef, Security

USERNAME = "user"
PASSWORD = "s3cret-Pa55"
SERVER_NAME = "mx.smtp-setup.test"
DROP = object()  # in fake_smtp_server scripts: close the connection instead of replying
STALL = object()  # in fake_smtp_server scripts: never reply (until the client hangs up)

logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's per-session chatter

# What conftest.py's star import registers: the fixtures. Helpers are imported by name.
__all__ = ["smtp_ca", "smtp_ca_file", "smtp_server_cert", "smtp_server_factory", "smtp_plain",
           "smtp_starttls", "smtp_implicit_tls", "smtp_xoauth2"]


@dataclass
class SMTPTestServer:
    """A running test server and what it has seen."""

    host: str
    port: int
    security: Security
    ca_file: str | None
    messages: list[Any] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    username: str | None = USERNAME
    password: str | None = PASSWORD

    def profile(self, **overrides: Any) -> Profile:
        """A Profile pointing at this server; keyword arguments replace any field."""
        values: dict[str, Any] = dict(
            name="test", host=self.host, port=self.port, security=self.security,
            username=self.username,
            password=SecretRef("inline", self.password) if self.password else None,
            from_email="sender@example.test", from_name="Test Sender",
            ca_file=self.ca_file, timeout=5.0,
        )
        values.update(overrides)
        return Profile(**values)


class RecordingHandler:
    """aiosmtpd handler that keeps envelopes; optional canned replies reject a step."""

    def __init__(self, mail_reply: str | None = None, rcpt_reply: str | None = None,
                 data_reply: str | None = None) -> None:
        self.messages: list[Any] = []
        self.mail_reply, self.rcpt_reply, self.data_reply = mail_reply, rcpt_reply, data_reply

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data_reply:
            return self.data_reply
        self.messages.append(envelope)
        return f"250 2.0.0 Ok: queued as TEST{len(self.messages)}"


def free_port() -> int:
    """A port that was free a moment ago (aiosmtpd's Controller cannot bind port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # server-purpose!
    cert.configure_cert(context)
    return context


@pytest.fixture(scope="session")
def smtp_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def smtp_ca_file(smtp_ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("smtp-ca") / "ca.pem"
    smtp_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="session")
def smtp_server_cert(smtp_ca) -> trustme.LeafCert:
    return smtp_ca.issue_cert("127.0.0.1", "localhost")


@pytest.fixture
def smtp_server_factory(smtp_server_cert, smtp_ca_file):
    """make(kind, cert=None, handler=None, **aiosmtpd_kwargs) -> SMTPTestServer.

    kind: "plain" (no TLS; AUTH only if auth=True), "starttls" or "tls". cert defaults to
    a certificate for 127.0.0.1 from smtp_ca. Servers stop when the test ends.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    controllers: list[Any] = []

    def make(kind: str, cert: trustme.LeafCert | None = None,
             handler: RecordingHandler | None = None, auth: bool = True,
             auth_reply: str | None = None, password: str = PASSWORD,
             **smtp_kwargs: Any) -> SMTPTestServer:
        """auth_reply answers every AUTH with that reply (lines joined by CRLF);
        password is the one the server accepts (server.profile() uses it)."""
        handler = handler or RecordingHandler()
        security = {"plain": Security.NONE, "starttls": Security.STARTTLS,
                     "tls": Security.TLS}[kind]
        server = SMTPTestServer("127.0.0.1", 0, security, smtp_ca_file, handler.messages,
                                password=password)
        if not auth:
            server.username = server.password = None

        def authenticator(smtpd, session, envelope, mechanism, data):
            login = data.login.decode() if isinstance(data, LoginPassword) else str(data)
            server.logins.append((mechanism, login))
            if auth_reply:
                return AuthResult(success=False, handled=False, message=auth_reply)
            ok = isinstance(data, LoginPassword) and (
                data.login, data.password) == (USERNAME.encode(), password.encode())
            return AuthResult(success=ok, handled=False)  # handled=False: the server says 535

        kwargs: dict[str, Any] = dict(server_hostname=SERVER_NAME)
        context = server_context(cert or smtp_server_cert)
        if kind == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif kind == "tls":
            kwargs.update(ssl_context=context, auth_require_tls=False)
        elif auth:
            kwargs.update(auth_require_tls=False)
        if auth:
            kwargs["authenticator"] = authenticator
        kwargs.update(smtp_kwargs)
        for attempt in range(5):  # free_port() can race with another process
            server.port = free_port()
            controller = Controller(handler, hostname="127.0.0.1", port=server.port, **kwargs)
            try:
                controller.start()
                break
            except OSError:
                controller.stop(no_assert=True)
                if attempt == 4:
                    raise
        controllers.append(controller)
        return server

    yield make
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_plain(smtp_server_factory) -> SMTPTestServer:
    return smtp_server_factory("plain", auth=False)


@pytest.fixture
def smtp_starttls(smtp_server_factory) -> SMTPTestServer:
    return smtp_server_factory("starttls")


@pytest.fixture
def smtp_implicit_tls(smtp_server_factory) -> SMTPTestServer:
    return smtp_server_factory("tls")


# -- XOAUTH2 (OAuth sign-in) ----------------------------------------------------------------
GMAIL_SCOPE = "https://mail.google.com/"
EXCHANGE_REFUSAL = "535 5.7.3 Authentication unsuccessful [FAKE01.prod.example.test]"
EXCHANGE_SMTP_DISABLED = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                          "is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled")
GMAIL_REFUSAL = "535 5.7.8 Username and Password not accepted. For more information, go to"


class XOAuth2Handler(RecordingHandler):
    """A RecordingHandler whose server offers AUTH XOAUTH2, checking each access token with
    `authority.user_for(token)` (the fake authorization server knows which tokens it gave
    and to whom).

    style "exchange": a bad token or another user's token gets 535 5.7.3 at once.
    style "gmail": a 334 challenge with base64 JSON first (status "400" for a token it does
    not know, "401" for another user's), then, after the client's empty line, 535 5.7.8.
    `failure` replaces the answer to a good token (e.g. Exchange's 535 5.7.139).
    """

    def __init__(self, authority: Any, server: SMTPTestServer | None, style: str,
                 failure: str | None) -> None:
        super().__init__()
        self.authority, self.server, self.style, self.failure = authority, server, style, failure
        self.answers_to_challenge: list[bytes] = []  # what the client said after a 334

    async def auth_XOAUTH2(self, smtpd, args):  # noqa: N802 (aiosmtpd finds auth_<MECH>)
        from aiosmtpd.smtp import MISSING, AuthResult

        if len(args) == 2:  # AUTH XOAUTH2 <initial response>
            try:
                raw = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                return AuthResult(success=False, handled=False, message="501 5.5.2 bad base64")
        else:  # two-step: "334 " then the blob
            raw = await smtpd.challenge_auth("", encode_to_b64=False)
            if raw is MISSING:
                return AuthResult(success=False, handled=True)
        fields = dict(p.split("=", 1) for p in raw.decode().split("\x01") if "=" in p)
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        self.server.logins.append(("XOAUTH2", user))
        owner = self.authority.user_for(token)
        if owner is not None and owner == user:
            if self.failure:
                return AuthResult(success=False, handled=False, message=self.failure)
            return AuthResult(success=True, auth_data=user)
        if self.style == "gmail":
            status = "400" if owner is None else "401"
            answer = await smtpd.challenge_auth(json.dumps(
                {"status": status, "schemes": "Bearer", "scope": GMAIL_SCOPE}))
            self.answers_to_challenge.append(b"" if answer is MISSING else answer)
            return AuthResult(success=False, handled=False, message=GMAIL_REFUSAL)
        return AuthResult(success=False, handled=False, message=EXCHANGE_REFUSAL)


def xoauth2_server(factory: Callable[..., SMTPTestServer], authority: Any,
                   style: str = "exchange", *, kind: str = "starttls",
                   failure: str | None = None) -> SMTPTestServer:
    """A server (from smtp_server_factory) that offers only XOAUTH2; see XOAuth2Handler.
    `.handler` is the XOAuth2Handler, `.profile()` has no password (the caller adds the
    refresh token and the OAuth settings)."""
    if style not in ("exchange", "gmail"):
        raise ValueError(f"unknown style {style!r}")
    handler = XOAuth2Handler(authority, None, style, failure)
    server = factory(kind, handler=handler, auth=False,
                     auth_exclude_mechanism=["PLAIN", "LOGIN"],
                     **({"auth_require_tls": False} if kind == "plain" else {}))
    server.handler = handler
    server.username = "me@example.test"
    handler.server = server
    return server


@pytest.fixture
def smtp_xoauth2(smtp_server_factory, fake_oauth):
    """make(style="exchange" | "gmail", kind="starttls", failure=None) -> SMTPTestServer
    checking access tokens against fake_oauth."""

    def make(style: str = "exchange", **kwargs: Any) -> SMTPTestServer:
        return xoauth2_server(smtp_server_factory, fake_oauth, style, **kwargs)

    return make


def expired_cert(ca: trustme.CA) -> trustme.LeafCert:
    now = datetime.datetime.now(datetime.UTC)
    return ca.issue_cert("127.0.0.1", "localhost", not_before=now - datetime.timedelta(days=30),
                         not_after=now - datetime.timedelta(days=1))


# -- in-loop fault servers ------------------------------------------------------------------
Session = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def fake_smtp_server(session: Session):
    """Serve `session(reader, writer)` on 127.0.0.1 in the running loop; yields the port."""
    writers: list[asyncio.StreamWriter] = []
    sessions: list[asyncio.Task] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        sessions.append(asyncio.current_task())
        try:
            await session(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()
        if sessions:  # closed writers end them; left running, the loop's end cancels them noisily
            await asyncio.wait(sessions, timeout=1)


async def silent_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and never say a word (what a plaintext client meets on an implicit-TLS port)."""
    await reader.read()


async def closing_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and hang up at once, before any greeting."""


async def http_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A web server: silent until the client sends something, then a 400 and goodbye."""
    if await reader.read(1024):
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
        await writer.drain()


def banner_session(banner: str) -> Session:
    """Greet with `banner` (e.g. a 421) and hang up."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(banner.encode() + b"\r\n")
        await writer.drain()

    return session


def scripted_session(replies: dict[str, Any] | None = None,
                     ehlo: tuple[str, ...] = ("8BITMIME",), delay: float = 0.0) -> Session:
    """A minimal SMTP server. `replies` maps a verb (EHLO, AUTH, MAIL, RCPT, DATA, QUIT, or
    BODY for the reply after the message) to a reply line, to DROP to hang up instead, or to
    STALL to never answer. `delay` seconds pass before the banner and before every reply."""
    replies = replies or {}
    defaults = {"MAIL": "250 OK", "RCPT": "250 OK", "DATA": "354 go ahead",
                "BODY": "250 OK: queued", "QUIT": "221 Bye", "RSET": "250 OK",
                "EHLO": "\r\n".join([f"250-{SERVER_NAME}"]
                                    + [f"250-{e}" for e in ehlo[:-1]] + [f"250 {ehlo[-1]}"])}

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        writer.write(f"220 {SERVER_NAME} ESMTP fake\r\n".encode())
        while line := await reader.readline():
            verb = line.decode(errors="replace").split(" ", 1)[0].strip().upper()
            reply = replies.get(verb, defaults.get(verb, "502 5.5.2 not implemented"))
            await asyncio.sleep(delay)
            if reply is DROP:
                return
            if reply is STALL:
                await reader.read()  # until the client gives up and hangs up
                return
            writer.write(reply.encode() + b"\r\n")
            await writer.drain()
            if verb == "QUIT":
                return
            if verb == "DATA" and reply.startswith("354"):
                while await reader.readline() not in (b".\r\n", b""):
                    pass  # the message itself is of no interest here
                reply = replies.get("BODY", defaults["BODY"])
                if reply is DROP:
                    return
                writer.write(reply.encode() + b"\r\n")
                await writer.drain()

    return session


# -- socket-level faults ---------------------------------------------------------------------
@contextmanager
def reserved_ports(count: int) -> Iterator[list[int]]:
    """`count` ports of 127.0.0.1 that are bound and held but never listen: a connection is
    refused, whatever else runs on this machine (a real MTA on 25 or 587 included)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        yield [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@contextmanager
def full_backlog_port() -> Iterator[int]:
    """A listening port whose accept queue is full and never drained: the kernel drops new
    connection attempts (SYNs), so a client's connect times out, as behind a firewall that
    silently drops packets. Loopback only."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):  # more than the backlog holds; the rest stay half-open
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for sock in (*fillers, listener):
            sock.close()


@contextmanager
def tls_refusing_port(cert: trustme.LeafCert) -> Iterator[int]:
    """A port that answers every TLS handshake with a handshake_failure alert (its only
    cipher suite is one that clients no longer offer)."""
    context = server_context(cert)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("AES128-SHA")  # RSA key exchange + SHA-1 MAC: refused by clients
    with handshake_port(context) as port:
        yield port


@contextmanager
def old_tls_port(cert: trustme.LeafCert, *, starttls: bool = False) -> Iterator[int]:
    """A server that speaks only TLS 1.0 and 1.1, as an un-updated mail server does: the
    client's hello gets a protocol_version alert. OpenSSL 3's default security level
    refuses to build such a server at all (no cipher is left), so it is lowered to 0 for
    this server's context only. `starttls`: greet and offer STARTTLS first (587-style)."""
    context = server_context(cert)
    with warnings.catch_warnings():  # the deprecation of TLS 1.0/1.1 is the point here
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with handshake_port(context, starttls=starttls) as port:
        yield port


@contextmanager
def handshake_port(context: ssl.SSLContext, *, starttls: bool = False) -> Iterator[int]:
    """A port whose server context is `context` and that stops after the TLS handshake,
    whatever its outcome; with `starttls`, a plain greeting and EHLO offering STARTTLS come
    first. A thread serves it, because an asyncio TLS server resets the connection instead of
    sending the alert."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()

    def greet(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(f"220 {SERVER_NAME} ESMTP old\r\n".encode())
        while line := reader.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                conn.sendall(f"250-{SERVER_NAME}\r\n250 STARTTLS\r\n".encode())
            elif verb == b"STARTTLS":
                conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                return
            else:
                conn.sendall(b"502 5.5.2 not implemented\r\n")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    if starttls:
                        greet(conn)
                    context.wrap_socket(conn, server_side=True).close()
                except OSError:  # ssl.SSLError included: the failure is the point
                    pass

    thread = threading.Thread(target=serve, name="handshake-port", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()
