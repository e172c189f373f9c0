"""SASL XOAUTH2 (Google's and Microsoft's OAuth login for SMTP), driven by hand.

aiosmtplib's own `auth_xoauth2()` throws away Gmail's `334` challenge, a base64 JSON object
such as {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"} that says why
the token was refused. Here the exchange is sent once, the challenge is read and answered
with an empty line, and the final reply is raised with the decoded challenge attached.
The access token travels only inside the base64 initial response, which the transcript
masks; it is never part of an exception or a reply shown to a person.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

MECHANISM = "XOAUTH2"


class XOAuth2Refused(Exception):
    """The server refused the token. `code` and `message` are the final reply; `challenge`
    is Gmail's decoded 334 JSON (status, schemes, scope) when there was one."""

    def __init__(self, code: int, message: str, challenge: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.challenge = challenge
        self.token_reused = False  # set by the caller: the token came from its cache

    @property
    def status(self) -> str:
        """Gmail's status in the challenge ("400", "401"), "" when there was none."""
        return str((self.challenge or {}).get("status", ""))

    @property
    def scope(self) -> str:
        """The scope Gmail says the token needs, "" when it did not say."""
        return str((self.challenge or {}).get("scope", ""))


def initial_response(user: str, access_token: str) -> bytes:
    """base64("user=" + user + "^Aauth=Bearer " + token + "^A^A"), ^A being 0x01."""
    raw = f"user={user}\x01auth=Bearer {access_token}\x01\x01".encode()
    return base64.b64encode(raw)


def decode_challenge(text: str) -> dict[str, Any] | None:
    """Gmail's 334 challenge as a dict, or None when it is not base64 JSON of an object."""
    try:
        data = json.loads(base64.b64decode(text.strip(), validate=True))
    except (binascii.Error, ValueError):  # JSONDecodeError and UnicodeDecodeError included
        return None
    return data if isinstance(data, dict) else None


async def authenticate(smtp: Any, user: str, access_token: str) -> Any:
    """Send `AUTH XOAUTH2 <initial response>` once on a connected aiosmtplib SMTP (after EHLO).

    Returns the 235 reply. On a 334 challenge the client answers with an empty line, as
    RFC 7628 and Google ask, and the final reply decides. Anything but 235 raises
    XOAuth2Refused (with the decoded challenge); the connection is left as the server left
    it. aiosmtplib's own errors (timeouts, disconnects) propagate unchanged.
    """
    reply = await smtp.execute_command(b"AUTH", MECHANISM.encode(),
                                       initial_response(user, access_token))
    challenge = None
    if reply.code == 334:
        challenge = decode_challenge(reply.message or "")
        reply = await smtp.execute_command(b"")  # the empty line ends a failed exchange
    if reply.code != 235:
        raise XOAuth2Refused(reply.code, reply.message, challenge)
    return reply
