"""The live test send: one SMTP session driven stage by stage.

Each stage (connect, greeting, ehlo, starttls, auth, mail_from, rcpt_to, data, quit) is
reported as it starts and ends, so the UI can show progress and the exact point of failure.
The session is driven by hand rather than with `aiosmtplib.send()` because that function
falls back to plaintext when STARTTLS is missing and retries AUTH with every mechanism
(see smtp-libs.md section 0). aiosmtplib is imported inside the functions that need it.
"""

from __future__ import annotations

import asyncio
import email.policy
import logging
import ssl
from collections.abc import Callable
from time import perf_counter
from typing import Any

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.diagnosis_codes import Diagnosis, MissingExtension
from smtp_setup.core.smtp.failure_reading import (
    failed_at_greeting,
)
from smtp_setup.core.smtp.followups import PortQuestions
from smtp_setup.core.smtp.message import build_test_message, envelope_address
from smtp_setup.core.smtp.stages import (
    STAGES,
    SendResult,
    StageBook,
    StageEvent,
    StageFailed,
    ms_since,
    stages_for,
)
from smtp_setup.core.smtp.tcp_connect import connect_socket, default_local_hostname
from smtp_setup.core.smtp.tls import client_tls_context
from smtp_setup.core.smtp.transcript import Transcript, redact
from smtp_setup.i18n import _

AUTH_PREFERENCE = ("plain", "login", "cram-md5")  # one mechanism, tried once

__all__ = ["STAGES", "SendResult", "StageEvent", "build_test_message", "client_tls_context",
           "default_local_hostname", "send_test_message", "stages_for"]

log = logging.getLogger(__name__)


async def send_test_message(
    profile: Profile,
    password: str | None,
    *,
    to: str | None = None,
    on_event: Callable[[StageEvent], None] | None = None,
    local_hostname: str | None = None,
    tls_context: ssl.SSLContext | None = None,
    store_rotated: Callable[[str], Any] | None = None,
    nameserver: str | None = None,
) -> SendResult:
    """Send the test message through `profile`, stage by stage, and explain any failure.

    `to` defaults to the profile's from_email. `on_event` receives each StageEvent as it
    happens. `tls_context` replaces the one built from the profile (tests, special trust).
    For an OAuth profile (auth = "oauth2") `password` is the refresh token: the auth stage
    gets an access token first (core.smtp.oauth_login) and `store_rotated` receives a new refresh
    token before it is used (it may return an awaitable; it should not raise).
    `nameserver` (HOST[:PORT]) gives the server's address instead of the system resolver;
    the certificate is still checked against the host name.
    The whole send is limited to `profile.timeout` seconds. Never raises, except
    asyncio.CancelledError so that the caller can cancel.
    """
    run = _TestSend(profile, password, to or profile.from_email, on_event,
                    local_hostname or default_local_hostname(), tls_context)
    run.store_rotated, run.nameserver = store_rotated, nameserver
    return await run.execute()


class _TestSend(StageBook, PortQuestions):
    def __init__(self, profile: Profile, password: str | None, to: str,
                 on_event: Callable[[StageEvent], None] | None, local_hostname: str,
                 tls_context: ssl.SSLContext | None) -> None:
        self.profile = profile
        self.password = password
        self.to = to
        self.on_event = on_event
        self.local_hostname = local_hostname
        self.tls_context = tls_context
        self.custom_tls = tls_context is not None
        self.secrets = (password,) if password else ()
        self.transcript = Transcript(self.secrets)
        self.per_op = max(0.1, float(profile.timeout) * 0.8)  # per-op errors are precise
        self.deadline = 0.0  # perf_counter() value when the whole-send limit runs out
        self.final: dict[str, StageEvent] = {}
        self.current: str | None = None
        self.current_started = 0.0
        self.diagnosis: Diagnosis | None = None
        self.response: str | None = None
        self.smtp: Any = None
        self.sender = self.recipient = ""
        self.utf8 = False
        self.store_rotated: Callable[[str], Any] | None = None  # OAuth: the new refresh token
        self.nameserver: str | None = None  # --nameserver: it alone names the address
        self.waited: float | None = None  # seconds the failed stage waited

    async def execute(self) -> SendResult:
        started = perf_counter()
        self.deadline = started + float(self.profile.timeout)
        try:
            try:
                async with asyncio.timeout(self.profile.timeout):
                    await self._session()
            except TimeoutError:  # the whole-send limit: stages catch their own errors
                self._whole_send_timeout()
            except StageFailed:
                await self._polite_quit()
        finally:
            if self.smtp is not None:
                self.smtp.close()
        stages = stages_for(self.profile.security)
        for name in stages:
            if name not in self.final:
                self._finish(name, "skip", 0.0, _("not reached"))
        return SendResult(
            ok=self.response is not None and self.diagnosis is None,
            profile=self.profile.name,
            server=self.profile.server,
            security=str(self.profile.security),
            stages=[self.final[name] for name in stages],
            response=self.response,
            diagnosis=self.diagnosis,
            transcript=[redact(line, self.secrets) for line in self.transcript.lines],
            total_ms=(perf_counter() - started) * 1000,
        )

    # -- the session ----------------------------------------------------------------------
    async def _session(self) -> None:
        from aiosmtplib import SMTP, SMTPHeloError

        p = self.profile
        greeting_error: Exception | None = None
        waiting_since = 0.0  # when connect() began waiting for the greeting
        async with self._stage("connect") as st:
            await self._preflight()
            st.started = perf_counter()
            sock = None if self.nameserver is None else await connect_socket(
                p.host, p.port, nameserver=self.nameserver, timeout=self.per_op)
            # With a socket of ours, aiosmtplib still checks the certificate against hostname.
            self.smtp = smtp = SMTP(
                hostname=p.host.strip(), port=None if sock else p.port, sock=sock,
                use_tls=p.security is Security.TLS, start_tls=False,
                tls_context=self.tls_context, timeout=self.per_op,
                local_hostname=self.local_hostname)
            try:
                banner = await smtp.connect()
            except Exception as exc:
                if not failed_at_greeting(exc):
                    raise
                greeting_error, st.ms = exc, 0.0  # connected; the time went to the greeting
                waiting_since = st.started
            else:
                self.transcript.attach(smtp.protocol)
                self.transcript.reply(banner.code, banner.message)
            note = _tls_note(smtp, p.security is Security.TLS)
            st.detail = (_("connected to {server}, {tls}").format(server=p.server, tls=note)
                         if note else _("connected to {server}").format(server=p.server))

        async with self._stage("greeting") as st:
            if greeting_error is not None:
                st.started = waiting_since  # so the diagnosis can say how long it waited
                code, message = getattr(greeting_error, "code", 0), getattr(
                    greeting_error, "message", "")
                if code > 0:
                    self.transcript.reply(code, message)
                raise greeting_error
            st.ms, st.detail = 0.0, _reply_text(banner)  # timed with connect (one call)
            if p.provider == "sandbox":  # (the sandbox module loads only for its profiles)
                from smtp_setup.core.smtp.sandbox import NotTheSandbox, is_sandbox_greeting

                if not is_sandbox_greeting(banner.message):
                    raise NotTheSandbox(st.detail)  # never hand a test message to a stranger

        async with self._stage("ehlo") as st:
            try:
                await smtp.ehlo()
            except SMTPHeloError as exc:
                if exc.code not in (500, 502) or not smtp.is_connected:
                    raise
                await smtp.helo()  # a very old server without ESMTP
            st.detail = _extensions(smtp)

        if p.security is Security.STARTTLS:
            async with self._stage("starttls") as st:
                if not smtp.supports_extension("starttls"):
                    raise MissingExtension("starttls")
                await smtp.starttls()
                await smtp.ehlo()  # RFC 3207: forget what we knew, ask again over TLS
                st.detail = _tls_note(smtp, True) or _("encrypted")
        elif p.security is Security.NONE:  # implicit TLS has no such stage (stages_for)
            self._skip("starttls", _("no encryption chosen"))

        if p.username:
            async with self._stage("auth") as st:
                st.detail = await self._login(smtp)
        else:
            self._skip("auth", _("no username: sending without login"))

        async with self._stage("mail_from") as st:
            message, options = self._prepare_message(smtp)
            reply = await smtp.mail(self.sender, options=options, encoding=self._encoding)
            st.detail = _reply_text(reply)
        async with self._stage("rcpt_to") as st:
            reply = await smtp.rcpt(self.recipient, encoding=self._encoding)
            st.detail = _reply_text(reply)
        async with self._stage("data") as st:
            reply = await smtp.data(message)
            self.response = st.detail = redact(_reply_text(reply), self.secrets)
        await self._quit(smtp)

    async def _preflight(self) -> None:
        """Check what we can before touching the network; raises InvalidInput."""
        p = self.profile
        if error := validation.host(p.host):
            raise InvalidInput("host", error)
        if self.nameserver is not None:
            from smtp_setup.core.smtp.probe import check_nameserver

            check_nameserver(self.nameserver)
        if not 1 <= int(p.port) <= 65535:
            raise InvalidInput("port", _("A port is a number from 1 to 65535."))
        self.sender = envelope_address(p.from_email, "from_email")
        self.recipient = envelope_address(self.to, "to")
        self.utf8 = not (self.sender.isascii() and self.recipient.isascii())
        if error := validation.header_text(p.from_name):
            raise InvalidInput("from_name", _("The From name: {error}").format(error=error))
        if p.uses_oauth:
            from smtp_setup.core.smtp.oauth_login import oauth_preflight  # OAuth profiles only

            oauth_preflight(p, self.password)
        elif p.username:
            if error := validation.username(p.username):
                raise InvalidInput("username", error)
            if not self.password:
                raise InvalidInput("password", _(
                    "The profile logs in as {username} but no password was given.").format(
                    username=repr(p.username)))
        if p.security is not Security.NONE and self.tls_context is None:
            try:  # reading the system CA bundle is file I/O: keep it off the event loop
                self.tls_context = await asyncio.to_thread(client_tls_context, p)
            except (OSError, ssl.SSLError) as exc:
                raise InvalidInput("ca_file", _("The CA file {path} could not be read "
                                                "({reason}).").format(
                    path=p.ca_file, reason=getattr(exc, "strerror", None) or exc)) from None

    async def _login(self, smtp: Any) -> str:
        encrypted = smtp.get_transport_info("sslcontext") is not None
        if not encrypted and self.profile.security is not Security.NONE:
            raise RuntimeError(_("refusing to send a password before TLS"))  # cannot happen
        if not smtp.supports_extension("auth"):
            raise MissingExtension("auth")
        if self.profile.uses_oauth:  # the password is the refresh token
            from smtp_setup.core.smtp.oauth_login import login_xoauth2

            return await login_xoauth2(smtp, self.profile, self.password or "",
                                       store_rotated=self.store_rotated, on_token=self._secret)
        offered = [m.lower() for m in smtp.server_auth_methods]
        mechanism = next((m for m in AUTH_PREFERENCE if m in offered), None)
        if mechanism is None:
            raise MissingExtension("auth", tuple(offered))
        method = {"plain": smtp.auth_plain, "login": smtp.auth_login,
                  "cram-md5": smtp.auth_crammd5}[mechanism]
        reply = await method(self.profile.username, self.password)
        return f"{mechanism.upper()}: {_reply_text(reply)}"

    def _secret(self, value: str) -> None:
        self.secrets = (*self.secrets, value)  # redacted wherever it might still turn up

    @property
    def _encoding(self) -> str:
        return "utf-8" if self.utf8 else "ascii"

    def _prepare_message(self, smtp: Any) -> tuple[bytes, list[str]]:
        from aiosmtplib import SMTPNotSupported

        if self.utf8 and not smtp.supports_extension("smtputf8"):
            raise SMTPNotSupported(_("SMTPUTF8 is not supported by this server"))
        msg = build_test_message(self.profile.copy(from_email=self.sender), self.recipient)
        policy = email.policy.SMTPUTF8 if self.utf8 else email.policy.SMTP
        options = []
        if smtp.supports_extension("8bitmime"):
            options += ["BODY=8BITMIME"]  # protocol, not words
        else:
            policy = policy.clone(cte_type="7bit")
        data = msg.as_bytes(policy=policy)
        if smtp.supports_extension("size"):
            options.insert(0, f"SIZE={len(data)}")
        if self.utf8:
            options += ["SMTPUTF8"]
        return data, options

    async def _quit(self, smtp: Any) -> None:
        self._start("quit")
        started = perf_counter()
        try:
            async with asyncio.timeout(min(self.per_op, 5.0)):
                detail = _reply_text(await smtp.quit())
        except Exception:  # the message is already accepted; a rude goodbye changes nothing
            detail = _("the server did not answer QUIT; the connection was closed")
        self._finish("quit", "ok", ms_since(started), detail)

    async def _polite_quit(self) -> None:
        """After a failure, say goodbye if the connection is still open (best effort)."""
        if self.smtp is None or not self.smtp.is_connected:
            return
        try:
            async with asyncio.timeout(1.0):
                await self.smtp.quit()
        except Exception:
            pass

# -- small pure helpers ---------------------------------------------------------------------
def _reply_text(reply: Any) -> str:
    return " ".join(f"{reply.code} {reply.message}".split())


def _extensions(smtp: Any) -> str:
    names = [name.upper() for name in smtp.esmtp_extensions]
    return (_("extensions: {names}").format(names=", ".join(names)) if names
            else _("no ESMTP extensions (HELO)"))


def _tls_note(smtp: Any, encrypted: bool) -> str:
    if not encrypted:
        return ""
    try:
        cipher = smtp.get_transport_info("cipher")
    except Exception:
        return ""
    return f"{cipher[1]} ({cipher[0]})" if cipher else ""


