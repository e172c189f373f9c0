"""The catalog's texts in another language, read from `providers.<lang>.toml` beside it.

The translation is data like the catalog: one `[providers.<id>]` table per provider holding
only the texts a person reads, in the catalog's own shape:

    name, summary, host_label        strings
    username = { hint }              password = { label, hint }
    needs, hints                     lists, as long as the English ones and in their order
    port_notes = { 465 = "..." }     a port's note, keyed by the port number

Ids, hosts, ports, kinds and URLs never change with the language. A field left out keeps its
English for that provider alone. An unknown provider, field or port, a text the English entry
does not have, or a list of another length raises CatalogError, so a translation that falls
behind the catalog fails the tests instead of showing the wrong hint.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from typing import Any

from smtp_setup.core.catalog.errors import CatalogError

_FIELDS = {"name", "summary", "host_label", "username", "password", "needs", "hints",
           "port_notes"}  # fmt: skip
_NESTED = {"username": {"hint"}, "password": {"label", "hint"}}


def translations(text: str, source: str, english: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check a translation file against the English providers (id -> Provider) and return,
    per provider id, the keyword arguments that put its texts in place (for
    `dataclasses.replace`). `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source} is not valid TOML: {exc}") from None
    if data.keys() - {"providers"} or not isinstance(data.get("providers", {}), dict):
        raise CatalogError(f"{source} holds only [providers.<id>] tables")
    out = {}
    for pid, table in data.get("providers", {}).items():
        if pid not in english:
            raise CatalogError(f"{source} [providers.{pid}]: no such provider in the catalog")
        out[pid] = _changes(english[pid], table, f"{source} [providers.{pid}]")
    return out


def _changes(provider: Any, table: Any, where: str) -> dict[str, Any]:
    def fail(message: str) -> CatalogError:
        return CatalogError(f"{where}: {message}")

    def text(value: Any, label: str, english: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{label} must be a non-empty string")
        if not english:
            raise fail(f"{label} has no English text to translate")
        return value

    if not isinstance(table, dict):
        raise fail("must be a table")
    if unknown := sorted(table.keys() - _FIELDS):
        raise fail(f"unknown field(s) {', '.join(unknown)}")
    changes: dict[str, Any] = {}
    for key in ("name", "summary", "host_label"):
        if key in table:
            changes[key] = text(table[key], key, getattr(provider, key))
    for key, allowed in _NESTED.items():
        nested = table.get(key, {})
        if not isinstance(nested, dict) or nested.keys() - allowed:
            raise fail(f"{key} is a table of {', '.join(sorted(allowed))}")
        for inner, value in nested.items():
            attribute = f"{key}_{inner}"
            changes[attribute] = text(value, f"{key}.{inner}", getattr(provider, attribute))
    for key, attribute in (("needs", "requirements"), ("hints", "hints")):
        if key in table:
            english, value = getattr(provider, attribute), table[key]
            if not isinstance(value, list) or len(value) != len(english):
                raise fail(f"{key} must be a list of {len(english)} texts, like the English")
            changes[attribute] = tuple(
                text(item, f"{key}[{index}]", english[index]) for index, item in enumerate(value)
            )
    if "port_notes" in table:
        changes["ports"] = _ports(provider, table["port_notes"], fail)
    return changes


def _ports(provider: Any, notes: Any, fail: Any) -> tuple[Any, ...]:
    if not isinstance(notes, dict):
        raise fail("port_notes is a table of port = note")
    ports = list(provider.ports)
    for key, note in notes.items():
        indexes = [i for i, option in enumerate(ports) if str(option.port) == key]
        if not indexes:
            raise fail(f"port_notes.{key}: the provider has no port {key}")
        english = {ports[i].note for i in indexes}
        if len(english) != 1 or not next(iter(english)):
            raise fail(f"port_notes.{key}: the English port {key} has no single note")
        if not isinstance(note, str) or not note.strip():
            raise fail(f"port_notes.{key} must be a non-empty string")
        for i in indexes:
            ports[i] = replace(ports[i], note=note)
    return tuple(ports)
