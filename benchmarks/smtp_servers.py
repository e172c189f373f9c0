"""The loopback SMTP servers send_speed.py sends through, in a process of their own.

    python smtp_servers.py FOLDER

Starts two aiosmtpd servers on 127.0.0.1: "plain" (no TLS, no login) and "starttls"
(STARTTLS required, then AUTH PLAIN/LOGIN as USERNAME / PASSWORD, with a certificate from
a fresh trustme CA whose PEM is written to FOLDER/ca.pem). Prints one JSON line with
the ports and the CA file, serves until its stdin closes, then prints one JSON line with
how many messages each accepted. A process of its own keeps the servers' work off the
measuring process's CPU and GIL.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import sys
from contextlib import ExitStack
from pathlib import Path

USERNAME = "bench"
PASSWORD = "bench-Pa55-not-secret"  # a throwaway for a loopback server


class CountingHandler:
    """Accepts every message and counts them, so a silent failure cannot pass as fast."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        return "250 2.0.0 accepted for the benchmark"


def authenticate(server, session, envelope, mechanism, data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def free_port() -> int:
    # Controller cannot take port 0 (aiosmtpd #388); the tiny race is harmless here.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    import trustme
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # per-session chatter
    folder = Path(sys.argv[1])
    ca = trustme.CA()
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # server-purpose
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)

    handlers = {"plain": CountingHandler(), "starttls": CountingHandler()}
    options = {
        "plain": {},
        "starttls": dict(
            tls_context=server_tls,
            require_starttls=True,
            auth_required=True,
            authenticator=authenticate,
        ),
    }
    ports = {}
    with ExitStack() as stack:
        for name, handler in handlers.items():
            controller = Controller(
                handler,
                hostname="127.0.0.1",
                port=free_port(),
                server_hostname="mx.bench.test",
                **options[name],
            )
            controller.start()
            stack.callback(controller.stop)
            ports[name] = controller.port
        print(json.dumps({**ports, "ca_file": str(ca_file)}), flush=True)
        sys.stdin.read()  # serve until the benchmark closes our stdin
    print(json.dumps({name: h.received for name, h in handlers.items()}), flush=True)


if __name__ == "__main__":
    main()
