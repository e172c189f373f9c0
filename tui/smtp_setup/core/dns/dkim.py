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
from smtp_setup.i18n import _

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
            raise DkimSyntaxError(_("{part} is not a tag=value pair.").format(
                part=repr(part.strip())))
        if name in tags:
            raise DkimSyntaxError(_("The tag {name}= appears twice.").format(name=name))
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
            return _("revoked key (empty p=)")
        if self.key_type == "ed25519":
            return _("Ed25519 key")
        if self.bits:
            return _("{bits}-bit {type} key").format(bits=self.bits, type=self.key_type.upper())
        return _("{type} key").format(type=self.key_type)


def read_key_record(text: str) -> DkimKey:
    """Parse a DKIM key record and load its key; every problem becomes a sentence."""
    key = DkimKey(text)
    try:
        key.tags = tags = parse_tags(text)
    except DkimSyntaxError as exc:
        key.problems.append(_("The record is not a valid DKIM tag list: {error}").format(
            error=exc))
        return key
    version = tags.get("v")
    if version is not None:
        if version != "DKIM1":
            key.problems.append(_("v={version} is not DKIM1, so receivers discard the "
                                  "record.").format(version=version))
        elif next(iter(tags)) != "v":
            key.warnings.append(_("v=DKIM1 should be the first tag; some receivers ignore the "
                                  "record otherwise."))
    if "p" not in tags:
        key.problems.append(_("The record has no p= tag, so it holds no public key."))
        return key
    key.key_type = tags.get("k", "rsa").lower() or "rsa"
    services = [s.strip() for s in tags.get("s", "*").split(":")]
    if not {"*", "email"} & set(services):
        key.problems.append(_("s={value} says the key is not for email.").format(
            value=tags["s"]))
    hashes = [h.strip().lower() for h in tags.get("h", "sha256").split(":")]
    if "sha256" not in hashes:
        key.warnings.append(_("h={value} allows only SHA-1, which receivers no longer accept "
                              "(RFC 8301); add sha256 or drop h=.").format(value=tags["h"]))
    flags = [f.strip() for f in tags.get("t", "").split(":")]
    if "y" in flags:
        key.testing = True
        key.warnings.append(_("t=y marks the domain as testing DKIM: receivers treat its "
                              "signed mail as unsigned. Remove t=y once signing works."))
    data = re.sub(r"\s+", "", tags["p"])
    if not data:
        key.revoked = True
        return key
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        key.problems.append(_("p= is not valid base64, so the key cannot be read."))
        return key
    _load(key, raw)
    return key


def _load(key: DkimKey, raw: bytes) -> None:
    if key.key_type == "ed25519":
        # RFC 8463: the raw 32-byte key, not a SubjectPublicKeyInfo
        if len(raw) != 32:
            key.problems.append(_("An Ed25519 key is 32 bytes; this one is {size}.").format(
                size=len(raw)))
        else:
            key.bits = 256
        return
    if key.key_type != "rsa":
        key.problems.append(_("k={type} is not a key type receivers know (rsa or "
                              "ed25519).").format(type=key.key_type))
        return
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:  # SubjectPublicKeyInfo is what everyone publishes; a bare RSAPublicKey loads too
        public = load_der_public_key(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        key.problems.append(_("p= does not hold a readable public key ({reason}).").format(
            reason=_short(exc)))
        return
    if not isinstance(public, rsa.RSAPublicKey):
        key.problems.append(_("k=rsa, but p= holds another kind of key."))
        return
    key.bits = public.key_size


def _short(exc: Exception) -> str:
    text = str(exc).split(".")[0].strip()
    return text[:80] or type(exc).__name__


def judge_key(key: DkimKey) -> tuple[str, str, list[str]]:
    """(status, what it is in a few words, next steps) for one key record."""
    if key.problems:
        first = key.problems[0][0].lower() + key.problems[0][1:]
        return "fail", _("unusable key: {problem}").format(problem=first), [
            *key.problems, _("Copy the DNS record again from where you set up DKIM signing.")]
    if key.revoked:
        return "fail", _("revoked key (p= is empty): signatures with it do not verify"), [
            _("This selector's key was withdrawn. Sign with a selector that has a key, or "
              "publish the new key your provider gives you.")]
    advice = list(key.warnings)
    status = "warn" if key.warnings else "pass"
    if key.key_type == "rsa" and key.bits is not None and key.bits < MIN_RSA_BITS:
        return "fail", _("{key}: receivers reject RSA keys under {bits} bits").format(
            key=key.described, bits=MIN_RSA_BITS), [
            _("Create a new {bits}-bit key with your provider and publish it.").format(
                bits=GOOD_RSA_BITS), *advice]
    if key.key_type == "rsa" and key.bits is not None and key.bits < GOOD_RSA_BITS:
        status = "warn"
        advice.insert(0, _("A {bits}-bit key still verifies, but {good} bits is the "
                           "recommended size (RFC 8301); rotate to a longer key.").format(
            bits=key.bits, good=GOOD_RSA_BITS))
    return status, key.described, advice


def check_dkim(domain: str, found: dict[str, list[str]], *, asked: bool,
               provider_name: str | None, trouble: dict[str, str] | None = None) -> CheckRow:
    """The DKIM row from the TXT strings found at each selector tried (selector -> strings;
    [] when nothing is there). `asked`: the person named the selector (so a missing key is a
    failure, not a guess that missed). `trouble`: selectors DNS did not answer for."""
    trouble = trouble or {}
    if not found and not trouble:
        return CheckRow("DKIM", "info", _("No DKIM selector is known for this provider, so "
                                          "the key could not be looked up."),
                        [_("Pass --dkim-selector with the selector your provider signs with "
                           "(the s= in a received message's DKIM-Signature header).")])
    verdicts: list[tuple[str, str, str, list[str], str | None]] = []  # status, sel, words...
    for selector, texts in found.items():
        where = f"{selector}._domainkey.{domain}"
        records = [t for t in texts if "p=" in t or t.lstrip().startswith("v=DKIM1")]
        if not records:
            verdicts.append(("missing", selector, _("no key at {name}").format(name=where), [],
                             None))
            continue
        status, words, advice = judge_key(read_key_record(records[0]))
        if len(records) > 1:
            status = worst(status, "warn")
            advice.append(_("{name} has {count} key records; keep one.").format(
                name=where, count=len(records)))
        verdicts.append((status, selector, words, advice, records[0]))
    present = [v for v in verdicts if v[0] != "missing"]
    problems = [_("DNS did not answer for {name}: {reason}").format(
        name=f"{s}._domainkey.{domain}", reason=why) for s, why in trouble.items()]
    if not present:
        either = _(" or ")  # TRANSLATORS: between selector names
        names = either.join(v[1] for v in verdicts) or either.join(trouble)
        if problems:
            return CheckRow("DKIM", "warn", _("The DKIM key at selector {names} could not be "
                                              "looked up.").format(names=names), problems)
        who = provider_name or _("your provider")
        if asked:
            return CheckRow("DKIM", "fail", _("No DKIM key is published at {name}.").format(
                                name=f"{names}._domainkey.{domain}"),
                            [_("Publish the DKIM record {provider} gives you, or check the "
                               "selector's spelling.").format(provider=who)])
        return CheckRow("DKIM", "warn", _("No DKIM key found at the selectors {provider} "
                                          "usually uses ({names}).").format(
                            provider=who, names=names),
                        [_("Set up DKIM signing (domain authentication) with {provider} and "
                           "publish the records it gives you.").format(provider=who),
                         _("If you already sign with another selector, pass "
                           "--dkim-selector.")])
    status = worst(*(v[0] for v in present), *(["warn"] if problems else []))
    shown = next((v for v in present if v[0] == status), present[0])
    summary = _("; ").join(_("selector {selector}: {verdict}").format(
        selector=v[1], verdict=v[2]) for v in present)
    advice = [a for v in present for a in v[3]] + problems
    summary = _("{findings}.").format(findings=summary)
    return CheckRow("DKIM", status, summary[0].upper() + summary[1:], advice, shown[4])
