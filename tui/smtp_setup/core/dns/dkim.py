"""DKIM key records (RFC 6376 section 3.6.1, RFC 8301, RFC 8463): read the tags of the TXT
record at `<selector>._domainkey.<domain>`, load the public key, and judge it.

A receiver verifies signatures with this key: no record, a revoked key (`p=` empty), a key it
cannot load or an RSA key under 1024 bits (RFC 8301) means the signature does not count.
`cryptography` is imported only when a key is read.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from smtp_setup.core.dns.domain_report import CheckRow, worst

MIN_RSA_BITS = 1024  # RFC 8301: verifiers must not accept smaller keys
GOOD_RSA_BITS = 2048  # RFC 8301: signers should use at least this
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class DkimSyntaxError(ValueError):
    """The record is not a valid tag list; the message is one sentence."""


def parse_tags(text: str) -> dict[str, str]:
    """`k=rsa; p=MIIB...` into {"k": "rsa", "p": "MIIB..."}: tag names as written (they are
    case-sensitive), values with surrounding space removed. Raises DkimSyntaxError for a
    malformed tag or a repeated one."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue  # an empty spec, e.g. after a trailing ";"
        name, equals, value = part.partition("=")
        name = name.strip()
        if not equals or not _TAG.match(name):
            raise DkimSyntaxError(f"{part.strip()!r} is not a tag=value pair.")
        if name in tags:
            raise DkimSyntaxError(f"The tag {name}= appears twice.")
        tags[name] = value.strip()
    return tags


@dataclass
class DkimKey:
    """What a key record says. `problems` make the key unusable; `warnings` weaken it."""

    text: str
    tags: dict[str, str] = field(default_factory=dict)
    key_type: str = "rsa"
    bits: int | None = None  # RSA modulus size; 256 for ed25519
    revoked: bool = False
    testing: bool = False  # t=y: receivers treat signed mail as unsigned
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def described(self) -> str:
        """`2048-bit RSA key`, `Ed25519 key`, `revoked key`..."""
        if self.revoked:
            return "revoked key (empty p=)"
        if self.key_type == "ed25519":
            return "Ed25519 key"
        if self.bits:
            return f"{self.bits}-bit {self.key_type.upper()} key"
        return f"{self.key_type} key"


def read_key_record(text: str) -> DkimKey:
    """Parse a DKIM key record and load its key; every problem becomes a sentence."""
    key = DkimKey(text)
    try:
        key.tags = tags = parse_tags(text)
    except DkimSyntaxError as exc:
        key.problems.append(f"The record is not a valid DKIM tag list: {exc}")
        return key
    version = tags.get("v")
    if version is not None:
        if version != "DKIM1":
            key.problems.append(f"v={version} is not DKIM1, so receivers discard the record.")
        elif next(iter(tags)) != "v":
            key.warnings.append("v=DKIM1 should be the first tag; some receivers ignore the "
                                "record otherwise.")
    if "p" not in tags:
        key.problems.append("The record has no p= tag, so it holds no public key.")
        return key
    key.key_type = tags.get("k", "rsa").lower() or "rsa"
    services = [s.strip() for s in tags.get("s", "*").split(":")]
    if not {"*", "email"} & set(services):
        key.problems.append(f"s={tags['s']} says the key is not for email.")
    hashes = [h.strip().lower() for h in tags.get("h", "sha256").split(":")]
    if "sha256" not in hashes:
        key.warnings.append(f"h={tags['h']} allows only SHA-1, which receivers no longer "
                            "accept (RFC 8301); add sha256 or drop h=.")
    flags = [f.strip() for f in tags.get("t", "").split(":")]
    if "y" in flags:
        key.testing = True
        key.warnings.append("t=y marks the domain as testing DKIM: receivers treat its "
                            "signed mail as unsigned. Remove t=y once signing works.")
    data = re.sub(r"\s+", "", tags["p"])
    if not data:
        key.revoked = True
        return key
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        key.problems.append("p= is not valid base64, so the key cannot be read.")
        return key
    _load(key, raw)
    return key


def _load(key: DkimKey, raw: bytes) -> None:
    if key.key_type == "ed25519":
        # RFC 8463: the raw 32-byte key, not a SubjectPublicKeyInfo
        if len(raw) != 32:
            key.problems.append(f"An Ed25519 key is 32 bytes; this one is {len(raw)}.")
        else:
            key.bits = 256
        return
    if key.key_type != "rsa":
        key.problems.append(f"k={key.key_type} is not a key type receivers know "
                            "(rsa or ed25519).")
        return
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:  # SubjectPublicKeyInfo is what everyone publishes; a bare RSAPublicKey loads too
        public = load_der_public_key(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        key.problems.append(f"p= does not hold a readable public key ({_short(exc)}).")
        return
    if not isinstance(public, rsa.RSAPublicKey):
        key.problems.append("k=rsa, but p= holds another kind of key.")
        return
    key.bits = public.key_size


def _short(exc: Exception) -> str:
    text = str(exc).split(".")[0].strip()
    return text[:80] or type(exc).__name__


def judge_key(key: DkimKey) -> tuple[str, str, list[str]]:
    """(status, what it is in a few words, next steps) for one key record."""
    if key.problems:
        return "fail", f"unusable key: {key.problems[0][0].lower()}{key.problems[0][1:]}", [
            *key.problems, "Copy the DNS record again from where you set up DKIM signing."]
    if key.revoked:
        return "fail", "revoked key (p= is empty): signatures with it do not verify", [
            "This selector's key was withdrawn. Sign with a selector that has a key, or "
            "publish the new key your provider gives you."]
    advice = list(key.warnings)
    status = "warn" if key.warnings else "pass"
    if key.key_type == "rsa" and key.bits is not None and key.bits < MIN_RSA_BITS:
        return "fail", f"{key.described}: receivers reject RSA keys under {MIN_RSA_BITS} bits", [
            f"Create a new {GOOD_RSA_BITS}-bit key with your provider and publish it.", *advice]
    if key.key_type == "rsa" and key.bits is not None and key.bits < GOOD_RSA_BITS:
        status = "warn"
        advice.insert(0, f"A {key.bits}-bit key still verifies, but {GOOD_RSA_BITS} bits "
                      "is the recommended size (RFC 8301); rotate to a longer key.")
    return status, key.described, advice


def check_dkim(domain: str, found: dict[str, list[str]], *, asked: bool,
               provider_name: str | None, trouble: dict[str, str] | None = None) -> CheckRow:
    """The DKIM row from the TXT strings found at each selector tried (selector -> strings;
    [] when nothing is there). `asked`: the person named the selector (so a missing key is a
    failure, not a guess that missed). `trouble`: selectors DNS did not answer for."""
    trouble = trouble or {}
    if not found and not trouble:
        return CheckRow("DKIM", "info", "No DKIM selector is known for this provider, so the "
                        "key could not be looked up.",
                        ["Pass --dkim-selector with the selector your provider signs with "
                         "(the s= in a received message's DKIM-Signature header)."])
    verdicts: list[tuple[str, str, str, list[str], str | None]] = []  # status, sel, words...
    for selector, texts in found.items():
        where = f"{selector}._domainkey.{domain}"
        records = [t for t in texts if "p=" in t or t.lstrip().startswith("v=DKIM1")]
        if not records:
            verdicts.append(("missing", selector, f"no key at {where}", [], None))
            continue
        status, words, advice = judge_key(read_key_record(records[0]))
        if len(records) > 1:
            status = worst(status, "warn")
            advice.append(f"{where} has {len(records)} key records; keep one.")
        verdicts.append((status, selector, words, advice, records[0]))
    present = [v for v in verdicts if v[0] != "missing"]
    problems = [f"DNS did not answer for {s}._domainkey.{domain}: {why}"
                for s, why in trouble.items()]
    if not present:
        names = " or ".join(v[1] for v in verdicts) or " or ".join(trouble)
        if problems:
            return CheckRow("DKIM", "warn", f"The DKIM key at selector {names} could not be "
                            "looked up.", problems)
        who = provider_name or "your provider"
        if asked:
            return CheckRow("DKIM", "fail", f"No DKIM key is published at "
                            f"{names}._domainkey.{domain}.",
                            [f"Publish the DKIM record {who} gives you, or check the "
                             "selector's spelling."])
        return CheckRow("DKIM", "warn", f"No DKIM key found at the selectors {who} usually "
                        f"uses ({names}).",
                        [f"Set up DKIM signing (domain authentication) with {who} and "
                         "publish the records it gives you.",
                         "If you already sign with another selector, pass --dkim-selector."])
    status = worst(*(v[0] for v in present), *(["warn"] if problems else []))
    shown = next((v for v in present if v[0] == status), present[0])
    summary = "; ".join(f"selector {v[1]}: {v[2]}" for v in present)
    advice = [a for v in present for a in v[3]] + problems
    return CheckRow("DKIM", status, summary[0].upper() + summary[1:] + ".", advice, shown[4])
