"""The baseline for send_speed.py: the same SMTP session with nothing but aiosmtplib.

    python bare_send.py HOST PORT none|starttls [USERNAME CA_FILE]

connect, EHLO, [STARTTLS, EHLO, AUTH PLAIN], MAIL, RCPT, DATA, QUIT; the password comes
from SMTP_SETUP_BENCH_PASSWORD. It builds the same kind of TLS context as smtp-setup
(system trust plus the extra CA file) and a small plain-text message, so the two sides
do the same work on the wire. Prints the server's reply to DATA.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import sys
from email.message import EmailMessage

FROM = "bench@example.test"


def tls_context(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=ca_file)
    return context


async def bare_session(
    host: str,
    port: int,
    *,
    starttls: bool = False,
    username: str | None = None,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
) -> str:
    """One test send, driven step by step like smtp-setup drives it; the DATA reply."""
    from aiosmtplib import SMTP

    smtp = SMTP(
        hostname=host,
        port=port,
        start_tls=False,
        tls_context=context,
        timeout=20,
        local_hostname="localhost",
    )
    await smtp.connect()
    try:
        await smtp.ehlo()
        if starttls:
            await smtp.starttls()
            await smtp.ehlo()
        if username:
            await smtp.auth_plain(username, password or "")
        msg = EmailMessage()
        msg["Subject"] = "bare aiosmtplib test message"
        msg["From"] = FROM
        msg["To"] = FROM
        msg.set_content("This is a test message.\n")
        _refused, reply = await smtp.send_message(msg)
    finally:
        await smtp.quit()
    return reply


def main() -> None:
    host, port, security = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    username = sys.argv[4] if len(sys.argv) > 4 else None
    context = tls_context(sys.argv[5]) if security == "starttls" else None
    password = os.environ.get("SMTP_SETUP_BENCH_PASSWORD")
    reply = asyncio.run(
        bare_session(
            host,
            port,
            starttls=security == "starttls",
            username=username,
            password=password,
            context=context,
        )
    )
    print(reply)


if __name__ == "__main__":
    main()
