"""Reading the exception of a failed SMTP step: its chain of causes, a one-line account, and
whether it failed at the greeting or on the certificate's name. Used by diagnosis.py,
sending.py and probe.py; aiosmtplib is imported inside the functions that need it.
"""

from __future__ import annotations

import errno
import socket
import ssl

from smtp_setup.i18n import _


def chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, newest first (at most 8: a loop cannot trap us)."""
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in out and len(out) < 8:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def one_line(exc: BaseException) -> str:
    """The exception's message on one line."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def os_error_words(error: BaseException) -> str | None:
    """What the operating system said, in smtp-setup's words and language (its own text,
    "Connection refused" or "Name or service not known", is English only); None when the
    error is none of the usual ones."""
    if type(error) is socket.gaierror:  # a subclass (--nameserver) has its own words
        return {socket.EAI_NONAME: _("the name is not known"),
                socket.EAI_AGAIN: _("DNS did not answer (a temporary failure)"),
                }.get(error.errno) or (" ".join(error.strerror.split())
                                      if isinstance(error.strerror, str) else None)
    if isinstance(error, socket.gaierror):
        return " ".join(str(error.strerror).split())  # its words, without "[Errno -2]"
    if isinstance(error, ssl.SSLError) or not isinstance(error, OSError):
        return None
    return {errno.ECONNREFUSED: _("connection refused"),
            errno.ECONNRESET: _("the connection was reset"),
            errno.ETIMEDOUT: _("the connection timed out"),
            errno.ENETUNREACH: _("the network is unreachable"),
            errno.EHOSTUNREACH: _("no route to the host"),
            errno.EADDRNOTAVAIL: _("the address is not available on this computer"),
            }.get(error.errno)


def failed_at_greeting(exc: BaseException) -> bool:
    """True when aiosmtplib's connect() failed after TCP (and TLS) were up: at the banner."""
    from aiosmtplib import (
        SMTPConnectResponseError,
        SMTPConnectTimeoutError,
        SMTPReadTimeoutError,
        SMTPResponseException,
        SMTPServerDisconnected,
    )

    if isinstance(exc, SMTPConnectResponseError):
        return True
    if isinstance(exc, SMTPConnectTimeoutError):
        return isinstance(exc.__cause__, SMTPReadTimeoutError)  # "waiting for server ready"
    if isinstance(exc, SMTPResponseException):
        return True  # a malformed greeting (code -1): something answered that is not SMTP
    return isinstance(exc.__cause__, SMTPServerDisconnected)  # closed right after accepting


def is_name_mismatch(exc: BaseException) -> bool:
    """True when the certificate was refused because it is for another name."""
    cert = next((e for e in chain(exc) if isinstance(e, ssl.SSLCertVerificationError)), None)
    return cert is not None and cert.verify_code in (62, 64)


def failure_detail(exc: BaseException) -> str:
    """A short one-line account of a failure for the stage list: the reply if there was one."""
    code, message = getattr(exc, "code", None), getattr(exc, "message", None)
    if isinstance(code, int) and code > 0 and message is not None:
        return " ".join(f"{code} {message}".split())
    recipients = getattr(exc, "recipients", None)
    if recipients:
        return failure_detail(recipients[0])
    for error in chain(exc):
        if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
            return _("certificate: {message}").format(message=error.verify_message)
        if isinstance(error, ssl.SSLError) and error.reason:
            return f"TLS: {error.reason}"
        if (words := os_error_words(error)) is not None:
            return words
    return one_line(exc)

