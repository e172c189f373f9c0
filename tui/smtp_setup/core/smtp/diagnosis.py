"""Turn a failed test send into a plain-language diagnosis with next steps.

`diagnose(stage, exc, profile)` looks at the exception type, its __cause__ chain, the stage
that failed and the server's reply code, and picks exactly one code from design.md. Provider
advice comes from the catalog (data), so it stays correct when the catalog is updated.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from collections.abc import Collection

from smtp_setup.core.catalog.advice import credential_steps, hints_about
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.smtp.diagnosis_codes import CODES, OAUTH_CODES, Diagnosis, MissingExtension
from smtp_setup.core.smtp.diagnosis_text import (
    STAGE_LABELS,
    TEMPORARY_BUSY,
    TEMPORARY_CAUSES,
    TEMPORARY_LATER,
    TEXT,
    VARIANTS,
)
from smtp_setup.core.smtp.failure_reading import chain, one_line, os_error_words
from smtp_setup.core.smtp.sandbox import NotTheSandbox, start_command
from smtp_setup.i18n import _

__all__ = ["CODES", "OAUTH_CODES", "Diagnosis", "MissingExtension", "diagnose"]


def diagnose(
    stage: str, exc: BaseException, profile: Profile, *,
    sender: str = "", recipient: str = "", cert_names: list[str] | None = None,
    extensions: Collection[str] = (), hello_answer: str | None = None,
    starttls_offered: bool | None = None, waited: float | None = None,
) -> Diagnosis:
    """Map a failure at `stage` (one of sending.STAGES) to exactly one diagnosis code.

    `extensions`: the EHLO keywords the server offered, when known. `hello_answer`: what
    the port answered when sent a TLS hello after the failure (see
    tls.tls_hello_answer): "tls", the first line of anything else, "" for silence
    after connecting; None when it was not asked or could not be reached. `waited`: the
    seconds the failed stage waited (default: the profile's time limit).
    """
    from aiosmtplib import SMTPNotSupported, SMTPRecipientsRefused, SMTPResponseException

    ctx = {"host": profile.host, "port": profile.port, "server": profile.server,
           "security": profile.security.label, "stage_label": str(STAGE_LABELS.get(stage, stage)),
           "limit": float(profile.timeout), "sender": sender or profile.from_email,
           "recipient": recipient or profile.from_email, "reason": one_line(exc),
           "reply": "",
           "waited": f"{round(waited if waited is not None else profile.timeout, 1):g}"}
    starttls_here = "starttls" in {e.casefold() for e in extensions}
    causes = chain(exc)

    if isinstance(exc, NotTheSandbox):
        ctx["reply"] = exc.greeting
        return _make("not_the_sandbox", ctx, first=[
            _("Run the sandbox on a free port, e.g. `{command}` (it says so when that port is "
              "taken too), and give the profile the same port: smtp-setup edit {name}.").format(
                command=start_command(profile.port + 1), name=profile.name)])
    if isinstance(exc, MissingExtension):
        if exc.extension == "starttls":
            return _make("starttls_not_offered", ctx, suggestion=_suggest_tls(profile))
        explanation = None
        if exc.offered:
            explanation = _(
                "{server} offered no way to log in that smtp-setup can use. It offers "
                "{mechanisms}; smtp-setup logs in with PLAIN, LOGIN or CRAM-MD5.").format(
                server=profile.server, mechanisms=", ".join(m.upper() for m in exc.offered))
        # Login hidden before encryption is worth an encrypted try; login offered only by
        # mechanisms we lack (XOAUTH2) will not appear by changing port or encryption.
        return _make("auth_not_offered", ctx, explanation=explanation,
                     suggestion=None if exc.offered else
                     _encryption_suggestion(profile, starttls_here))
    cert = next((e for e in causes if isinstance(e, ssl.SSLCertVerificationError)), None)
    if cert is not None:
        return _certificate(cert, ctx, cert_names)
    tls = next((e for e in causes if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        ctx["reason"] = tls.reason or one_line(tls)
        if tls.reason in _OLD_TLS_REASONS:
            return _make("tls_handshake_failed", ctx, variant="tls_too_old")
        if tls.reason == "WRONG_VERSION_NUMBER" and profile.security is Security.TLS:
            if hello_answer and hello_answer != "tls" and not _SMTP_LINE.match(hello_answer):
                ctx["reason"] = _("it answered a TLS hello with {answer}").format(
                    answer=repr(hello_answer))
                return _make("not_smtp", ctx)  # plain text, but not an SMTP greeting
            port = 587 if profile.port == 465 else profile.port
            if starttls_offered is False:  # asked: this port speaks plain text only
                return _plain_only_port(ctx, profile)
            return _make("tls_on_plain_port", ctx,
                         suggestion={"port": port, "security": "starttls"})
        return _make("tls_handshake_failed", ctx)
    if isinstance(exc, ValueError):  # includes UnicodeError from a malformed host name
        if isinstance(exc, UnicodeError):
            ctx["reason"] = _("{host} is not a valid host name (check for empty parts).").format(
                host=repr(profile.host))
        return _make("invalid_input", ctx)
    if isinstance(exc, SMTPNotSupported):
        ctx["reason"] = _("The server does not accept addresses with non-ASCII characters "
                          "before the @ (it lacks SMTPUTF8). Use an ASCII address.")
        return _make("invalid_input", ctx)
    if isinstance(exc, SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, SMTPResponseException):
        return _reply(stage, exc.code, exc.message, ctx, profile, starttls_here)
    if any(isinstance(e, TimeoutError) for e in causes):
        return _timeout(stage, ctx, profile, hello_answer)
    return _connection(stage, causes, ctx, profile)


def _reply(stage: str, code: int, message: str, ctx: dict, profile: Profile,
           starttls_here: bool) -> Diagnosis:
    ctx["reply"] = " ".join(f"{code} {message}".split())
    enhanced = _enhanced_code(message)
    if code == -1:
        ctx["reason"] = " ".join(message.split())
        return _make("reply_too_long" if message == "Response too long" else "not_smtp", ctx)
    if code == 421 or (stage in ("greeting", "ehlo") and 400 <= code < 500):
        return _make("server_unavailable", ctx)
    if stage in ("greeting", "ehlo"):
        return _make("connection_rejected", ctx)
    if stage == "starttls":
        ctx["reason"] = _("the server answered {reply} to STARTTLS").format(reply=ctx["reply"])
        if code == 454:  # "454 4.7.0 TLS not available": STARTTLS offered, but broken
            return _make("tls_handshake_failed", ctx, variant="starttls_refused",
                         suggestion=_suggest_tls(profile))
        return _make("tls_handshake_failed", ctx)
    if 400 <= code < 500 and stage in ("mail_from", "rcpt_to", "data"):
        return _temporary(stage, ctx)
    # The server offered STARTTLS on this very port: the one-step fix is to use it.
    here = [_("This server offers STARTTLS on port {port}: choose STARTTLS as the "
              "encryption.").format(port=profile.port)
            ] if starttls_here and profile.security is Security.NONE else []
    if code == 530 and "tls" in message.casefold() and stage != "auth":
        # "530 5.7.0 Must issue a STARTTLS command first" at MAIL FROM: no mail without TLS
        return _make("encryption_required", ctx, first=here,
                     suggestion=_encryption_suggestion(profile, starttls_here))
    if stage == "auth":
        if code in (530, 538) or enhanced == "5.7.11":
            return _make("auth_requires_encryption", ctx, first=here,
                         suggestion=_encryption_suggestion(profile, starttls_here))
        if code == 504:
            return _make("auth_not_offered", ctx)
        return _auth_failed(code, enhanced, ctx, profile)
    # A profile with a username got here only after its login succeeded: login advice and
    # login causes would point the wrong way.
    if stage == "mail_from":
        steps = []
        if code == 530 and not profile.username:
            steps.append(_("The server requires a login before sending: add a username and "
                           "password to the profile."))
        return _make("sender_rejected", ctx, first=steps, extra=hints_about(profile),
                     drop_causes=("login",) if profile.username else ())
    if stage == "rcpt_to":
        relay = [] if profile.username else [_("If the server needs a login to relay, add a "
                                               "username and password.")]
        return _make("recipient_rejected", ctx, extra=hints_about(profile, "recipient") + relay,
                     drop_causes=("login",) if profile.username else ())
    if stage == "data":
        return _make("message_rejected", ctx, extra=hints_about(profile))
    return _make("disconnected", ctx)


def _auth_failed(code: int, enhanced: str | None, ctx: dict, profile: Profile) -> Diagnosis:
    first: list[str] = []
    title = explanation = None
    if enhanced == "5.7.9":  # Gmail: 534-5.7.9 Application-specific password required
        title = _("The server wants an app password")
        explanation = _("{server} answered {reply}: the account has 2-Step Verification, so "
                        "mail programs must use an app password.").format(
            server=profile.server, reply=ctx["reply"])
        first.append(_("Gmail: create an app password in your Google Account (Security > "
                       "App passwords, needs 2-Step Verification) and use it instead of your "
                       "normal password."))
    elif enhanced in ("5.7.139", "5.7.30"):  # Microsoft 365: SMTP AUTH or basic auth is off
        title = _("SMTP login is switched off for this mailbox")
        explanation = _("{server} answered {reply}: Microsoft 365 has authenticated SMTP "
                        "(SMTP AUTH) turned off for this mailbox or tenant.").format(
            server=profile.server, reply=ctx["reply"])
        first.append(_("Microsoft 365: an administrator must enable Authenticated SMTP for the "
                       "mailbox (admin center > Users > Mail > Manage email apps); it does not "
                       "work while Entra Security defaults are on."))
    elif 400 <= code < 500:
        first.append(_("The server could not check the login right now (a temporary error): "
                       "wait a few minutes and test again."))
    extra = [*credential_steps(profile), *hints_about(profile, "login")]
    return _make("auth_failed", ctx, first=first, extra=extra, title=title,
                 explanation=explanation)


def _certificate(cert: ssl.SSLCertVerificationError, ctx: dict,
                 names: list[str] | None) -> Diagnosis:
    ctx["reason"] = cert.verify_message or cert.reason or _("verification failed")
    code = cert.verify_code
    if code in (9, 10):  # X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED
        title = _("The server's certificate is not valid yet") if code == 9 else None
        return _make("certificate_expired", ctx, title=title)
    if code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
        suggestion = explanation = None
        first = []
        if names:
            explanation = _("The certificate at {server} is not valid for the name {host}. It "
                            "is valid for: {names}.").format(
                server=ctx["server"], host=ctx["host"], names=", ".join(names))
            plain = [n for n in names if "*" not in n]
            if plain:
                suggestion = {"host": plain[0]}
                first.append(_("Use {host} as the host: the certificate is made out to "
                               "it.").format(host=plain[0]))
        return _make("certificate_hostname_mismatch", ctx, suggestion=suggestion, first=first,
                     explanation=explanation)
    return _make("certificate_untrusted", ctx)


IMPLICIT_TLS_PORTS = frozenset({465, 2465, 8465, 443})
PLAINTEXT_PORTS = frozenset({25, 80, 587, 588, 2525, 2587, 8025, 25025, 2082})


def _timeout(stage: str, ctx: dict, profile: Profile, answer: str | None) -> Diagnosis:
    if stage == "connect" and profile.security is Security.TLS and answer == "":
        ctx["reason"] = _("the server accepted the connection but never answered the "
                          "handshake")
        return _make("tls_handshake_failed", ctx)
    if stage == "connect":
        return _make("connection_timeout", ctx, suggestion=(
            {"port": 587, "security": "starttls"} if profile.port == 25 else None))
    if stage == "greeting" and profile.security is not Security.TLS and answer and (
            answer == "tls" or not _SMTP_LINE.match(answer)):  # a late banner proves nothing
        return _no_greeting(ctx, profile, answer)
    if stage == "greeting" and profile.security is not Security.TLS and answer == "":
        # Silent to a TLS hello as well: this port is not waiting for TLS either. The
        # standard implicit-TLS port is the best remaining bet.
        return _make("greeting_timeout", ctx, suggestion=(
            None if profile.port == 465 else {"port": 465, "security": "tls"}))
    if stage == "greeting" and profile.security is not Security.TLS:
        # The TLS hello was not tried (no time left): judge by the port number.
        code = "plain_on_tls_port" if profile.port in IMPLICIT_TLS_PORTS else "greeting_timeout"
        # A silent port that is not a usual plaintext port most likely waits for TLS itself;
        # on a usual plaintext port (587, 25, ...) the implicit-TLS port 465 is the better bet.
        port = 465 if profile.port in PLAINTEXT_PORTS else profile.port
        return _make(code, ctx, suggestion={"port": port, "security": "tls"})
    if stage == "starttls":
        ctx["reason"] = _("the handshake did not finish in time")
        return _make("tls_handshake_failed", ctx)
    return _make("timeout", ctx)


def _no_greeting(ctx: dict, profile: Profile, answer: str) -> Diagnosis:
    """No greeting came, the port was then offered a TLS hello, and something answered: the
    advice rests on what the port did rather than on its number."""
    if answer == "tls":
        return _make("plain_on_tls_port", ctx, explanation=_(
            "{server} said nothing to the plain connection but answered a TLS handshake: it "
            "speaks implicit TLS, while the profile ({security}) waits for a greeting "
            "first.").format(server=profile.server, security=profile.security.label),
            suggestion={"port": profile.port, "security": "tls"})
    ctx["reason"] = _("no SMTP greeting, and it answered a TLS hello with {answer}").format(
        answer=repr(answer))
    return _make("not_smtp", ctx)


def _encryption_suggestion(profile: Profile, starttls_here: bool) -> dict | None:
    """Where to log in with encryption: this port when it offered STARTTLS, else 587."""
    if profile.security is not Security.NONE:
        return None
    if starttls_here:
        return {"port": profile.port, "security": "starttls"}
    if profile.port == 465:
        return {"port": 465, "security": "tls"}
    return {"port": 587, "security": "starttls"}


def _connection(stage: str, chain: list[BaseException], ctx: dict,
                profile: Profile) -> Diagnosis:
    from aiosmtplib import SMTPServerDisconnected

    for error in chain:
        if isinstance(error, socket.gaierror):
            ctx["reason"] = getattr(error, "reason", None) or (  # --nameserver says which
                _("DNS did not answer") if error.errno == socket.EAI_AGAIN
                else _("no such name in DNS"))
            return _make("dns_not_found", ctx)
        if isinstance(error, ConnectionRefusedError):
            first = [_("The sandbox runs only while smtp-setup runs it: start it with "
                       "`{command}` in another terminal, then test again.").format(
                command=start_command(profile.port))] if profile.provider == "sandbox" else []
            return _make("connection_refused", ctx, first=first)
        if isinstance(error, SMTPServerDisconnected | ConnectionResetError
                      | ConnectionAbortedError | BrokenPipeError):
            # A hang-up during a TLS handshake is the server (or something in between)
            # refusing it. (Not `ConnectionError`: aiosmtplib's SMTPConnectError is one.)
            if stage == "starttls" or (stage == "connect" and profile.security is Security.TLS):
                ctx["reason"] = _("the server closed the connection during the TLS handshake")
                return _make("tls_handshake_failed", ctx)
            return _make("disconnected", ctx)
        if isinstance(error, OSError) and error.errno in (
                errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
            ctx["reason"] = os_error_words(error) or one_line(error)
            return _make("network_unreachable", ctx)
    if stage == "connect":
        return _make("network_unreachable", ctx)
    return _make("disconnected", ctx)


def _plain_only_port(ctx: dict, profile: Profile) -> Diagnosis:
    """Implicit TLS met plain text, and the port offers no STARTTLS either."""
    if profile.username:  # never suggest sending a password in clear
        return _make("tls_on_plain_port", ctx, explanation=_(
            "The server on {server} answered in plain text and offers no STARTTLS either: "
            "this port does not encrypt at all.").format(server=profile.server), first=[
            _("Use a port of this server that offers encryption (465 or 587), or ask its "
              "administrator to enable STARTTLS: a login here would travel readable.")])
    return _make("tls_on_plain_port", ctx, explanation=_(
        "The server on {server} answered in plain text and offers no STARTTLS either: this "
        "port does not encrypt at all. Without a login only the message itself travels "
        "readable, which is fine on this computer or a trusted network.").format(
        server=profile.server), suggestion={"security": "none"})


def _make(code: str, ctx: dict, *, suggestion: dict | None = None, first: list[str] = (),
          extra: list[str] = (), title: str | None = None, explanation: str | None = None,
          variant: str | None = None, causes: list[str] = (),
          drop_causes: tuple[str, ...] = ()) -> Diagnosis:
    """`variant`: other words for the code (VARIANTS); `drop_causes`: words of usual causes
    to leave out; `causes` and `first` go before the usual causes and steps."""
    base_title, base_explanation, base_causes, steps = (VARIANTS[variant] if variant
                                                        else TEXT[code])
    # the usual causes are N_() texts: drop by their English words, whatever the language
    kept = [c for c in base_causes if not any(word in c.message for word in drop_causes)]
    return Diagnosis(
        code=code,
        title=title or base_title.format(**ctx),
        explanation=explanation or base_explanation.format(**ctx),
        causes=_unique([*map(str, causes), *(c.format(**ctx) for c in kept)]),
        next_steps=_unique([*map(str, first), *map(str, extra), *(s.format(**ctx) for s in steps)]),
        suggestion=suggestion,
    )


_OLD_TLS_REASONS = ("TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL")  # TLS 1.0/1.1 only


def _temporary(stage: str, ctx: dict) -> Diagnosis:
    """A 4xx at MAIL FROM, RCPT TO or DATA: try again later first, then what the reply points
    to; never login advice (the login, if any, has succeeded)."""
    reply = ctx["reply"].casefold()
    cause = next((c for words, c in TEMPORARY_CAUSES if any(w in reply for w in words)),
                 TEMPORARY_BUSY)
    return _make("temporary_failure", ctx, causes=[cause],
                 first=[TEXT["temporary_failure"][3][0]], extra=[TEMPORARY_LATER[stage]])


def _suggest_tls(profile: Profile) -> dict | None:
    return None if profile.port == 465 else {"port": 465, "security": "tls"}


_SMTP_LINE = re.compile(r"[2-5]\d\d(?:[ -]|$)")  # an SMTP reply line: code, space or dash


def _enhanced_code(message: str) -> str | None:
    match = re.match(r"\s*([245]\.\d{1,3}\.\d{1,3})\b", message)
    return match.group(1) if match else None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
