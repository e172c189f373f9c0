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
from smtp_setup.i18n import N_, _

# TRANSLATORS: stands in a DNS record for the domain to write there; keep the angle brackets
PLACEHOLDER = N_("<your provider's SPF domain>")


async def check_spf(domain: str, texts: list[str], fetch: Fetch, *, include: str | None,
                    provider_name: str | None, resolve: Resolve | None = None) -> CheckRow:
    """The SPF row for `domain` from its TXT strings (already fetched): one record, valid,
    a safe `all`, within the look-up limits, and authorizing the provider's `include`
    ("" or None: the catalog does not know it, so it is not judged)."""
    records = [text for text in texts if is_spf(text)]
    if not records:
        return CheckRow("SPF", "fail", _("{domain} publishes no SPF record, so receivers "
                                         "cannot tell which servers may send its "
                                         "mail.").format(domain=domain),
                        [_("Publish one TXT record at {domain}: {record}").format(
                            domain=domain, record=suggest_record(include))]
                        + _include_hint(include, provider_name))
    if len(records) > 1:
        return CheckRow("SPF", "fail", _("{domain} has {count} SPF records; receivers treat "
                                         "more than one as an error (permerror), so SPF "
                                         "fails.").format(domain=domain, count=len(records)),
                        [_("Merge them into one TXT record starting with v=spf1, keeping every "
                           "include:, ip4: and ip6: term once, with a single all at the end.")],
                        record="\n".join(records))
    record = parse_spf(records[0])
    if record.errors:
        return CheckRow("SPF", "fail", _("The SPF record has a syntax error, so receivers "
                                         "ignore it (permerror)."), list(record.errors),
                        record.text)
    tree = await walk_spf(record, domain, fetch, resolve)
    return _judge(domain, record, tree, include, provider_name)


def _judge(domain: str, record: SpfRecord, tree: SpfTree, include: str | None,
           provider_name: str | None) -> CheckRow:
    findings: list[tuple[str, str | None, str | None]] = []  # (status, summary, advice)
    all_term = record.all_term
    if all_term is None and record.redirect is None:
        findings.append(("warn", _("the record has no all term, so other senders get "
                                   "neutral"),
                         _("End the record with ~all (or -all) so that mail from servers it "
                           "does not list is marked as suspicious.")))
    elif all_term is not None and all_term.qualifier == "+":
        findings.append(("fail", _("+all lets any server on the internet send as this domain"),
                         _("Replace +all with ~all (or -all once every sender is listed).")))
    elif all_term is not None and all_term.qualifier == "?":
        findings.append(("warn", _("?all says nothing about other senders (neutral)"),
                         _("Replace ?all with ~all (or -all once every sender is listed).")))
    count = f"{tree.lookups}{'+' if tree.capped else ''}"
    too_many = _("the record needs {count} DNS look-ups; receivers stop at {limit} and fail "
                 "SPF (permerror)").format(count=count, limit=LOOKUP_LIMIT)
    if tree.lookups > LOOKUP_LIMIT:
        findings.append(("fail", too_many,
                         _("Remove includes you no longer use, or replace an include with the "
                           "ip4:/ip6: ranges it lists (\"flattening\"), until at most "
                           "{limit} look-ups remain.").format(limit=LOOKUP_LIMIT)))
    for problem in tree.problems:
        findings.append(("fail", _("an include or redirect is broken"), problem))
    voids = _("{count} of the record's DNS look-ups find nothing").format(count=tree.voids)
    if tree.voids > VOID_LIMIT:
        findings.append(("warn", voids,
                         _("Receivers may give up after {limit} look-ups that find nothing; "
                           "remove the a:, mx: and include: terms that name domains which "
                           "publish no record.").format(limit=VOID_LIMIT)))
    for warning in record.warnings:
        findings.append(("warn", None, warning))
    for term, problem in tree.unresolved:
        findings.append(("warn", _("part of the record could not be followed"), _(
            "{term} could not be followed: {problem} Receivers would get a temporary error "
            "too.").format(term=term, problem=problem)))
    known = bool(include)
    authorized = known and domain_key(include or "") in {*tree.domains, *_top_includes(record)}
    name = provider_name or _("your provider")
    if known and not authorized and not tree.unresolved and not tree.unfollowed:
        findings.append(("fail", _("the record does not authorize {name}: include:{include} "
                                   "is missing").format(name=name, include=include),
                         _("Add include:{include} before the all term: {record}").format(
                             include=include, record=add_include(record.text, include or ""))))
    elif known and not authorized:
        findings.append(("info", _("whether the record authorizes {name} could not be "
                                   "told").format(name=name),
                         _("Check that the record includes include:{include}.").format(
                             include=include)))
    elif provider_name and not known:
        findings.append(("info", None, _(
            "Whether it authorizes {name} could not be told: the catalog does not know the "
            "provider's SPF include; check the provider's documentation.").format(name=name)))
    status = worst(*(f[0] for f in findings), "pass")
    ending = all_term.text if all_term is not None else (
        f"redirect={record.redirect}" if record.redirect else _("no all term"))
    usage = _("{count} of {limit} DNS look-ups").format(count=count, limit=LOOKUP_LIMIT)
    headlines = list(dict.fromkeys(f[1] for f in findings if f[0] == status and f[1]))
    # TRANSLATORS: joins the findings of one check into one sentence
    joined = _("; ")
    if status in ("warn", "fail") and headlines:
        headline = joined.join(headlines)
        summary = _sentence(_("{findings}.").format(findings=headline) if {too_many, voids} & set(headlines)
                            else _("{findings} ({usage}).").format(findings=headline,
                                                                    usage=usage))
    else:
        facts = [_("one SPF record ending in {ending}").format(ending=ending), usage]
        if authorized:
            facts.append(_("authorizes {name} (include:{include})").format(
                name=name, include=include))
        summary = _sentence(_("{findings}.").format(findings=joined.join(facts)))
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
        return [_("Keep ~all until you are sure every service that sends as this domain is "
                  "listed; then -all.")]
    if provider_name:
        return [_("Replace {placeholder} with {provider}'s SPF include from its documentation, "
                  "and add one include per service that sends as this domain.").format(
            placeholder=str(PLACEHOLDER), provider=provider_name)]
    return [_("Replace {placeholder} with your provider's SPF include from its documentation, "
              "and add one include per service that sends as this domain.").format(
        placeholder=str(PLACEHOLDER))]


def suggest_record(include: str | None) -> str:
    """A starter SPF record authorizing one provider (a placeholder when it is unknown)."""
    return f"v=spf1 include:{include or PLACEHOLDER!s} ~all"


def add_include(text: str, include: str) -> str:
    """`text` with `include:<include>` added before its all term or redirect (or at the end)."""
    words = text.split()
    for index, word in enumerate(words):
        body = word.lstrip("+-~?").lower()
        if index and (body == "all" or body.startswith("redirect=")):
            return " ".join([*words[:index], f"include:{include}", *words[index:]])
    return " ".join([*words, f"include:{include}"])
