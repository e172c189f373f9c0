"""TLS for outgoing connections: the client context a profile asks for, and a look at whom
a server's certificate is for (to explain a name mismatch)."""

from __future__ import annotations

import asyncio
import os
import ssl

from smtp_setup.core.profile import Profile, Security


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


async def certificate_names(profile: Profile, *, local_hostname: str,
                            timeout: float = 3.0) -> list[str]:
    """The DNS names and IP addresses the server's certificate is valid for, or [] when they
    cannot be read. Connects once more with the name check off (the chain is still
    verified) and goes no further than TLS: no credentials are sent."""
    from aiosmtplib import SMTP

    context = await asyncio.to_thread(client_tls_context, profile)
    context.check_hostname = False
    probe = SMTP(hostname=profile.host.strip(), port=profile.port,
                 use_tls=profile.security is Security.TLS,
                 start_tls=profile.security is Security.STARTTLS, tls_context=context,
                 timeout=timeout, local_hostname=local_hostname)
    try:
        async with asyncio.timeout(timeout):
            await probe.connect()
            cert = probe.get_transport_info("peercert") or {}
    except Exception:  # only an embellishment of a diagnosis already made
        return []
    finally:
        probe.close()
    return [value for kind, value in cert.get("subjectAltName", ())
            if kind in ("DNS", "IP Address")]
