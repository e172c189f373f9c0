"""Mozilla autoconfig files (config-v1.1.xml): where a domain publishes its mail servers.

The URLs and their order follow Thunderbird (providers.md B.10): HTTPS on autoconfig.<domain>,
then HTTPS .well-known on <domain>, then the same two over plain HTTP when that is allowed.
The HTTP client is a small one on asyncio streams, so that the host names it connects to are
looked up through `dns_client` (and so through `--nameserver`), never the system resolver.
Files are capped at MAX_BYTES and parsed without DOCTYPEs or entities: the file comes from
the network, and an entity-expansion bomb must not get a chance.
"""

from __future__ import annotations

import asyncio
import os
import re
import ssl
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from smtp_setup.core.dns import client as dns_client
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Security
from smtp_setup.i18n import _

MAX_BYTES = 100_000  # real files are 1-5 KB; a bigger answer is not an autoconfig file
MAX_REDIRECTS = 3
USER_AGENT = "smtp-setup (autoconfig)"
_SOCKET_TYPES = {"ssl": Security.TLS, "starttls": Security.STARTTLS, "plain": Security.NONE}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSAFE = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)


class AutoconfigError(Exception):
    """A file could not be fetched or read; `str()` is one sentence (a short clause in English,
    shown after the URL), in the chosen language. `absent` is True when
    the domain simply publishes no file there (no such host, refused, HTTP 404)."""

    def __init__(self, message: str, *, absent: bool = False) -> None:
        super().__init__(message)
        self.absent = absent


@dataclass(frozen=True)
class OutgoingServer:
    """One `<outgoingServer type="smtp">` entry, placeholders filled in for the address."""

    host: str
    port: int
    security: Security
    username_kind: str  # "email", "localpart", "literal" or "none" (catalog words)
    username: str  # what to type as the username; "" when unknown or none
    authentication: tuple[str, ...]  # as listed, in the file's order of preference


def autoconfig_urls(address: str, domain: str, *, allow_http: bool) -> list[str]:
    """The URLs Thunderbird asks, in its order; the address is sent to autoconfig.<domain>
    only, as Thunderbird does (it lets a provider answer per user)."""
    query = f"?emailaddress={quote(address, safe='@')}" if "@" in address else ""
    paths = [f"://autoconfig.{domain}/mail/config-v1.1.xml{query}",
             f"://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"]
    schemes = ("https", "http") if allow_http else ("https",)
    return [scheme + path for scheme in schemes for path in paths]


def parse_config(data: bytes, address: str, domain: str) -> list[OutgoingServer]:
    """The SMTP servers listed in a config-v1.1.xml file, in file order.

    Raises AutoconfigError for a file that is not well-formed XML, not an autoconfig file or
    declares a DOCTYPE or entities (refused for safety). Entries with a bad host, port or
    socketType are skipped.
    """
    if _UNSAFE.search(data):
        raise AutoconfigError(_("the file declares a DOCTYPE or entities, which are refused "
                                "for safety"))
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise AutoconfigError(_("the file is not well-formed XML ({error})").format(
            error=exc)) from None
    if root.tag != "clientConfig":
        raise AutoconfigError(_("the file is not an autoconfig file (its root is <{root}>, "
                                "not <clientConfig>)").format(root=root.tag))
    local = address.partition("@")[0] if "@" in address else ""
    fill = {"%EMAILADDRESS%": address if local else "", "%EMAILLOCALPART%": local,
            "%EMAILDOMAIN%": domain}
    servers = []
    for entry in root.iter("outgoingServer"):
        if (entry.get("type") or "").casefold() != "smtp":
            continue
        server = _server(entry, fill)
        if server is not None:
            servers.append(server)
    return servers


def _server(entry: ET.Element, fill: dict[str, str]) -> OutgoingServer | None:
    def text(tag: str) -> str:
        return (entry.findtext(tag) or "").strip()

    host = text("hostname")
    for placeholder, value in fill.items():
        host = host.replace(placeholder, value)
    security = _SOCKET_TYPES.get(text("socketType").casefold())
    if not host or validation.host(host) or security is None:
        return None
    port_text = text("port")
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            return None
        port = int(port_text)
    else:
        port = 465 if security is Security.TLS else 587
    authentication = tuple(a.text.strip() for a in entry.findall("authentication")
                           if a.text and a.text.strip())
    raw = text("username")
    username = raw
    for placeholder, value in fill.items():
        username = username.replace(placeholder, value)
    if authentication and {a.casefold() for a in authentication} <= {"none",
                                                                      "client-ip-address"}:
        kind, username = "none", ""  # the server knows the sender by address, not by login
    elif raw in ("%EMAILADDRESS%", ""):  # no username given: the address is the usual one
        kind, username = "email", fill["%EMAILADDRESS%"]
    elif raw == "%EMAILLOCALPART%":
        kind = "localpart"
    else:
        kind = "literal"
    return OutgoingServer(host.rstrip(".").casefold(), port, security, kind, username,
                          authentication)


# -- fetching ---------------------------------------------------------------------------------
async def fetch(url: str, resolver: Any, *, ports: dict[str, int] | None = None,
                ca_file: str | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """GET `url` and return the body of a 200 answer (redirects followed, never from HTTPS
    to HTTP). Host names are looked up with `resolver` (dns_client). `ports` replaces the
    default port per scheme (tests serve on loopback ports). Raises AutoconfigError with a
    sentence, or DnsProblem when the name cannot be looked up."""
    for _attempt in range(MAX_REDIRECTS + 1):
        status, headers, body = await _get(url, resolver, ports or {}, ca_file, max_bytes)
        location = headers.get("location")
        if status in (301, 302, 303, 307, 308) and location:
            target = urljoin(url, location)
            if urlsplit(target).scheme not in ("http", "https"):
                raise AutoconfigError(_("redirected to {url}, which is not a web address").format(
                    url=target))
            if urlsplit(url).scheme == "https" and urlsplit(target).scheme != "https":
                raise AutoconfigError(_("redirected from HTTPS to plain HTTP ({url}), which is "
                                        "refused").format(url=target))
            url = target
            continue
        if status != 200:
            if status in (404, 410):
                raise AutoconfigError(_("not found (HTTP {status})").format(status=status),
                                      absent=True)
            raise AutoconfigError(_("the server answered HTTP {status}").format(status=status))
        return body
    raise AutoconfigError(_("more than {count} redirects").format(count=MAX_REDIRECTS))


async def _get(url: str, resolver: Any, ports: dict[str, int], ca_file: str | None,
               max_bytes: int) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or ports.get(parts.scheme) or _DEFAULT_PORTS[parts.scheme]
    addresses = await dns_client.resolve_host(resolver, host)
    if not addresses:
        raise AutoconfigError(_("{host} does not exist in DNS").format(host=host), absent=True)
    context = None
    if parts.scheme == "https":
        context = await asyncio.to_thread(_https_context, ca_file)
    reader, writer = await _connect(addresses, port, host, context)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        writer.write((f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\n"
                      f"User-Agent: {USER_AGENT}\r\nAccept: application/xml, text/xml\r\n"
                      "Connection: close\r\n\r\n").encode("ascii"))
        await writer.drain()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise AutoconfigError(_("the server did not send a valid HTTP answer")) from None
        status, headers = _head(head)
        if status != 200:
            return status, headers, b""
        return status, headers, await _body(reader, headers, max_bytes)
    finally:
        writer.close()


async def _connect(addresses: list[str], port: int, host: str,
                   context: ssl.SSLContext | None) -> tuple[Any, Any]:
    """A connection to the first address that accepts; TLS is checked against `host`."""
    error: BaseException | None = None
    for address in addresses:
        try:
            return await asyncio.open_connection(
                address, port, ssl=context, server_hostname=host if context else None)
        except ssl.SSLCertVerificationError as exc:
            raise AutoconfigError(_("the certificate of {host} is not valid ({reason})").format(
                host=host, reason=exc.verify_message or exc.reason)) from None
        except (ssl.SSLError, OSError) as exc:
            error = exc
    if isinstance(error, ConnectionRefusedError):
        raise AutoconfigError(_("{host} port {port} refused the connection").format(
            host=host, port=port), absent=True)
    reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or error
    raise AutoconfigError(_("could not connect to {host} port {port} ({reason})").format(
        host=host, port=port, reason=reason))


def _https_context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=os.path.expanduser(ca_file))
    return context


def _head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    fields = lines[0].split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("HTTP/") or not fields[1].isdigit():
        raise AutoconfigError(_("the server did not send a valid HTTP answer"))
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().casefold()] = value.strip()
    return int(fields[1]), headers


async def _body(reader: asyncio.StreamReader, headers: dict[str, str], max_bytes: int) -> bytes:
    too_big = AutoconfigError(_("the file is larger than {size} KB, so it is not an "
                                "autoconfig file").format(size=max_bytes // 1000))
    try:
        if "chunked" in headers.get("transfer-encoding", "").casefold():
            body = bytearray()
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return bytes(body)
                if len(body) + size > max_bytes:
                    raise too_big
                body += await reader.readexactly(size)
                await reader.readexactly(2)
        length = headers.get("content-length", "")
        if length.isdigit():
            if int(length) > max_bytes:
                raise too_big
            return await reader.readexactly(int(length))
        body = await reader.read(max_bytes + 1)
        while len(body) <= max_bytes and (more := await reader.read(max_bytes + 1 - len(body))):
            body += more
        if len(body) > max_bytes:
            raise too_big
        return body
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        raise AutoconfigError(_("the connection ended in the middle of the file")) from None
