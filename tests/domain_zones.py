"""DNS zones for the sender-domain check and the doctor, served by tests/dns_server.py.

`good_zones()` is a domain with everything right for a SendGrid sender (MX, one SPF record
including sendgrid.net, a 2048-bit DKIM key at selector s1, DMARC p=reject with reports);
the keyword arguments replace one part to make it wrong. Keys are made with cryptography.
"""

from __future__ import annotations

import base64
import functools
import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

GOOD = "good.test"
KEEP = object()  # good_zones(): leave this part as it is


@functools.cache
def rsa_key(bits: int) -> str:
    """The base64 SubjectPublicKeyInfo of an RSA public key of exactly `bits` bits."""
    if bits >= 1024:
        public = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    else:
        # cryptography no longer generates keys this small; a public key only needs a
        # modulus of the right size, which is all a DKIM verifier (or we) can look at
        modulus = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        public = rsa.RSAPublicNumbers(65537, modulus).public_key()
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def ed25519_key() -> str:
    """The base64 raw 32-byte Ed25519 public key, as RFC 8463 publishes it."""
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def dkim_record(key: str | None = None, *, tags: str = "v=DKIM1; k=rsa; ") -> str:
    return f"{tags}p={rsa_key(2048) if key is None else key}"


def good_zones(domain: str = GOOD, *, mx: Any = KEEP, spf: Any = KEEP, dkim: Any = KEEP,
               dmarc: Any = KEEP, selector: str = "s1") -> dict[str, Any]:
    """Zones for `domain`; mx / spf / dkim / dmarc replace that part's records (a list; None
    leaves it out). Add names to the returned dict for anything else."""
    zones: dict[str, Any] = {domain: {"A": ["127.0.0.1"]}}
    mx = ["10 mx1.good.test.", "20 mx2.good.test."] if mx is KEEP else mx
    spf = ["v=spf1 include:sendgrid.net ~all"] if spf is KEEP else spf
    dkim = [dkim_record()] if dkim is KEEP else dkim
    dmarc = [f"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}"] if dmarc is KEEP else dmarc
    if mx is not None:
        zones[domain]["MX"] = mx
    # another TXT record at the domain, as most domains have: never mistaken for SPF
    zones[domain]["TXT"] = ["site-verification=abc123", *(spf or [])]
    if dkim is not None:
        zones[f"{selector}._domainkey.{domain}"] = {"TXT": dkim}
    if dmarc is not None:
        zones[f"_dmarc.{domain}"] = {"TXT": dmarc}
    zones["sendgrid.net"] = {"TXT": ["v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all"]}
    return zones
