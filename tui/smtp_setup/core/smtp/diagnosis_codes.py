"""The diagnosis codes (design.md's list and the ones added since, each for a real failure
that fit none) and the Diagnosis a failure becomes. Words live in diagnosis_text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smtp_setup.i18n import _

# Codes beyond design.md's list, added because a real failure fit none of them:
# not_smtp (the port answers with another protocol, e.g. SSH on 22), connection_rejected
# (a 5xx greeting or EHLO refusal: blocked address), network_unreachable (no route) and
# encryption_required (a server that takes no mail at all before STARTTLS: "530 5.7.0
# Must issue a STARTTLS command first" at MAIL FROM, e.g. Postfix with TLS "encrypt"),
# temporary_failure (4xx to MAIL FROM, RCPT TO or DATA: greylisting, rate limit, full
# mailbox) and reply_too_long (a reply line longer than the client reads).
CODES = (
    "dns_not_found", "connection_refused", "connection_timeout", "greeting_timeout",
    "tls_on_plain_port", "plain_on_tls_port", "starttls_not_offered", "certificate_expired",
    "certificate_untrusted", "certificate_hostname_mismatch", "tls_handshake_failed",
    "server_unavailable", "auth_not_offered", "auth_failed", "auth_requires_encryption",
    "sender_rejected", "recipient_rejected", "message_rejected", "disconnected", "timeout",
    "invalid_input", "not_smtp", "connection_rejected", "network_unreachable",
    "encryption_required", "temporary_failure", "reply_too_long",
)
# OAuth failures (issue #6); words in diagnosis_text, chosen by core.oauth_diagnosis. The
# first two come from an SMTP server's reply to XOAUTH2, the rest from the sign-in server.
OAUTH_CODES = (
    "oauth_smtp_disabled", "oauth_wrong_user", "oauth_refresh_expired", "oauth_unreachable",
    "oauth_consent_required", "oauth_device_flow_blocked", "oauth_client_misconfigured",
    "oauth_cancelled", "oauth_timeout",
)
CODES += OAUTH_CODES
# not_the_sandbox: a profile for the local sandbox reached a server that is not it (issue 9).
CODES += ("not_the_sandbox",)

@dataclass
class Diagnosis:
    """What went wrong, why, and what to do; `suggestion` is a settings change the UI offers."""

    code: str
    title: str
    explanation: str
    causes: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    suggestion: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The `diagnosis` object of design.md's test JSON."""
        return {"code": self.code, "title": self.title, "explanation": self.explanation,
                "next_steps": list(self.next_steps), "suggestion": self.suggestion}


class MissingExtension(Exception):
    """The server did not offer what the profile needs ("starttls" or "auth")."""

    def __init__(self, extension: str, offered: tuple[str, ...] = ()) -> None:
        super().__init__(_("the server does not offer {extension}").format(
            extension=extension.upper()))
        self.extension = extension
        self.offered = offered  # the AUTH mechanisms it did offer, if any
