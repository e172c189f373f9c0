"""Loaded by a `smtp-setup` subprocess whose PYTHONPATH starts with this folder: any host
NAME given to the system resolver fails (addresses pass), so a test proves that
--nameserver answered every name. A tripwire, not a stand-in: addresses still go to the
real getaddrinfo."""

import ipaddress
import socket

_real = socket.getaddrinfo


def _only_addresses(host, *args, **kwargs):
    text = host.decode() if isinstance(host, bytes) else host
    if text is not None:
        try:
            ipaddress.ip_address(str(text).split("%", 1)[0])
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME,
                                  f"test tripwire: {text} reached the system resolver") from None
    return _real(host, *args, **kwargs)


socket.getaddrinfo = _only_addresses
