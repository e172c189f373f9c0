"""DNS for discovery and the domain check: one place that builds resolvers and asks them.

Every DNS question the program asks goes through here, so `--nameserver HOST[:PORT]` sends
all of them (including the look-ups of host names that are then fetched over HTTP) to that
server and none to the system resolver. Failures become `DnsProblem`, a plain sentence: a
name that does not exist, or has no records of the type asked, is an empty answer, not a
problem. dnspython is imported lazily so that `smtp-setup list` stays fast.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import TYPE_CHECKING, Any

from smtp_setup.i18n import N_, _

if TYPE_CHECKING:
    import dns.asyncresolver

DEFAULT_PORT = 53


class DnsProblem(Exception):
    """DNS could not answer: offline, no DNS server, a time-out or a server failure.

    `str(problem)` is one sentence for a person. `kind` is one of "timeout", "servfail",
    "no_servers", "bad_name", "error" for code that reacts differently (e.g. "timed out").
    """

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


_NO_PORT = N_("{text} has a colon but no port: give an IP address with an optional port, "
              "e.g. 127.0.0.1:5353 or [::1]:53.")


def parse_nameserver(text: str) -> tuple[str, int]:
    """Read `127.0.0.1`, `127.0.0.1:5353`, `::1` or `[::1]:53` into (address, port).

    The server must be an IP address (a name would itself need DNS). Raises ValueError with
    one sentence a person can act on.
    """
    raw = text.strip()
    if not raw:
        raise ValueError(_("The DNS server is empty: give an IP address with an optional "
                           "port, e.g. 127.0.0.1:5353 or [::1]:53."))
    host, port_text = raw, ""
    if raw.startswith("["):
        host, bracket, rest = raw[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(_("{text} is not a DNS server address: give an IP address with "
                               "an optional port, e.g. 127.0.0.1:5353 or [::1]:53.").format(
                text=repr(raw)))
        port_text = rest[1:] if rest else ""
        if rest and not port_text:
            raise ValueError(_NO_PORT.format(text=repr(raw)))
    elif raw.count(":") == 1:  # IPv4 with a port; bare IPv6 has two or more colons
        host, port_text = raw.split(":")
        if not port_text:
            raise ValueError(_NO_PORT.format(text=repr(raw)))
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        raise ValueError(_("{text} is not an IP address: give an IP address with an optional "
                           "port, e.g. 127.0.0.1:5353 or [::1]:53.").format(
            text=repr(host))) from None
    if not port_text:
        return address, DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(_("The DNS port {port} is not a number from 1 to 65535.").format(
            port=repr(port_text)))
    return address, int(port_text)


def make_resolver(nameserver: str | None = None, *, timeout: float = 2.0,
                  lifetime: float = 4.0) -> dns.asyncresolver.Resolver:
    """An async resolver: the system's (resolv.conf) or only `nameserver` (HOST[:PORT]).

    `timeout` is the limit per try, `lifetime` per question. Raises ValueError for a
    malformed `nameserver`. A computer without DNS configuration gets a resolver with no
    servers; its look-ups raise DnsProblem, so this never fails for that reason.
    """
    import dns.asyncresolver
    import dns.nameserver
    import dns.resolver

    if nameserver is not None:
        address, port = parse_nameserver(nameserver)
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(address, port)]
    else:
        try:
            resolver = dns.asyncresolver.Resolver()
        except (dns.resolver.NoResolverConfiguration, OSError):
            resolver = dns.asyncresolver.Resolver(configure=False)  # lookups say "no DNS"
    resolver.timeout, resolver.lifetime = timeout, lifetime
    return resolver


async def lookup(resolver: dns.asyncresolver.Resolver, name: str, rdtype: str) -> list[Any]:
    """The records of type `rdtype` at `name` (dnspython rdata objects; CNAMEs followed).

    [] when the name does not exist or has no such records. Raises DnsProblem for a
    time-out, a server failure, no DNS servers or a name DNS cannot hold.
    """
    import dns.exception
    import dns.name
    import dns.resolver

    where = f"{name} {rdtype}"
    if not resolver.nameservers:
        raise DnsProblem(_("No DNS server is configured on this computer, so names cannot be "
                           "looked up; check the network, or give one with --nameserver."),
                         "no_servers")
    try:
        qname = dns.name.from_text(name.strip().rstrip(".") + ".")
        answer = await resolver.resolve(qname, rdtype, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.Timeout:
        raise DnsProblem(_("DNS did not answer in time for {name} (after {limit} s); the "
                           "network may be offline.").format(
            name=where, limit=f"{resolver.lifetime:g}"), "timeout") from None
    except dns.resolver.NoNameservers as exc:
        raise DnsProblem(_("The DNS server failed to answer for {name} ({reason}).").format(
            name=where, reason=_servers_said(exc)), "servfail") from None
    except dns.resolver.NoResolverConfiguration:
        raise DnsProblem(_("No DNS server is configured on this computer; check the "
                           "network, or give one with --nameserver."), "no_servers") from None
    except (dns.name.EmptyLabel, dns.name.LabelTooLong, dns.name.NameTooLong,
            dns.exception.SyntaxError):
        raise DnsProblem(_("{name} is not a name DNS can look up.").format(name=repr(name)),
                         "bad_name") from None
    except dns.exception.DNSException as exc:
        raise DnsProblem(_("DNS look-up of {name} failed: {error}").format(
            name=where, error=exc), "error") from None
    except OSError as exc:  # e.g. no route to the DNS server
        raise DnsProblem(_("The DNS server could not be reached for {name} ({reason}); the "
                           "network may be offline.").format(
            name=where, reason=exc.strerror or exc), "error") from None
    return list(answer)


async def txt_records(resolver: dns.asyncresolver.Resolver, name: str) -> list[str]:
    """Each TXT record at `name` as one string: a record split into several strings (as long
    DKIM keys are) is joined back together. Bytes that are not UTF-8 are replaced."""
    records = await lookup(resolver, name, "TXT")
    return [b"".join(record.strings).decode("utf-8", "replace") for record in records]


async def resolve_host(resolver: dns.asyncresolver.Resolver, host: str) -> list[str]:
    """The IPv4 and IPv6 addresses of `host` (IPv4 first), asked of `resolver`, never the
    system's name service; an IP address is returned as is. [] when the name has none.
    Raises DnsProblem when both look-ups fail."""
    bare = host.strip().strip("[]")
    try:
        return [str(ipaddress.ip_address(bare))]
    except ValueError:
        pass
    results = await asyncio.gather(lookup(resolver, bare, "A"), lookup(resolver, bare, "AAAA"),
                                   return_exceptions=True)
    addresses: list[str] = []
    problems = []
    for result in results:
        if isinstance(result, DnsProblem):
            problems.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            addresses.extend(record.address for record in result)
    if not addresses and problems:
        raise problems[0]
    return addresses


def _servers_said(exc: Any) -> str:
    """What each server answered, from a NoNameservers error, e.g. 'it answered SERVFAIL'."""
    errors = exc.kwargs.get("errors") or []
    said = []
    for error in errors:
        # dnspython 2.x: (server, tcp, port, error, answer) tuples
        detail = error[3] if len(error) > 3 else error
        said.append(str(detail))
    if not said:
        return _("no server answered")
    return _("it answered {answers}").format(answers="; ".join(said))
