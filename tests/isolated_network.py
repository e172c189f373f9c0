"""A test send in a network of its own, for failures a shared network cannot stage safely.

`isolated_send(profile, password, tmp_path)` runs the send in a child process inside new
user, network and mount namespaces: loopback is the only interface (an address elsewhere
has no route), resolv.conf names a small DNS server the child runs on 127.0.0.1:53 that
answers every query with NXDOMAIN, nsswitch.conf allows only files and DNS, and nscd's
socket is hidden. So no packet and no DNS query can leave the machine. Where unprivileged
namespaces are not allowed, the calling test is skipped.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from smtp_setup.core.profiles.model import Profile

CHILD = r"""
import asyncio, fcntl, json, socket, struct, sys, threading, time

def loopback_up():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    request = struct.pack("16sH", b"lo", 0)
    flags = struct.unpack("16sH", fcntl.ioctl(sock, 0x8913, request))[1]  # SIOCGIFFLAGS
    fcntl.ioctl(sock, 0x8914, struct.pack("16sH", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP

def nxdomain_server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    def serve():
        while True:
            query, client = sock.recvfrom(4096)
            end = 12
            while query[end]:
                end += query[end] + 1
            header = query[:2] + b"\x81\x83" + b"\x00\x01" + b"\x00" * 6  # NXDOMAIN
            sock.sendto(header + query[12:end + 5], client)
    threading.Thread(target=serve, daemon=True).start()

loopback_up()
nxdomain_server()
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.smtp.session import send_test_message
values = json.loads(sys.argv[1])
password = values.pop("password")
values["security"] = Security(values["security"])
if password:
    values["password"] = SecretRef("inline", password)
started = time.monotonic()
result = asyncio.run(send_test_message(Profile(**values), password,
                                       local_hostname="client.test"))
print(json.dumps({"data": result.to_json(), "elapsed": time.monotonic() - started}))
"""
# Inside the namespaces: our resolv.conf (without one, glibc asks 127.0.0.1 anyway) and
# nsswitch.conf (files and DNS only: no nss-resolve reaching the host's resolver over a
# unix socket), nscd's socket directory hidden; any failure stops before the send.
ISOLATE = ('{ [ ! -e /etc/resolv.conf ] || mount --bind "$1" /etc/resolv.conf; } && '
           '{ [ ! -e /etc/nsswitch.conf ] || mount --bind "$2" /etc/nsswitch.conf; } && '
           '{ [ ! -d /var/run/nscd ] || mount -t tmpfs none /var/run/nscd; } && '
           'exec "$3" -c "$4" "$5"')


@cache
def namespaces_allowed() -> bool:
    if sys.platform != "linux" or not shutil.which("unshare"):
        return False
    try:
        run = subprocess.run(["unshare", "--user", "--map-root-user", "--net", "--mount",
                              "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0


async def isolated_send(prof: Profile, password: str | None,
                        tmp_path: Path) -> tuple[dict, float]:
    """Send through `prof` in the isolated child; returns (SendResult.to_json(), seconds)."""
    if not namespaces_allowed():
        pytest.skip("unprivileged user and network namespaces are not available here")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    nsswitch = tmp_path / "nsswitch.conf"
    nsswitch.write_text("hosts: files dns\n")
    values = {"name": prof.name, "host": prof.host, "port": prof.port,
              "security": str(prof.security), "username": prof.username,
              "password": password, "from_email": prof.from_email, "timeout": prof.timeout}
    child = await asyncio.create_subprocess_exec(
        "unshare", "--user", "--map-root-user", "--net", "--mount", "sh", "-c", ISOLATE,
        "isolate", str(resolv), str(nsswitch), sys.executable, CHILD, json.dumps(values),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(child.communicate(), 30)
    assert child.returncode == 0, stderr.decode()
    out = json.loads(stdout)
    return out["data"], out["elapsed"]
