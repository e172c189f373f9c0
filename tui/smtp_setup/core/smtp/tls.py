"""TLS for outgoing connections: the client context a profile asks for, and a look at whom
a server's certificate is for (to explain a name mismatch)."""

from __future__ import annotations

import asyncio
import os
import ssl

from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.smtp.tcp_connect import connect_socket


def client_tls_context(profile: Profile) -> ssl.SSLContext:
    """The TLS settings for this profile: system trust plus `ca_file` (which adds a trust
    anchor, it does not replace the system's). `verify_certificates = false` switches all
    checks off; that is only ever the user's explicit choice."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if not profile.verify_certificates:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif profile.ca_file:
        context.load_verify_locations(cafile=os.path.expanduser(profile.ca_file))
    return context


async def certificate_names(profile: Profile, *, local_hostname: str, timeout: float = 3.0,
                            nameserver: str | None = None) -> list[str]:
    """The DNS names and IP addresses the server's certificate is valid for, or [] when they
    cannot be read. Connects once more with the name check off (the chain is still
    verified) and goes no further than TLS: no credentials are sent. With `nameserver`
    the host's address comes from that DNS server (tcp_connect)."""
    from aiosmtplib import SMTP

    context = await asyncio.to_thread(client_tls_context, profile)
    context.check_hostname = False
    probe = None
    try:
        async with asyncio.timeout(timeout):
            sock = None if nameserver is None else await connect_socket(
                profile.host, profile.port, nameserver=nameserver, timeout=timeout)
            probe = SMTP(hostname=profile.host.strip(), port=None if sock else profile.port,
                         sock=sock, use_tls=profile.security is Security.TLS,
                         start_tls=profile.security is Security.STARTTLS, tls_context=context,
                         timeout=timeout, local_hostname=local_hostname)
            await probe.connect()
            cert = probe.get_transport_info("peercert") or {}
    except Exception:  # only an embellishment of a diagnosis already made
        return []
    finally:
        if probe is not None:
            probe.close()
    return [value for kind, value in cert.get("subjectAltName", ())
            if kind in ("DNS", "IP Address")]


_TLS_RECORDS = (21, 22)  # the first byte of a TLS alert or handshake record


async def tls_hello_answer(host: str, port: int, timeout: float,
                           nameserver: str | None = None) -> str | None:
    """What `host:port` answers to a TLS hello: "tls" when it speaks TLS, else the first line
    of whatever came back (an SMTP banner, an HTTP server's 400), "" for silence or a
    hang-up, None when no connection could be made. Checks no certificate and sends
    nothing but the hello: it only asks which protocol is there. `nameserver` as in
    certificate_names."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # no CA loading: nothing is verified
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    outgoing = ssl.MemoryBIO()
    hello = context.wrap_bio(ssl.MemoryBIO(), outgoing)
    try:
        hello.do_handshake()
    except ssl.SSLWantReadError:
        pass  # the ClientHello is written and waits in `outgoing`
    writer = None
    try:
        async with asyncio.timeout(timeout):
            if nameserver is None:
                reader, writer = await asyncio.open_connection(host, port)
            else:  # the address from that DNS server, never the system resolver
                reader, writer = await asyncio.open_connection(sock=await connect_socket(
                    host, port, nameserver=nameserver, timeout=timeout))
            writer.write(outgoing.read())
            await writer.drain()
            answer = await reader.read(512)
            while answer and len(answer) < 3:  # a record header arrived in pieces
                more = await reader.read(512 - len(answer))
                if not more:
                    break
                answer += more
    except (OSError, TimeoutError):
        return None if writer is None else ""
    finally:
        if writer is not None:
            writer.close()
    if answer[:1] and answer[0] in _TLS_RECORDS and answer[1:2] == b"\x03":
        return "tls"
    line = answer.split(b"\n", 1)[0].decode("ascii", "replace").strip()
    return "".join(c if c.isprintable() else "?" for c in line)[:80]
