"""The protocol transcript of a test send, redacted as it is recorded.

Lines look like swaks output: "S: 250 ok" for what the server said and "C: EHLO x" for
what we sent. Secrets never reach the list: the initial response of AUTH and every client
line during an AUTH exchange become ********, and the message body becomes a size note.
"""

from __future__ import annotations

from typing import Any

MASK = "********"


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Replace each secret (a safety net behind the protocol-aware masking) with ********.

    Very short secrets are left alone: masking every "a" in a transcript would hide the
    transcript, not the password, and the protocol-aware masking already covers them.
    """
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            text = text.replace(secret, MASK)
    return text


class Transcript:
    """Collects client and server lines of one SMTP session, masking secrets on the way in."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.lines: list[str] = []
        self._secrets = tuple(s for s in secrets if s)
        self._server_buffer = b""
        self._in_auth = False  # between "AUTH ..." and the first non-334 reply
        self._data_sent = False  # "DATA" sent, waiting for 354
        self._body_next = False  # 354 received: the next client write is the message

    # -- hooking into aiosmtplib -------------------------------------------------------
    def attach(self, protocol: Any) -> None:
        """Wrap an aiosmtplib SMTPProtocol instance so every byte in and out is recorded.

        The protocol object survives STARTTLS (only its transport changes), so lines after
        the upgrade are recorded in plaintext too.
        """
        write, data_received = protocol.write, protocol.data_received

        def recording_write(data: bytes) -> None:
            self.client(data)
            write(data)

        def recording_data_received(data: bytes) -> None:
            self.server(data)
            data_received(data)

        protocol.write = recording_write
        protocol.data_received = recording_data_received

    # -- recording ------------------------------------------------------------------------
    def reply(self, code: int, message: str) -> None:
        """Record a whole server reply we did not see on the wire (e.g. the banner)."""
        parts = message.split("\n") if message else [""]
        for index, part in enumerate(parts):
            sep = "-" if index < len(parts) - 1 else " "
            self._add("S", f"{code}{sep}{part}".rstrip())
        self._after_reply(code)

    def server(self, data: bytes) -> None:
        """Record bytes the server sent; partial lines wait for the rest."""
        self._server_buffer += data
        while b"\n" in self._server_buffer:
            raw, self._server_buffer = self._server_buffer.split(b"\n", 1)
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            self._add("S", line)
            if len(line) < 4 or line[3] != "-":  # the last line of a reply
                self._after_reply(_code_of(line))

    def client(self, data: bytes) -> None:
        """Record bytes we sent, masking credentials and the message body."""
        if self._body_next:
            self._body_next = False
            self._add("C", f"<message body, {len(data)} bytes>", scrub=False)
            return
        for raw in data.split(b"\r\n"):
            if not raw:
                continue
            line = raw.decode("utf-8", "replace")
            verb = line.split(" ", 1)[0].upper()
            if self._in_auth:
                line = MASK  # LOGIN username/password, CRAM-MD5 digest, any continuation
            elif verb == "AUTH":
                words = line.split(" ")
                if len(words) > 2:
                    line = f"{words[0]} {words[1]} {MASK}"
                self._in_auth = True
            elif verb == "DATA":
                self._data_sent = True
            self._add("C", line)

    def _after_reply(self, code: int | None) -> None:
        if self._in_auth and code != 334:
            self._in_auth = False
        if self._data_sent:
            self._data_sent = False
            self._body_next = code == 354

    def _add(self, who: str, text: str, *, scrub: bool = True) -> None:
        if scrub:
            text = redact(text, self._secrets)
        self.lines.append(f"{who}: {text}")


def _code_of(line: str) -> int | None:
    head = line[:3]
    return int(head) if head.isdigit() else None
