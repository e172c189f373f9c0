"""The port check: which (port, encryption) pairs of a host answer, and how, all at once.

Each candidate gets its own time limit and they all run concurrently, so six silent ports
cost one limit, not six. Per candidate: TCP connect (our own, so that "the connection was
dropped" and "connected, but silence" stay apart), implicit TLS if asked, the greeting,
EHLO (STARTTLS offered? AUTH mechanisms?), STARTTLS and EHLO again if asked, then QUIT.
Certificates are verified. No credentials and no MAIL are ever sent. Failures are classified
by diagnosis.diagnose(), the same code as a failed test send. aiosmtplib is imported inside
the functions that need it.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from time import perf_counter
from typing import Any

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.diagnosis import (
    MissingExtension,
    diagnose,
)
from smtp_setup.core.smtp.failure_reading import (
    failed_at_greeting,
    is_name_mismatch,
)
from smtp_setup.core.smtp.probe_ports import (
    Candidate,
    candidates_for_host,
    default_candidates,
    parse_ports,
    provider_for_host,
)
from smtp_setup.core.smtp.probe_report import (
    STATUSES,
    PortProbe,
    ProbeReport,
    blocked_hint,
    choose,
    format_report,
    format_result,
)
from smtp_setup.core.smtp.probe_texts import failure_words, usable_detail
from smtp_setup.core.smtp.tcp_connect import (
    Address,
    default_local_hostname,
    open_socket,
    resolve_host,
)
from smtp_setup.core.smtp.tls import certificate_names, client_tls_context
from smtp_setup.i18n import _

__all__ = ["STATUSES", "Candidate", "PortProbe", "ProbeReport", "blocked_hint",
           "candidates_for_host", "check_nameserver", "choose", "default_candidates",
           "format_report", "format_result", "parse_ports", "probe_host", "provider_for_host"]

_STATUS_BY_CODE = {
    "connection_refused": "refused", "connection_timeout": "timeout",
    "greeting_timeout": "no_greeting", "plain_on_tls_port": "no_greeting",
    "not_smtp": "not_smtp", "starttls_not_offered": "no_starttls",
    "tls_on_plain_port": "tls_failed", "tls_handshake_failed": "tls_failed",
    "certificate_expired": "tls_failed", "certificate_untrusted": "tls_failed",
    "certificate_hostname_mismatch": "tls_failed",
}

log = logging.getLogger(__name__)


async def probe_host(
    host: str,
    candidates: list[Candidate],
    *,
    timeout: float = 5.0,
    tls_context: ssl.SSLContext | None = None,
    ca_file: str | None = None,
    on_result: Callable[[PortProbe], None] | None = None,
    local_hostname: str | None = None,
    nameserver: str | None = None,
    login: bool = True,
) -> ProbeReport:
    """Try every candidate on `host` at the same time and recommend one.

    Each candidate has `timeout` seconds, counted from the start (the one shared DNS look-up
    included). `tls_context` replaces the default trust (system CAs plus `ca_file`);
    `on_result` receives each PortProbe as it finishes. Results keep the candidates' order.
    `nameserver` (HOST[:PORT]) gives the host's address instead of the system resolver;
    certificates are still checked against the host name. `login` False: the profile sends
    without logging in, so no advice is given about a login on a plain port.
    Raises InvalidInput (a ValueError with one sentence) for a bad host, an empty list, a
    limit that is not positive or an unreadable CA file; asyncio.CancelledError passes
    through so the caller can cancel. Anything the network does becomes a result.
    """
    host = host.strip()
    if error := validation.host(host):
        raise InvalidInput("host", error)
    unique: list[Candidate] = []
    for candidate in candidates:  # a repeated port and mode is checked once
        if not 1 <= candidate.port <= 65535:
            raise InvalidInput("ports", _("Port {port} is out of range: a port is a number "
                                          "from 1 to 65535.").format(port=candidate.port))
        if all((c.port, c.security) != (candidate.port, candidate.security) for c in unique):
            unique.append(candidate)
    if not unique:
        raise InvalidInput("ports", _("Give at least one port to check, e.g. 465 or 587."))
    if not timeout > 0:
        raise InvalidInput("timeout", _("The time limit must be more than 0 seconds."))
    check_nameserver(nameserver)
    own_trust = tls_context is None
    verified = own_trust or (tls_context.verify_mode == ssl.CERT_REQUIRED
                             and tls_context.check_hostname)
    if tls_context is None and any(c.security is not Security.NONE for c in unique):
        try:  # reading the system CA bundle is file I/O: keep it off the event loop
            tls_context = await asyncio.to_thread(
                client_tls_context, Profile(name="probe", ca_file=ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise InvalidInput("ca_file", _("The CA file {path} could not be read "
                                            "({reason}).").format(
                path=ca_file, reason=getattr(exc, "strerror", None) or exc)) from None
    shared = _Shared(host.strip("[]"), timeout, tls_context, own_trust, verified, ca_file,
                     local_hostname or default_local_hostname(), on_result, nameserver)
    started = perf_counter()
    shared.deadline = asyncio.get_running_loop().time() + timeout
    try:
        shared.addresses = await resolve_host(shared.host, shared.deadline, nameserver)
    except OSError as exc:  # one look-up for all: its failure is every candidate's answer
        shared.lookup_error = exc
    results: list[PortProbe] = [PortProbe(c.port, c.security) for c in unique]

    async def run(index: int, candidate: Candidate) -> None:
        results[index] = await _CandidateProbe(shared, candidate, started).run()
        shared.emit(results[index])

    async with asyncio.TaskGroup() as group:
        for index, candidate in enumerate(unique):
            group.create_task(run(index, candidate))
    recommended, reasons = choose(results, host, login)
    return ProbeReport(host, results, recommended, reasons, blocked_hint(results),
                       timeout=float(timeout), ms=(perf_counter() - started) * 1000)


class _Shared:
    """What every candidate of one check shares."""

    def __init__(self, host: str, timeout: float, tls_context: ssl.SSLContext | None,
                 own_trust: bool, verified: bool, ca_file: str | None, local_hostname: str,
                 on_result: Callable[[PortProbe], None] | None, nameserver: str | None) -> None:
        self.host, self.timeout, self.tls_context = host, timeout, tls_context
        self.own_trust = own_trust  # False when the caller gave its own TLS context
        self.verified, self.ca_file, self.local_hostname = verified, ca_file, local_hostname
        self.on_result, self.nameserver = on_result, nameserver
        self.deadline = 0.0
        self.addresses: list[Address] = []
        self.lookup_error: OSError | None = None

    def emit(self, result: PortProbe) -> None:
        if self.on_result is None:
            return
        try:
            self.on_result(result)
        except Exception:  # a display problem must not stop the other candidates
            log.exception("on_result callback failed for port %s", result.port)


class _CandidateProbe:
    def __init__(self, shared: _Shared, candidate: Candidate, started: float) -> None:
        self.shared, self.candidate, self.started = shared, candidate, started
        self.tls = candidate.security is Security.TLS
        self.result = PortProbe(candidate.port, candidate.security,
                                documented=candidate.documented,
                                provider_recommended=candidate.recommended)
        self.profile = Profile(name="probe", host=shared.host, port=candidate.port,
                               security=candidate.security, ca_file=shared.ca_file,
                               timeout=shared.timeout)
        self.stage = "connect"
        self.smtp: Any = None

    async def run(self) -> PortProbe:
        result = self.result
        try:
            if self.shared.lookup_error is not None:
                raise self.shared.lookup_error
            cap = asyncio.timeout_at(self.shared.deadline)
            try:
                async with cap:
                    await self._session()
            except Exception:
                if not cap.expired():
                    raise
                if self.stage != "quit":  # a slow goodbye does not change the verdict
                    limit = f"{self.shared.timeout:g}"
                    await self._failed(TimeoutError(_("no answer within {limit} s").format(
                        limit=limit)), expired=True)
        except Exception as exc:
            await self._failed(exc)
        finally:
            if self.smtp is not None:
                self.smtp.close()
        result.ms = (perf_counter() - self.started) * 1000
        return result

    # -- the session --------------------------------------------------------------------------
    async def _session(self) -> None:
        from aiosmtplib import SMTP, SMTPHeloError

        result, shared = self.result, self.shared
        sock = await open_socket(shared.addresses, self.candidate.port)
        self.stage = "tls" if self.tls else "greeting"
        try:  # the socket is handed over: from here the connection closes it
            self.smtp = smtp = SMTP(
                hostname=shared.host, sock=sock, use_tls=self.tls, start_tls=False,
                tls_context=shared.tls_context, timeout=self._op_timeout(),
                local_hostname=shared.local_hostname)
        except Exception:
            sock.close()
            raise
        banner = await smtp.connect()
        result.greeting_host = _greeting_host(banner.message)
        if self.tls:
            self._note_tls(smtp)
        self.stage = "ehlo"
        smtp.timeout = self._op_timeout()
        try:
            await smtp.ehlo()
        except SMTPHeloError as exc:
            if exc.code not in (500, 502) or not smtp.is_connected:
                raise
            await smtp.helo()  # a very old server without ESMTP: no extensions to report
        result.starttls_offered = smtp.supports_extension("starttls")
        if self.tls:
            result.auth_after_tls = _mechanisms(smtp)
        else:
            result.auth_before_tls = _mechanisms(smtp)
        if self.candidate.security is Security.STARTTLS:
            self.stage = "starttls"
            if not result.starttls_offered:
                raise MissingExtension("starttls")
            await smtp.starttls(timeout=self._op_timeout())
            self._note_tls(smtp)
            self.stage = "ehlo"
            smtp.timeout = self._op_timeout()
            await smtp.ehlo()  # RFC 3207: what the server offers may change under TLS
            result.auth_after_tls = _mechanisms(smtp)
        result.status, result.detail = "usable", usable_detail(result)
        self.stage = "quit"
        try:
            await smtp.quit()
        except Exception:  # the verdict is made; a rude goodbye changes nothing
            pass

    def _op_timeout(self) -> float:
        """aiosmtplib's limit per step: a little under the time left, so that its own, more
        precise error (handshake or greeting?) arrives before our deadline does."""
        left = self.shared.deadline - asyncio.get_running_loop().time()
        return max(0.05, left - min(0.25, self.shared.timeout * 0.1))

    def _note_tls(self, smtp: Any) -> None:
        cipher = smtp.get_transport_info("cipher")
        self.result.tls_version = str(cipher[1]) if cipher else ""
        self.result.certificate_ok = True if self.shared.verified else None

    # -- failures -----------------------------------------------------------------------------
    async def _failed(self, exc: BaseException, *, expired: bool = False) -> None:
        result, stage = self.result, self.stage
        if stage == "tls" and (expired or failed_at_greeting(exc)):
            stage = "greeting"  # the handshake was done; the greeting was not
        # diagnose() knows the stages of a test send; an implicit-TLS handshake is set-up of
        # encryption just like STARTTLS, and is read the same way.
        diagnosis_stage = "starttls" if stage == "tls" else stage
        diagnosis = diagnose(diagnosis_stage, exc, self.profile)
        names: list[str] = []
        if is_name_mismatch(exc):
            names = await self._certificate_names()
            diagnosis = diagnose(diagnosis_stage, exc, self.profile, cert_names=names)
        code = diagnosis.code
        status = _STATUS_BY_CODE.get(code)
        if status is None:
            status = "no_greeting" if stage == "greeting" and code in (
                "timeout", "disconnected") else "error"
        result.status, result.diagnosis_code = status, code
        if code.startswith("certificate_"):
            result.certificate_ok = False
        result.detail = failure_words(result, exc, diagnosis.title, self.shared, names)
        result.suggestion = _suggestion(result, diagnosis.suggestion)

    async def _certificate_names(self) -> list[str]:
        """Whom the certificate is for, when the trust is ours to rebuild (not a caller's
        context) and there is time left: another short TLS connection, no credentials."""
        left = self.shared.deadline - asyncio.get_running_loop().time()
        if not self.shared.own_trust or left <= 0.2:
            return []
        return await certificate_names(self.profile, local_hostname=self.shared.local_hostname,
                                       timeout=min(left, 3.0), nameserver=self.shared.nameserver)


def check_nameserver(nameserver: str | None) -> None:
    """InvalidInput (one sentence) for a malformed --nameserver, before any work."""
    if nameserver is None:
        return
    from smtp_setup.core.dns.client import parse_nameserver

    try:
        parse_nameserver(nameserver)
    except ValueError as exc:
        raise InvalidInput("nameserver", str(exc)) from None


# -- words ------------------------------------------------------------------------------------
def _greeting_host(message: str) -> str:
    """The first word of the 220 greeting, when it looks like a host name."""
    words = message.split(None, 1)
    word = words[0] if words else ""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:[]")
    return word[:253] if word and set(word) <= allowed else ""


def _mechanisms(smtp: Any) -> list[str]:
    return [name.upper() for name in smtp.server_auth_methods]


def _suggestion(result: PortProbe, diagnosed: dict | None) -> dict[str, Any] | None:
    """What to try instead: the same port in the other mode when the modes clearly do not
    match, or the certificate's own host name."""
    if result.diagnosis_code == "tls_on_plain_port":
        return {"port": result.port, "security": "starttls"}
    if (result.status == "no_greeting" and result.security is not Security.TLS
            and result.diagnosis_code != "disconnected"):
        return {"port": result.port, "security": "tls"}
    if result.diagnosis_code == "certificate_hostname_mismatch" and diagnosed:
        return diagnosed
    return None
