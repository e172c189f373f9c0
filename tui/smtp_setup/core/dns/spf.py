"""SPF (RFC 7208): read a record's terms, follow its includes and redirects through DNS, count
the DNS look-ups a receiver would make, and judge the record in plain words.

Receivers give up with "permerror" (mail fails SPF) on a syntax error, on two records, on an
include that leads nowhere, and after 10 look-ups (section 4.6.4: include, a, mx, ptr,
exists and redirect count, in the included records too; all, ip4, ip6 and exp do not).

Every problem is one whole translated sentence; the terms, names and numbers in it are
record syntax and stay as they are in every language.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from smtp_setup.core.dns.client import DnsProblem
from smtp_setup.i18n import _, ngettext

LOOKUP_LIMIT = 10  # RFC 7208 section 4.6.4
VOID_LIMIT = 2  # same section: "SHOULD limit void lookups to two"
_FOLLOW_CAP = 40  # stop following once the count is this far over: the verdict is made
_MAX_DEPTH = 12

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
COUNTED = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
QUALIFIER_WORDS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
_MACRO = re.compile(r"%(?:\{([A-Za-z])(\d*)(r?)([.\-+,/_=]*)\}|[%_-])")
_TOPLABEL = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]+$|^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$")
_CIDR = re.compile(r"^(.*?)(?:/(\d{1,3}))?(?://(\d{1,3}))?$")

Fetch = Callable[[str], Awaitable[list[str]]]  # TXT strings at a name; raises DnsProblem
Resolve = Callable[[str, str], Awaitable[list[Any]]]  # records of a type; raises DnsProblem


@dataclass(frozen=True)
class SpfTerm:
    """One term: a mechanism with its qualifier, or a modifier (`name=value`)."""

    text: str
    name: str  # lower case: "include", "ip4", "redirect", ...
    qualifier: str = "+"
    value: str | None = None  # the domain, network or modifier value
    modifier: bool = False


@dataclass
class SpfRecord:
    """A parsed `v=spf1` record; `errors` are the syntax problems (each a permerror)."""

    text: str
    terms: list[SpfTerm] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # sentences, in the current language
    warnings: list[str] = field(default_factory=list)

    @property
    def all_term(self) -> SpfTerm | None:
        return next((t for t in self.terms if t.name == "all" and not t.modifier), None)

    @property
    def redirect(self) -> str | None:
        """The redirect target; ignored by receivers when the record has an `all`."""
        term = next((t for t in self.terms if t.modifier and t.name == "redirect"), None)
        return term.value if term is not None and self.all_term is None else None

    @property
    def reached(self) -> list[SpfTerm]:
        """The mechanisms a receiver can reach (evaluation stops at `all`), then modifiers."""
        mechanisms = [t for t in self.terms if not t.modifier]
        end = next((i for i, t in enumerate(mechanisms) if t.name == "all"), len(mechanisms))
        return mechanisms[:end + 1] + [t for t in self.terms if t.modifier]

    @property
    def own_lookups(self) -> int:
        """Look-ups this record causes by itself, not counting what the includes add."""
        return sum(1 for t in self.reached if t.name in COUNTED and (
            not t.modifier or (t.name == "redirect" and self.all_term is None)))


def is_spf(text: str) -> bool:
    """True for a TXT string that is an SPF record: `v=spf1` then a space or the end."""
    head = text[:7].lower()
    return head == "v=spf1" or head == "v=spf1 "


def parse_spf(text: str) -> SpfRecord:
    """Split an SPF record into terms and note every syntax problem in plain words."""
    record = SpfRecord(text)
    words = text.split(" ")
    if not words or words[0].lower() != "v=spf1":
        record.errors.append(_("The record does not start with v=spf1."))
        return record
    seen_modifiers: set[str] = set()
    for word in (w for w in words[1:] if w):
        term, problem = _term(word)
        if problem:
            record.errors.append(problem)
            continue
        assert term is not None
        if term.modifier:
            if term.name in ("redirect", "exp"):
                if term.name in seen_modifiers:
                    record.errors.append(_("{modifier}= appears twice; it may appear only "
                                           "once.").format(modifier=term.name))
                seen_modifiers.add(term.name)
            elif term.name in MECHANISMS:
                record.warnings.append(_(
                    "{term} has '=' where SPF needs ':' ({fixed}); receivers ignore it as an "
                    "unknown modifier.").format(term=repr(word),
                                                fixed=f"{term.name}:{term.value}"))
        elif term.name == "ptr":
            record.warnings.append(_("The ptr mechanism is slow and unreliable; RFC 7208 says "
                                     "not to use it. Use ip4:, ip6: or include: instead."))
        record.terms.append(term)
    reached = {id(t) for t in record.reached}
    unreached = [t.text for t in record.terms if not t.modifier and id(t) not in reached]
    if unreached:
        record.warnings.append(ngettext(
            "{terms} after the all term is never evaluated; move all to the end.",
            "{terms} after the all term are never evaluated; move all to the end.",
            len(unreached)).format(terms=" ".join(unreached)))
    if any(c.isspace() and c != " " for c in text):
        record.errors.append(_("The record contains tabs or line breaks; only spaces may "
                               "separate its terms."))
    return record


def _term(word: str) -> tuple[SpfTerm | None, str | None]:
    name, equals, value = word.partition("=")
    if equals and _NAME.match(name):  # a modifier: its name cannot hold ':' or '/'
        name = name.lower()
        if name in ("redirect", "exp"):
            if problem := _domain_problem(value, word, allow_exp_macros=name == "exp"):
                return None, problem
        elif problem := _macro_problem(value, word, allow_exp_macros=False):
            return None, problem
        return SpfTerm(word, name, value=value, modifier=True), None
    qualifier = word[0] if word[0] in QUALIFIER_WORDS else "+"
    body = word[1:] if word[0] in QUALIFIER_WORDS else word
    name = re.split(r"[:/]", body, maxsplit=1)[0].lower()
    rest = body[len(name):]
    if name not in MECHANISMS:
        return None, _("{term} is not an SPF mechanism (known: {known}).").format(
            term=repr(word), known=", ".join(MECHANISMS))
    if name == "all":
        if rest:
            return None, _("{term}: all takes no value.").format(term=repr(word))
        return SpfTerm(word, name, qualifier), None
    if name in ("include", "exists") and not rest.startswith(":"):
        return None, _("{term}: {mechanism} needs a domain, as in {example}.").format(
            term=repr(word), mechanism=name, example=f"{name}:example.com")
    if name in ("ip4", "ip6"):
        if not rest.startswith(":"):
            return None, _("{term}: {mechanism} needs an address, as in {example}.").format(
                term=repr(word), mechanism=name, example=f"{name}:{_EXAMPLE[name]}")
        problem = _network_problem(name, rest[1:], word)
        return (None, problem) if problem else (SpfTerm(word, name, qualifier, rest[1:]), None)
    domain = None
    if rest.startswith(":"):
        domain, _slash, cidr = rest[1:].partition("/")
        cidr = "/" + cidr if cidr else ""
        if problem := _domain_problem(domain, word):
            return None, problem
    else:
        cidr = rest
    if cidr and name in ("include", "exists", "ptr"):
        return None, _("{term}: {mechanism} takes no /prefix length.").format(
            term=repr(word), mechanism=name)
    if cidr and (problem := _dual_cidr_problem(cidr, word)):
        return None, problem
    return SpfTerm(word, name, qualifier, domain), None


_EXAMPLE = {"ip4": "192.0.2.0/24", "ip6": "2001:db8::/32"}


def _network_problem(kind: str, value: str, word: str) -> str | None:
    address, _slash, length = value.partition("/")
    top = 32 if kind == "ip4" else 128
    try:
        (ipaddress.IPv4Address if kind == "ip4" else ipaddress.IPv6Address)(address)
    except ValueError:
        return _("{term}: {address} is not an {family} address.").format(
            term=repr(word), address=repr(address), family="IPv4" if kind == "ip4" else "IPv6")
    if length and not (length.isdigit() and int(length) <= top and str(int(length)) == length):
        return _("{term}: the prefix length must be a number from 0 to {top}.").format(
            term=repr(word), top=top)
    return None


def _dual_cidr_problem(cidr: str, word: str) -> str | None:
    match = _CIDR.match(cidr)
    if not match or match.group(1):
        return _("{term}: a prefix length looks like /24, //64 or /24//64.").format(
            term=repr(word))
    for number, top in ((match.group(2), 32), (match.group(3), 128)):
        if number is not None and (int(number) > top or str(int(number)) != number):
            return _("{term}: a prefix length must be from 0 to {top}.").format(
                term=repr(word), top=top)
    return None


def _macro_problem(value: str, word: str, *, allow_exp_macros: bool) -> str | None:
    index = value.find("%")
    while index >= 0:
        macro = _MACRO.match(value, index)
        if macro is None:
            return _("{term}: '%' must start a macro such as {example} (write {escaped} for "
                     "a percent sign).").format(term=repr(word), example="%{d}", escaped="%%")
        letter = (macro.group(1) or "").lower()
        if letter and letter not in "slodiphcrtv":
            return _("{term}: {macro} is not an SPF macro.").format(
                term=repr(word), macro=f"%{{{macro.group(1)}}}")
        if letter in ("c", "r", "t") and not allow_exp_macros:
            return _("{term}: {macro} is only allowed in exp=.").format(
                term=repr(word), macro=f"%{{{macro.group(1)}}}")
        index = value.find("%", macro.end())
    return None


def _domain_problem(domain: str, word: str, *, allow_exp_macros: bool = False) -> str | None:
    if not domain:
        return _("{term}: the domain after ':' or '=' is empty.").format(term=repr(word))
    if problem := _macro_problem(domain, word, allow_exp_macros=allow_exp_macros):
        return problem
    if "%" in domain:
        return None  # expanded per message; its last label cannot be checked here
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2 or not _TOPLABEL.match(labels[-1]) or "" in labels:
        return _("{term}: {domain} is not a full domain name such as example.com.").format(
            term=repr(word), domain=repr(domain))
    return None


# -- following includes -----------------------------------------------------------------------
@dataclass
class SpfTree:
    """What following every include and redirect found. `domains`: each record reached;
    `problems`: permerrors below the top record (sentences); `unresolved`: (term, DnsProblem
    sentence) for each target DNS did not answer for; `unfollowed`: targets built from
    macros, which differ per message."""

    lookups: int = 0
    voids: int = 0
    domains: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    unfollowed: list[str] = field(default_factory=list)
    capped: bool = False  # stopped following far over the limit


async def walk_spf(record: SpfRecord, domain: str, fetch: Fetch,
                   resolve: Resolve | None = None) -> SpfTree:
    """Follow `record` (the SPF record of `domain`) as a receiver would, counting look-ups.

    Each include and redirect target is fetched once (concurrently, level by level) but
    counted every time it is used, as receivers do. A loop is reported and not followed.
    With `resolve` (name, type -> records), the targets of a and mx are looked up too, to
    count void look-ups and mx targets with more than 10 mail servers.
    """
    walker = _Walker(fetch, resolve)
    walker.tree.lookups = record.own_lookups
    await walker.visit(record, (domain_key(domain),))
    return walker.tree


class _Walker:
    def __init__(self, fetch: Fetch, resolve: Resolve | None) -> None:
        self.fetch, self.resolve = fetch, resolve
        self.tree = SpfTree()
        self.asked: dict[tuple[str, str], asyncio.Future[Any]] = {}

    def ask(self, name: str, rdtype: str) -> asyncio.Future[Any]:
        """One look-up per name and type, however often the records use it."""
        key = (name, rdtype)
        if key not in self.asked:
            if rdtype == "SPF":
                coro = self.fetch(name)
            else:
                assert self.resolve is not None
                coro = self.resolve(name, rdtype)
            self.asked[key] = asyncio.ensure_future(coro)
        return self.asked[key]

    async def visit(self, record: SpfRecord, path: tuple[str, ...]) -> None:
        targets = [(f"include:{t.value}", t.value) for t in record.reached
                   if t.name == "include" and not t.modifier and t.value]
        if record.redirect:
            targets.append((f"redirect={record.redirect}", record.redirect))
        hosts = [t for t in record.reached if t.name in ("a", "mx") and not t.modifier]
        await asyncio.gather(*(self.follow(label, target, path) for label, target in targets),
                             *(self.void_check(t, path[-1]) for t in hosts
                               if self.resolve is not None))

    async def void_check(self, term: SpfTerm, current: str) -> None:
        """Count an a or mx term whose name has no address (no MX) as a void look-up."""
        name = domain_key(term.value or current)
        if "%" in name:
            return
        # TRANSLATORS: an a or mx term without a domain, which means the domain whose
        # record holds it ("mx (of example.com)"); used inside the sentences that follow
        label = f"{term.name}:{name}" if term.value else _("{mechanism} (of {domain})").format(
            mechanism=term.name, domain=current)
        try:
            if term.name == "mx":
                found = await self.ask(name, "MX")
                if len(found) > 10:
                    self.tree.problems.append(ngettext(
                        "{term} names {count} mail server; receivers stop at 10 and treat "
                        "it as a permanent error.",
                        "{term} names {count} mail servers; receivers stop at 10 and treat "
                        "it as a permanent error.", len(found)).format(term=label,
                                                                        count=len(found)))
            else:  # a receiver asks A or AAAA; void for certain only when both are empty
                answers = await asyncio.gather(self.ask(name, "A"), self.ask(name, "AAAA"),
                                               return_exceptions=True)
                if all(isinstance(a, DnsProblem) for a in answers):
                    raise answers[0]
                found = [r for a in answers if isinstance(a, list) for r in a]
        except DnsProblem as problem:
            self.tree.unresolved.append((label, str(problem)))
            return
        if not found:
            self.tree.voids += 1

    async def follow(self, label: str, target: str, path: tuple[str, ...]) -> None:
        tree, name = self.tree, domain_key(target)
        if "%" in name:
            tree.unfollowed.append(label)
            return
        if name in path:
            tree.problems.append(_("{term} loops back to {domain}, which is already being "
                                   "evaluated, so receivers run past the look-up "
                                   "limit.").format(term=label, domain=name))
            return
        if len(path) > _MAX_DEPTH or tree.lookups > _FOLLOW_CAP:
            tree.capped = True
            return
        try:
            texts = await self.ask(name, "SPF")
        except DnsProblem as problem:
            tree.unresolved.append((label, str(problem)))
            return
        if not texts:
            tree.voids += 1
        records = [text for text in texts if is_spf(text)]
        # TRANSLATORS: an include or redirect term and the domain whose record holds it
        # ("include:x.example (in example.com)"); used inside the sentences that follow
        where = _("{term} (in {domain})").format(term=label, domain=path[-1]) if len(
            path) > 1 else label
        if not records:
            tree.problems.append(_("{term} leads to no SPF record at {domain}, which receivers "
                                   "treat as a permanent error.").format(term=where,
                                                                         domain=name))
            return
        if len(records) > 1:
            tree.problems.append(_("{term}: {domain} has {count} SPF records; there must be "
                                   "exactly one.").format(term=where, domain=name,
                                                          count=len(records)))
            return
        found = parse_spf(records[0])
        if found.errors:
            tree.problems.append(_("{term}: the record at {domain} is invalid: {error}").format(
                term=where, domain=name, error=found.errors[0]))
            return
        tree.domains.append(name)
        tree.lookups += found.own_lookups
        await self.visit(found, (*path, name))


def domain_key(name: str) -> str:
    """A domain as compared: lower case, no surrounding space or trailing dot."""
    return name.strip().rstrip(".").casefold()
