"""The SPF row of the domain check: the verdict on a domain's SPF record in plain words, with
the record to publish or the change to make. Parsing and look-up counting are in spf.py.
"""

from __future__ import annotations

from smtp_setup.core.dns.domain_report import CheckRow, worst
from smtp_setup.core.dns.spf import (
    LOOKUP_LIMIT,
    VOID_LIMIT,
    Fetch,
    Resolve,
    SpfRecord,
    SpfTree,
    domain_key,
    is_spf,
    parse_spf,
    walk_spf,
)

PLACEHOLDER = "<your provider's SPF domain>"


async def check_spf(domain: str, texts: list[str], fetch: Fetch, *, include: str | None,
                    provider_name: str | None, resolve: Resolve | None = None) -> CheckRow:
    """The SPF row for `domain` from its TXT strings (already fetched): one record, valid,
    a safe `all`, within the look-up limits, and authorizing the provider's `include`
    ("" or None: the catalog does not know it, so it is not judged)."""
    records = [text for text in texts if is_spf(text)]
    if not records:
        return CheckRow("SPF", "fail", f"{domain} publishes no SPF record, so receivers "
                        "cannot tell which servers may send its mail.",
                        [f"Publish one TXT record at {domain}: {suggest_record(include)}"]
                        + _include_hint(include, provider_name))
    if len(records) > 1:
        return CheckRow("SPF", "fail", f"{domain} has {len(records)} SPF records; receivers "
                        "treat more than one as an error (permerror), so SPF fails.",
                        ["Merge them into one TXT record starting with v=spf1, keeping every "
                         "include:, ip4: and ip6: term once, with a single all at the end."],
                        record="\n".join(records))
    record = parse_spf(records[0])
    if record.errors:
        return CheckRow("SPF", "fail", "The SPF record has a syntax error, so receivers "
                        "ignore it (permerror).", list(record.errors), record.text)
    tree = await walk_spf(record, domain, fetch, resolve)
    return _judge(domain, record, tree, include, provider_name)


def _judge(domain: str, record: SpfRecord, tree: SpfTree, include: str | None,
           provider_name: str | None) -> CheckRow:
    findings: list[tuple[str, str | None, str | None]] = []  # (status, summary, advice)
    all_term = record.all_term
    if all_term is None and record.redirect is None:
        findings.append(("warn", "the record has no all term, so other senders get neutral",
                         "End the record with ~all (or -all) so that mail from servers it "
                         "does not list is marked as suspicious."))
    elif all_term is not None and all_term.qualifier == "+":
        findings.append(("fail", "+all lets any server on the internet send as this domain",
                         "Replace +all with ~all (or -all once every sender is listed)."))
    elif all_term is not None and all_term.qualifier == "?":
        findings.append(("warn", "?all says nothing about other senders (neutral)",
                         "Replace ?all with ~all (or -all once every sender is listed)."))
    count = f"{tree.lookups}{'+' if tree.capped else ''}"
    if tree.lookups > LOOKUP_LIMIT:
        findings.append(("fail", f"the record needs {count} DNS look-ups; receivers stop at "
                         f"{LOOKUP_LIMIT} and fail SPF (permerror)",
                         "Remove includes you no longer use, or replace an include with the "
                         "ip4:/ip6: ranges it lists (\"flattening\"), until at most "
                         f"{LOOKUP_LIMIT} look-ups remain."))
    for problem in tree.problems:
        findings.append(("fail", "an include or redirect is broken", problem))
    if tree.voids > VOID_LIMIT:
        findings.append(("warn", f"{tree.voids} of the record's DNS look-ups find nothing",
                         f"Receivers may give up after {VOID_LIMIT} look-ups that find "
                         "nothing; remove the a:, mx: and include: terms that name domains "
                         "which publish no record."))
    for warning in record.warnings:
        findings.append(("warn", None, warning))
    for unresolved in tree.unresolved:
        findings.append(("warn", "part of the record could not be followed", "DNS did not answer "
                         f"for {unresolved}; receivers would get a temporary error too."))
    known = bool(include)
    authorized = known and domain_key(include or "") in {*tree.domains, *_top_includes(record)}
    name = provider_name or "your provider"
    if known and not authorized and not tree.unresolved and not tree.unfollowed:
        findings.append(("fail", f"the record does not authorize {name}: include:{include} is "
                         "missing",
                         f"Add include:{include} before the all term: "
                         f"{add_include(record.text, include or '')}"))
    elif known and not authorized:
        findings.append(("info", f"whether the record authorizes {name} could not be told",
                         f"Check that the record includes include:{include}."))
    elif provider_name and not known:
        findings.append(("info", None, f"Whether it authorizes {name} could not be told: "
                         "the catalog does not know the provider's SPF include; check the "
                         "provider's documentation."))
    status = worst(*(f[0] for f in findings), "pass")
    ending = all_term.text if all_term is not None else (
        f"redirect={record.redirect}" if record.redirect else "no all term")
    usage = f"{count} of {LOOKUP_LIMIT} DNS look-ups"
    headlines = list(dict.fromkeys(f[1] for f in findings if f[0] == status and f[1]))
    if status in ("warn", "fail") and headlines:
        headline = "; ".join(headlines)
        summary = _sentence(headline) + ("." if "look-ups" in headline else f" ({usage}).")
    else:
        facts = [f"one SPF record ending in {ending}", usage]
        if authorized:
            facts.append(f"authorizes {name} (include:{include})")
        summary = _sentence("; ".join(facts)) + "."
    return CheckRow("SPF", status, summary, [f[2] for f in findings if f[2]], record.text)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _top_includes(record: SpfRecord) -> set[str]:
    """Include targets named in the record itself, even when they could not be fetched."""
    names = {domain_key(t.value) for t in record.reached
             if t.name == "include" and not t.modifier and t.value}
    return names | ({domain_key(record.redirect)} if record.redirect else set())


def _include_hint(include: str | None, provider_name: str | None) -> list[str]:
    if include:
        return ["Keep ~all until you are sure every service that sends as this domain is "
                "listed; then -all."]
    who = f"{provider_name}'s" if provider_name else "your provider's"
    return [f"Replace {PLACEHOLDER} with {who} SPF include from its "
            "documentation, and add one include per service that sends as this domain."]


def suggest_record(include: str | None) -> str:
    """A starter SPF record authorizing one provider (a placeholder when it is unknown)."""
    return f"v=spf1 include:{include or PLACEHOLDER} ~all"


def add_include(text: str, include: str) -> str:
    """`text` with `include:<include>` added before its all term or redirect (or at the end)."""
    words = text.split()
    for index, word in enumerate(words):
        body = word.lstrip("+-~?").lower()
        if index and (body == "all" or body.startswith("redirect=")):
            return " ".join([*words[:index], f"include:{include}", *words[index:]])
    return " ".join([*words, f"include:{include}"])
