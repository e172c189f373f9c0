"""Real sends for the export tests: an aiosmtpd server (from smtp_server_factory) whose
handler notes, for each message, the security it arrived with: "tls" (implicit TLS from
the first byte), "starttls" (upgraded on the plain port) or "none"."""

from __future__ import annotations

from typing import Any

from smtp_fixtures import RecordingHandler, SMTPTestServer

MODES = {"tls": 465, "starttls": 587, "plain": 25}  # server kind -> the port it plays
SECURITY_OF_KIND = {"tls": "tls", "starttls": "starttls", "plain": "none"}


class SecurityRecordingHandler(RecordingHandler):
    """Keeps each envelope and, in `securities`, how the session that sent it was secured."""

    def __init__(self) -> None:
        super().__init__()
        self.securities: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if session.ssl is not None:  # aiosmtpd sets it only after STARTTLS
            self.securities.append("starttls")
        elif server.transport.get_extra_info("ssl_object") is not None:
            self.securities.append("tls")
        else:
            self.securities.append("none")
        return await super().handle_DATA(server, session, envelope)


def recording_server(factory: Any, kind: str, **kwargs: Any) -> SMTPTestServer:
    """A server of `kind` ("tls", "starttls", "plain" with AUTH) that records security."""
    handler = SecurityRecordingHandler()
    server = factory(kind, handler=handler, **kwargs)
    server.securities = handler.securities
    return server


def assert_arrived(server: SMTPTestServer, kind: str, text: bytes = b"") -> None:
    """Exactly one message arrived, with the security the server kind stands for."""
    assert len(server.messages) == 1, "no message arrived"
    assert server.securities == [SECURITY_OF_KIND[kind]]
    assert text in server.messages[0].content
