"""What discovery found: ranked suggestions, each with its source and confidence, what every
source did, the ranking itself and the plain lines the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smtp_setup.core.catalog.loader import load_catalog
from smtp_setup.core.profiles.model import Security
from smtp_setup.i18n import N_, _, pgettext, sentences
from smtp_setup.text_width import cells, pad, wrap

CONFIDENCES = ("high", "medium", "low")
_SECURITY_ORDER = {Security.TLS: 0, Security.STARTTLS: 1, Security.NONE: 2}
_MODE_WORDS = {Security.TLS: N_("implicit TLS"), Security.STARTTLS: N_("STARTTLS"),
               Security.NONE: N_("no encryption")}
_USERNAME_WORDS = {"email": N_("the full address"), "localpart": N_("the part before the @"),
                   "dashboard": N_("from the provider's dashboard"), "none": N_("no login")}
_FROM_SOURCES = {"high": N_("from {sources} (high confidence)"),
                 "medium": N_("from {sources} (medium confidence)"),
                 "low": N_("from {sources} (low confidence)")}


CATALOG_SOURCE = "catalog domain"  # a suggestion's `source`: the same in every language


def source_name(name: str) -> str:
    """A source's code (catalog, autoconfig, srv, mx, guess) as a person reads it."""
    names = {"catalog": pgettext("discovery source", "catalog"),
             "autoconfig": pgettext("discovery source", "autoconfig"),
             "srv": pgettext("discovery source", "srv"),
             "mx": pgettext("discovery source", "mx"),
             "guess": pgettext("discovery source", "guess")}
    return names.get(name, name)


def source_label(source: str) -> str:
    """A suggestion's `source` for a person. The `source` itself stays as the sources wrote
    it in every language (JSON's `source` and `also`): "catalog domain", "MX <host>",
    "SRV <label>", "autoconfig <URL>" or "guess <host> (port check)"."""
    if source == CATALOG_SOURCE:
        return _("the catalog's mail domains")
    kind, _space, where = source.partition(" ")
    if kind == "MX":
        return _("MX {host}").format(host=where)
    if kind == "SRV":
        return _("SRV {label}").format(label=where)
    if kind == "autoconfig":
        return _("autoconfig file {url}").format(url=where)
    if kind == "guess" and where.endswith(" (port check)"):
        return _("guess {host} (port check)").format(host=where.removesuffix(" (port check)"))
    return source


def join_notes(notes: list[str]) -> str:
    """Notes as one text: "a; b" in English. A note that already ends with the separator's
    mark (a Japanese sentence ends with 。, the separator's mark there) gets no second one."""
    # TRANSLATORS: joins the findings of one check into one sentence
    separator = _("; ")
    mark = separator.strip()
    text = ""
    for note in notes:
        if text:
            text += (separator.split(mark, 1)[1] if mark and text.endswith(mark)
                     else separator)
        text += note
    return text


def add_sentence(text: str, sentence: str) -> str:
    """`sentence` after `text` (either may be empty), as the language writes two sentences."""
    if not text or not sentence:
        return text or sentence
    # TRANSLATORS: two sentences one after the other (no space between Japanese sentences)
    return _("{sentence} {next_sentence}").format(sentence=text, next_sentence=sentence)


@dataclass
class Suggestion:
    """One way to send: where it came from (`source`) and how sure it is (`confidence`).

    `username_kind` uses the catalog's words ("email", "localpart", "literal", "dashboard",
    "none"); `username` is the value to fill in when it is known. `also` lists other sources
    that found the same server and mode; `note` is a caveat in plain words, or "".
    """

    provider_id: str | None
    host: str
    port: int
    security: Security
    username_kind: str
    source: str
    confidence: str
    username: str = ""
    also: list[str] = field(default_factory=list)
    note: str = ""
    # False when the username convention is RFC 6186's first try (SRV, guesses), not stated
    # by the source; a folded repeat that states one replaces it.
    username_stated: bool = field(default=True, repr=False)

    @property
    def key(self) -> tuple[str, int, Security]:
        return self.host, self.port, self.security

    def describe(self) -> str:
        """One line for a person: the server, how it is encrypted, the username, the source,
        e.g. "Gmail: smtp.gmail.com port 465, implicit TLS; username: the full address
        (a@gmail.com); from catalog domain (high confidence)"."""
        provider = _provider_name(self.provider_id)
        server = _("{host} port {port}, {mode}").format(
            host=self.host, port=self.port, mode=_MODE_WORDS[self.security])
        parts = [_("{provider}: {server}").format(provider=provider, server=server)
                 if provider else server]
        if self.username_kind == "literal":
            parts.append(_("username: {username}").format(username=repr(self.username)))
        elif self.username_kind in _USERNAME_WORDS:
            words = str(_USERNAME_WORDS[self.username_kind])
            if self.username and self.username_kind in ("email", "localpart"):
                words = _("{words} ({username})").format(words=words, username=self.username)
            parts.append(_("username: {username}").format(username=words))
        # TRANSLATORS: between the sources that found the same server
        sources = _(", also ").join(source_label(s) for s in [self.source, *self.also])
        found_by = _FROM_SOURCES.get(self.confidence)
        parts.append(found_by.format(sources=sources) if found_by else _(
            "from {sources} ({confidence} confidence)").format(
            sources=sources, confidence=self.confidence))
        return _("; ").join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"provider": self.provider_id, "host": self.host, "port": self.port,
                "security": str(self.security), "username_kind": self.username_kind,
                "username": self.username, "source": self.source,
                "confidence": self.confidence, "also": list(self.also), "note": self.note}


@dataclass
class SourceOutcome:
    """What one source did. `status`: "found", "none" (asked, nothing to suggest),
    "failed", "timed_out" or "skipped"; `ok` is False only for failed and timed out."""

    name: str
    ok: bool
    detail: str
    ms: float
    status: str = "none"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "status": self.status,
                "detail": self.detail, "ms": round(self.ms, 1)}


@dataclass
class DiscoveryReport:
    """All suggestions, best first, and what every source did."""

    address: str
    domain: str
    suggestions: list[Suggestion]
    sources: list[SourceOutcome]
    ms: float = 0.0
    timeout: float = 0.0

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    def to_json(self) -> dict[str, Any]:
        """The JSON of `smtp-setup discover --json`."""
        return {"ok": bool(self.suggestions), "address": self.address, "domain": self.domain,
                "ms": round(self.ms, 1), "timeout": self.timeout,
                "suggestions": [s.to_json() for s in self.suggestions],
                "sources": [s.to_json() for s in self.sources]}


def rank(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Best first: confidence, then encryption (implicit TLS, STARTTLS, none), then source
    order. Repeats of the same (host, port, security) are folded into the first, which
    lists the others' sources in `also` and takes the highest confidence among them."""
    order = {id(s): i for i, s in enumerate(suggestions)}
    ranked = sorted(suggestions, key=lambda s: (CONFIDENCES.index(s.confidence),
                                                _SECURITY_ORDER[s.security], order[id(s)]))
    kept: dict[tuple, Suggestion] = {}
    for suggestion in ranked:
        first = kept.get(suggestion.key)
        if first is None:
            kept[suggestion.key] = suggestion
        elif suggestion.source not in first.also and suggestion.source != first.source:
            first.also.append(suggestion.source)
            first.provider_id = first.provider_id or suggestion.provider_id
            if suggestion.username_stated and not first.username_stated:
                first.username_kind, first.username = (suggestion.username_kind,
                                                       suggestion.username)
                first.username_stated = True
    return list(kept.values())


def format_report(report: DiscoveryReport) -> list[str]:
    """Plain lines for the CLI: the ranked suggestions, then one line per source."""
    lines = [_("Looked up {domain} for {address} in {seconds} s (limit {limit} s).").format(
        domain=report.domain, address=report.address, seconds=f"{report.ms / 1000:.1f}",
        limit=f"{report.timeout:g}")]
    if report.suggestions:
        lines.append(_("Suggestions, best first:"))
        for number, suggestion in enumerate(report.suggestions, 1):
            lines += wrap(suggestion.describe(), 79, initial_indent=f"  {number}. ",
                          subsequent_indent="     ")
            if suggestion.note:
                lines += wrap(_("Note: {note}").format(note=suggestion.note), 79,
                              initial_indent="     ", subsequent_indent="       ")
    else:
        lines += wrap(_("No suggestion: no source knows this domain's outgoing server. Ask "
                        "the mail provider for the SMTP host, or choose it from the provider "
                        "list."), 79)
    lines.append(_("Sources:"))
    marks = {"found": "✓", "none": "·", "skipped": "-", "failed": "✗", "timed_out": "✗"}
    names = {source.name: source_name(source.name) for source in report.sources}
    width = max([10, *(cells(name) for name in names.values())])
    for source in report.sources:
        head = f"  {marks[source.status]} {pad(names[source.name], width)} "
        timing = _("({ms} ms)").format(ms=f"{source.ms:.0f}")  # never broken across lines
        lines += wrap(sentences([source.detail, timing]), 79, initial_indent=head,
                      subsequent_indent=" " * cells(head), whole=[timing])
    return lines


def _provider_name(provider_id: str | None) -> str:
    if not provider_id:
        return ""
    catalog = load_catalog()
    return catalog.get(provider_id).name if provider_id in catalog else ""
