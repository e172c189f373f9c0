"""Which (port, encryption) pairs a port check tries: a provider's documented ports, the
conventional submission ports, or a list a person typed (`--ports 465,587,2525/tls`).

The encryption given to a bare port number is only a candidate to try, never a conclusion:
the check reports what the server actually answered.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from smtp_setup.core.catalog.loader import Provider, load_catalog
from smtp_setup.core.profiles.model import Security
from smtp_setup.i18n import _

# Ports that conventionally start with TLS; any other bare port is tried with STARTTLS.
IMPLICIT_TLS_PORTS = frozenset({465, 2465, 8465})
# Without a provider: implicit TLS and STARTTLS submission, the usual alternate, the relay port.
CONVENTIONAL = ((465, Security.TLS), (587, Security.STARTTLS), (2525, Security.STARTTLS),
                (25, Security.STARTTLS))
MAX_CANDIDATES = 32  # a setup check, not a port scanner
_MODES = {"tls": Security.TLS, "ssl": Security.TLS, "starttls": Security.STARTTLS,
          "none": Security.NONE, "plain": Security.NONE}


@dataclass(frozen=True)
class Candidate:
    """One port and encryption mode to try. `documented`: the provider lists it;
    `recommended`: it is the provider's own recommendation."""

    port: int
    security: Security
    documented: bool = False
    recommended: bool = False

    @property
    def label(self) -> str:
        """`465/tls`: how a person writes it after --ports."""
        return f"{self.port}/{self.security}"


def default_candidates(provider: Provider | None = None) -> list[Candidate]:
    """The provider's documented ports (its recommendation marked), else 465/tls,
    587/starttls, 2525/starttls and 25/starttls."""
    if provider is None:
        return [Candidate(port, security) for port, security in CONVENTIONAL]
    best = provider.recommended
    return [Candidate(option.port, option.security, documented=True,
                      recommended=(option.port, option.security) == (best.port, best.security))
            for option in provider.ports]


def parse_ports(text: str, provider: Provider | None = None) -> list[Candidate]:
    """Read `465,587,2525/tls,1025/starttls,25/none` into candidates, in the order given.

    A bare port is tried with the mode the provider documents for it, else implicit TLS for
    465, 2465 and 8465 and STARTTLS for any other. Repeats are dropped. Raises ValueError with
    one sentence a person can act on.
    """
    candidates: list[Candidate] = []
    for item in (piece.strip() for piece in text.split(",")):
        if not item:
            continue
        number, slash, mode = item.partition("/")
        port = _port(number.strip(), item)
        if slash:
            security = _MODES.get(mode.strip().casefold())
            if security is None:
                raise ValueError(_("{item}: after the / comes the encryption, one of tls, "
                                   "starttls or none (e.g. 2525/tls).").format(item=repr(item)))
        else:
            security = _conventional_mode(port, provider)
        candidate = _with_provider_facts(Candidate(port, security), provider)
        if all((c.port, c.security) != (port, security) for c in candidates):
            candidates.append(candidate)
    if not candidates:
        raise ValueError(_("Give at least one port, e.g. --ports 465,587 or --ports "
                           "2525/tls."))
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(_("That is {count} ports; check at most {limit} at a time.").format(
            count=len(candidates), limit=MAX_CANDIDATES))
    return candidates


def provider_for_host(host: str) -> Provider | None:
    """The catalog provider whose SMTP host this is, or None. Addresses and localhost never
    match: several services run on loopback (Proton Mail Bridge, the sandbox, a relay)."""
    name = host.strip().rstrip(".").casefold()
    if not name or name == "localhost" or _is_ip(name):
        return None
    try:
        catalog = load_catalog()
    except Exception:  # a port check still works without provider knowledge
        return None
    return next((p for p in catalog if name in (h.casefold() for h in p.hosts.values())), None)


def candidates_for_host(host: str, ports: str | None = None) -> list[Candidate]:
    """What `smtp-setup probe HOST [--ports ...]` tries: the typed list or the defaults, with
    the catalog's knowledge of this host (documented ports, its recommendation) attached."""
    provider = provider_for_host(host)
    if ports is None:
        return default_candidates(provider)
    return parse_ports(ports, provider)


def _port(number: str, item: str) -> int:
    if not number.isdigit():
        raise ValueError(_("{item} is not a port: use numbers from 1 to 65535, optionally "
                           "with /tls, /starttls or /none (e.g. 465,587,2525/tls).").format(
            item=repr(item)))
    port = int(number)
    if not 1 <= port <= 65535:
        raise ValueError(_("Port {port} is out of range: a port is a number from 1 to "
                           "65535.").format(port=port))
    return port


def _conventional_mode(port: int, provider: Provider | None) -> Security:
    if provider is not None and (option := provider.port_option(port)) is not None:
        return option.security
    return Security.TLS if port in IMPLICIT_TLS_PORTS else Security.STARTTLS


def _with_provider_facts(candidate: Candidate, provider: Provider | None) -> Candidate:
    if provider is None or provider.port_option(candidate.port, candidate.security) is None:
        return candidate
    best = provider.recommended
    return Candidate(candidate.port, candidate.security, documented=True,
                     recommended=(best.port, best.security) == (candidate.port,
                                                                candidate.security))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
