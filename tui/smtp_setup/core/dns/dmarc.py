"""DMARC (RFC 7489): read the policy record at `_dmarc.<domain>` and say in plain words what
receivers do with mail that fails SPF and DKIM, and whether the owner gets reports.

When a subdomain has no record of its own, receivers use the organizational domain's
record (its `sp=` policy when given); we look at the parent names for that, since deciding
the organizational domain exactly needs the Public Suffix List.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smtp_setup.core.dns.dkim import DkimSyntaxError, parse_tags
from smtp_setup.core.dns.domain_report import CheckRow
from smtp_setup.i18n import N_, _

POLICIES = {
    "none": N_("monitoring only; receivers deliver mail that fails SPF and DKIM as usual and "
               "only report it"),
    "quarantine": N_("mail that fails SPF and DKIM is treated as suspicious (usually the spam "
                     "folder)"),
    "reject": N_("mail that fails SPF and DKIM is refused"),
}
# (inherited from a parent domain, applied to part of the mail) -> the summary
_SUMMARIES = {
    (False, False): N_("Policy p={policy}: {meaning}."),
    (True, False): N_("Policy p={policy} (inherited from {parent}): {meaning}."),
    (False, True): N_("Policy p={policy}: {meaning}, for {pct}% of that mail."),
    (True, True): N_("Policy p={policy} (inherited from {parent}): {meaning}, for {pct}% of "
                     "that mail."),
}


def is_dmarc(text: str) -> bool:
    """True for a TXT string that starts with the v=DMARC1 tag."""
    first = text.split(";", 1)[0].replace(" ", "").replace("\t", "")
    return first.casefold() == "v=dmarc1"


def parent_names(domain: str) -> list[str]:
    """The names above `domain` whose DMARC record could apply to it, nearest first, down
    to two labels (`a.b.example.com` -> `b.example.com`, `example.com`)."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels) - 1)][:4]


@dataclass
class DmarcPolicy:
    """A parsed DMARC record. `problems` make it invalid; `notes` are facts worth saying."""

    text: str
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None  # none | quarantine | reject, or None when invalid
    rua: list[str] = field(default_factory=list)
    pct: int = 100
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_policy(text: str, *, subdomain: bool = False) -> DmarcPolicy:
    """Parse a DMARC record. `subdomain`: the record is a parent's, so `sp=` applies."""
    found = DmarcPolicy(text)
    try:
        found.tags = tags = parse_tags(text)
    except DkimSyntaxError as exc:
        found.problems.append(_("The record is not a valid tag list: {error}").format(error=exc))
        return found
    lowered = {name.lower(): value for name, value in tags.items()}
    rua = [uri.strip() for uri in lowered.get("rua", "").split(",") if uri.strip()]
    found.rua = rua
    bad_uris = [uri for uri in rua if not uri.lower().startswith("mailto:")]
    if bad_uris:
        found.notes.append(_("rua= should list mailto: addresses; {uri} is not one.").format(
            uri=bad_uris[0]))
    policy = lowered.get("p", "").lower()
    if subdomain and lowered.get("sp", "").lower() in POLICIES:
        policy = lowered["sp"].lower()
    if policy not in POLICIES:
        if rua and not bad_uris:  # RFC 7489 6.6.3: a bad or missing p= with rua acts as none
            found.notes.append(_("p= is missing or invalid, so receivers apply p=none."))
            policy = "none"
        else:
            found.problems.append(_("The record has no valid p= (none, quarantine or reject), "
                                    "so receivers ignore it."))
            return found
    found.policy = policy
    pct = lowered.get("pct", "100")
    if not pct.isdigit() or int(pct) > 100:
        found.notes.append(_("pct={pct} is not a number from 0 to 100; receivers use "
                             "100.").format(pct=pct))
    else:
        found.pct = int(pct)
    return found


def check_dmarc(domain: str, texts: list[str], *, inherited_from: str | None = None) -> CheckRow:
    """The DMARC row from the TXT strings at `_dmarc.<domain>` (or, when that had none, at
    `_dmarc.<inherited_from>`, a parent domain's record)."""
    records = [text for text in texts if is_dmarc(text)]
    where = f"_dmarc.{inherited_from or domain}"
    if not records:
        return CheckRow("DMARC", "warn", _(
            "No DMARC record at _dmarc.{domain}: receivers get no policy for mail that fails "
            "SPF and DKIM, and you get no reports.").format(domain=domain),
                        [_("Publish a TXT record at _dmarc.{domain}: {record}").format(
                            domain=domain, record=suggest_record(domain)),
                         _("After a few weeks of reports showing only your own services, move "
                           "to p=quarantine, then p=reject."),
                         _("Gmail and Yahoo require a DMARC record from bulk senders.")])
    if len(records) > 1:
        return CheckRow("DMARC", "fail", _(
            "{name} has {count} DMARC records; receivers ignore DMARC when there is more "
            "than one.").format(name=where, count=len(records)),
                        [_("Keep exactly one TXT record starting with v=DMARC1 there.")],
                        "\n".join(records))
    found = read_policy(records[0], subdomain=inherited_from is not None)
    if found.policy is None:
        return CheckRow("DMARC", "fail", _("The DMARC record is invalid, so receivers ignore "
                                           "it."),
                        found.problems + [_("A valid starter record: {record}").format(
                            record=suggest_record(domain))],
                        found.text)
    status = "warn" if found.policy == "none" or found.pct == 0 else "pass"
    summary = _SUMMARIES[bool(inherited_from), found.pct < 100].format(
        policy=found.policy, parent=inherited_from, meaning=POLICIES[found.policy],
        pct=found.pct)
    advice = list(found.notes)
    if found.policy == "none":
        advice.append(_("Once the reports show only your own services, move to p=quarantine, "
                        "then p=reject, so that forged mail is filtered."))
    if 0 < found.pct < 100:
        advice.append(_("pct={pct} applies the policy to only part of failing mail; raise it "
                        "to 100 when you are confident.").format(pct=found.pct))
    if found.pct == 0:
        advice.append(_("pct=0 means the policy is applied to no mail; raise it."))
    if not found.rua:
        advice.append(_("Add rua=mailto:dmarc-reports@{domain} to receive daily reports of "
                        "who sends mail as your domain and whether it passes.").format(
            domain=domain))
    if inherited_from:
        advice.append(_("{domain} has no record of its own; publish one at _dmarc.{domain} "
                        "to set its policy separately.").format(domain=domain))
    return CheckRow("DMARC", status, summary, advice, found.text)


def suggest_record(domain: str) -> str:
    """A starter DMARC record: monitoring, with reports to an address at the domain."""
    return f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"
