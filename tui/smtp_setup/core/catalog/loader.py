"""The provider catalog: email services, their servers, ports and credentials, as data.

The facts live in `providers.toml` next to this module; this module only loads, checks and
looks them up. A malformed catalog raises `CatalogError` naming the provider and key, so a bad
edit fails the test suite instead of surfacing in the wizard. The texts a person reads come in
the current language from `providers.<lang>.toml` beside it (see translation.py), read only
when that language is chosen.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from importlib import resources
from typing import Any

from smtp_setup.core.catalog.errors import CatalogError
from smtp_setup.core.catalog.port_option import PortOption
from smtp_setup.core.catalog.translation import translations
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.profiles.oauth_config import FLOW_PROVIDERS
from smtp_setup.i18n import N_, SOURCE_LANGUAGE, current_language, gettext

__all__ = [
    "GROUP_TITLES", "PASSWORD_KINDS", "USERNAME_KINDS", "CatalogError", "PortOption",
    "Provider", "ProviderCatalog", "load_catalog", "parse_catalog", "translate_catalog",
]
# The English titles (N_ marks them for the catalog; groups() shows them translated).
GROUP_TITLES = {
    "transactional": N_("Transactional email services").message,
    "mailbox": N_("Mailbox providers").message,
    "other": N_("Other").message,
}
USERNAME_KINDS = ("literal", "email", "localpart", "dashboard", "none")
PASSWORD_KINDS = (
    "account_password",
    "app_password",
    "api_key",
    "smtp_key",
    "smtp_credential",
    "token",
    "oauth2_only",
    "none",
)

@dataclass(frozen=True)
class Provider:
    """One catalog entry. Build with `parse_catalog` / `load_catalog`, not by hand."""

    id: str
    name: str
    group: str
    summary: str
    hosts: dict[str, str]
    host_label: str
    host_editable: bool
    ports: tuple[PortOption, ...]
    recommended_port: int
    username_kind: str
    username_value: str
    username_hint: str
    password_kind: str
    password_label: str
    password_hint: str
    requirements: tuple[str, ...]
    hints: tuple[str, ...]
    docs: str
    domains: tuple[str, ...]
    mx_patterns: tuple[str, ...]
    spf_include: str
    dkim_selectors: tuple[str, ...]
    oauth2: bool  # the provider accepts OAuth for SMTP at all
    # How smtp-setup signs in (see _oauth); None where it cannot. Keys: flow_provider,
    # authorize_url, token_url, device_url (URLs may hold "{tenant}"), scopes (a tuple),
    # default_tenant, device_flow, redirect_host, guide.
    oauth: dict[str, Any] | None = None

    def __hash__(self) -> int:  # hosts is a dict, which cannot be hashed; ids are unique
        return hash(self.id)

    @property
    def default_host(self) -> str:
        return next(iter(self.hosts.values()))

    @property
    def recommended(self) -> PortOption:
        option = self.port_option(self.recommended_port)
        assert option is not None  # parse_catalog guarantees it
        return option

    @property
    def username_locked(self) -> bool:
        return self.username_kind == "literal"

    @property
    def needs_auth(self) -> bool:
        return self.username_kind != "none"

    def port_option(self, port: int, security: Security | None = None) -> PortOption | None:
        """The listed option for `port` (and `security` if given), or None.

        Without `security`, an encrypted option wins over an unencrypted one on the same port.
        """
        matches = [p for p in self.ports if p.port == port and security in (None, p.security)]
        matches.sort(key=lambda p: p.security is Security.NONE)
        return matches[0] if matches else None

    def needs(self) -> list[str]:
        """What the person must have ready before the wizard asks, in plain words."""
        return list(self.requirements)


class ProviderCatalog:
    """All providers in catalog order, with the look-ups the wizard and discovery need."""

    def __init__(self, providers: tuple[Provider, ...]) -> None:
        self._providers = {p.id: p for p in providers}

    def get(self, provider_id: str) -> Provider:
        """The provider with this id; KeyError when there is none."""
        try:
            return self._providers[provider_id]
        except KeyError:
            raise KeyError(f"no provider {provider_id!r} in the catalog") from None

    def __iter__(self) -> Iterator[Provider]:
        return iter(self._providers.values())

    def __len__(self) -> int:
        return len(self._providers)

    def __contains__(self, provider_id: object) -> bool:
        return provider_id in self._providers

    def groups(self) -> list[tuple[str, list[Provider]]]:
        """(title, providers) for each non-empty group, in GROUP_TITLES order; the titles in
        the current language."""
        out = []
        for key, title in GROUP_TITLES.items():
            members = [p for p in self if p.group == key]
            if members:
                out.append((gettext(title), members))
        return out

    def search(self, text: str) -> list[Provider]:
        """Providers matching every word of `text` (case-insensitive) in name, id, summary or
        domains; name and id matches first. Empty text matches everything. The English name
        matches too in every language ("other" finds その他の SMTP サーバー), as the README
        names it."""
        words = text.casefold().split()
        english = source_catalog()
        hits: list[tuple[int, Provider]] = []
        for provider in self:
            source = english.get(provider.id).name if provider.id in english else ""
            title = f"{provider.name} {source} {provider.id}".casefold()
            haystack = " ".join([title, provider.summary, *provider.domains]).casefold()
            if all(word in haystack for word in words):
                hits.append((0 if all(word in title for word in words) else 1, provider))
        hits.sort(key=lambda hit: hit[0])  # stable: catalog order within each rank
        return [provider for _, provider in hits]

    def for_email_domain(self, domain: str) -> Provider | None:
        """The provider whose mailboxes use `domain` (an address works too), or None."""
        domain = domain.rpartition("@")[2].strip().rstrip(".").casefold()
        return next((p for p in self if domain and domain in p.domains), None)

    def for_mx_host(self, mx_host: str) -> Provider | None:
        """The provider whose mail servers match this MX host name, or None."""
        host = mx_host.strip().rstrip(".").casefold()
        if not host:
            return None
        return next(
            (p for p in self if any(fnmatchcase(host, pat) for pat in p.mx_patterns)), None
        )


def load_catalog() -> ProviderCatalog:
    """The packaged catalog with its texts in the current language, read and checked once
    per process and language (English never reads a translation file)."""
    return _catalog_in(current_language())


def source_catalog() -> ProviderCatalog:
    """The catalog in English, its source language: for matching its words, whatever the
    language shown."""
    return _catalog_in(SOURCE_LANGUAGE)


@functools.cache
def _catalog_in(language: str) -> ProviderCatalog:
    files = resources.files("smtp_setup.core.catalog")
    if language == SOURCE_LANGUAGE:
        return parse_catalog(files.joinpath("providers.toml").read_text("utf-8"))
    translation = files.joinpath(f"providers.{language}.toml")
    english = _catalog_in(SOURCE_LANGUAGE)
    return translate_catalog(english, translation) if translation.is_file() else english


def translate_catalog(catalog: ProviderCatalog, path: Any) -> ProviderCatalog:
    """`catalog` with the texts of the translation file at `path` (a Path or a package
    resource; see translation.py for its shape); raise CatalogError naming the first
    problem. What the file leaves out stays English."""
    english = {p.id: p for p in catalog}
    changes = translations(path.read_text("utf-8"), path.name, english)
    return ProviderCatalog(tuple(replace(p, **changes.get(p.id, {})) for p in catalog))


def parse_catalog(text: str) -> ProviderCatalog:
    """Parse and check catalog TOML; raise CatalogError naming the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"providers.toml is not valid TOML: {exc}") from None
    tables = data.get("providers")
    if not isinstance(tables, dict) or not tables:
        raise CatalogError("providers.toml has no [providers.<id>] tables")
    return ProviderCatalog(tuple(_provider(pid, table) for pid, table in tables.items()))


_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = {
    "name", "group", "summary", "hosts", "host_label", "host_editable", "ports",
    "recommended_port", "username", "password", "needs", "hints", "docs", "domains",
    "mx_patterns", "spf_include", "dkim_selectors", "oauth2", "oauth",
}
_OPTIONAL = {"host_label", "oauth"}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list",
               dict: "a table"}  # fmt: skip


def _provider(pid: str, table: Any) -> Provider:
    where = f"[providers.{pid}]"

    def fail(message: str) -> CatalogError:
        return CatalogError(f"providers.toml {where}: {message}")

    if not _ID.match(pid):
        raise fail("the id must be lower-case letters, digits and underscores")
    if not isinstance(table, dict):
        raise fail("must be a table")
    if unknown := sorted(table.keys() - _KEYS):
        raise fail(f"unknown key(s) {', '.join(unknown)}")
    if missing := sorted(_KEYS - _OPTIONAL - table.keys()):
        raise fail(f"missing key(s) {', '.join(missing)}")

    def typed(key: str, kind: type, source: dict = table, label: str = "") -> Any:
        value = source.get(key, "" if kind is str else None)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise fail(f"{label or key} must be {_TYPE_NAMES[kind]}")
        return value

    def strings(key: str) -> tuple[str, ...]:
        value = typed(key, list)
        if not all(isinstance(item, str) and item for item in value):
            raise fail(f"{key} must be a list of non-empty strings")
        return tuple(value)

    group = typed("group", str)
    if group not in GROUP_TITLES:
        raise fail(f"group {group!r} is not one of {', '.join(GROUP_TITLES)}")
    host_editable = typed("host_editable", bool)
    hosts = typed("hosts", dict)
    if not hosts or not all(isinstance(h, str) for h in hosts.values()):
        raise fail("hosts must be a non-empty table of host names")
    if not host_editable and not all(hosts.values()):
        raise fail("hosts may be empty only when host_editable is true")

    ports: list[PortOption] = []
    for index, raw in enumerate(typed("ports", list)):
        label = f"ports[{index}]"
        if not isinstance(raw, dict) or raw.keys() - {"port", "security", "note"}:
            raise fail(f"{label} must be {{ port, security, note }}")
        port = typed("port", int, raw, f"{label}.port")
        if not 1 <= port <= 65535:
            raise fail(f"{label}.port {port} is not between 1 and 65535")
        security = typed("security", str, raw, f"{label}.security")
        if security not in tuple(Security):
            raise fail(f"{label}.security {security!r} is not one of tls, starttls, none")
        option = PortOption(port, Security(security), typed("note", str, raw, f"{label}.note"))
        if any((p.port, p.security) == (option.port, option.security) for p in ports):
            raise fail(f"{label} repeats port {port} with {security}")
        ports.append(option)
    if not ports:
        raise fail("ports must list at least one port")
    recommended_port = typed("recommended_port", int)
    if all(p.port != recommended_port for p in ports):
        raise fail(f"recommended_port {recommended_port} is not among the ports")

    username = typed("username", dict)
    password = typed("password", dict)
    if username.keys() - {"kind", "value", "hint"} or password.keys() - {"kind", "label", "hint"}:
        raise fail("username is { kind, value, hint } and password is { kind, label, hint }")
    username_kind = typed("kind", str, username, "username.kind")
    username_value = typed("value", str, username, "username.value")
    password_kind = typed("kind", str, password, "password.kind")
    if username_kind not in USERNAME_KINDS:
        raise fail(f"username.kind {username_kind!r} is not one of {', '.join(USERNAME_KINDS)}")
    if password_kind not in PASSWORD_KINDS:
        raise fail(f"password.kind {password_kind!r} is not one of {', '.join(PASSWORD_KINDS)}")
    if (username_kind == "literal") != bool(username_value):
        raise fail("username.value is required for a literal username and only then")
    if (username_kind == "none") != (password_kind == "none"):
        raise fail('username.kind and password.kind must both be "none" or neither')
    if password_kind != "none" and not typed("label", str, password, "password.label"):
        raise fail("password.label must name the secret, e.g. \"API key\"")

    docs = typed("docs", str)
    if docs and not docs.startswith("https://"):
        raise fail("docs must be an https:// URL")
    for key in ("name", "summary"):
        if not typed(key, str).strip():
            raise fail(f"{key} must not be empty")
    oauth2 = typed("oauth2", bool)
    oauth = _oauth(table["oauth"], fail) if "oauth" in table else None
    if oauth is not None and not oauth2:
        raise fail("oauth needs oauth2 = true")

    return Provider(
        id=pid,
        name=table["name"],
        group=group,
        summary=table["summary"],
        hosts=dict(hosts),
        host_label=typed("host_label", str),
        host_editable=host_editable,
        ports=tuple(ports),
        recommended_port=recommended_port,
        username_kind=username_kind,
        username_value=username_value,
        username_hint=typed("hint", str, username, "username.hint"),
        password_kind=password_kind,
        password_label=typed("label", str, password, "password.label"),
        password_hint=typed("hint", str, password, "password.hint"),
        requirements=strings("needs"),
        hints=strings("hints"),
        docs=docs,
        domains=tuple(d.casefold() for d in strings("domains")),
        mx_patterns=tuple(m.casefold() for m in strings("mx_patterns")),
        spf_include=typed("spf_include", str),
        dkim_selectors=strings("dkim_selectors"),
        oauth2=oauth2,
        oauth=oauth,
    )


_OAUTH_KEYS = {"flow_provider", "authorize_url", "token_url", "device_url", "scopes",
               "default_tenant", "device_flow", "redirect_host", "guide"}
_REDIRECT_HOSTS = ("localhost", "127.0.0.1")


def _oauth(raw: Any, fail: Any) -> dict[str, Any]:
    """Check an `oauth` table: where to sign in and what to ask for."""
    if not isinstance(raw, dict):
        raise fail("oauth must be a table")
    if unknown := sorted(raw.keys() - _OAUTH_KEYS):
        raise fail(f"oauth has unknown key(s) {', '.join(unknown)}")
    if missing := sorted(_OAUTH_KEYS - raw.keys()):
        raise fail(f"oauth is missing key(s) {', '.join(missing)}")
    for key in _OAUTH_KEYS - {"scopes", "device_flow"}:
        if not isinstance(raw[key], str):
            raise fail(f"oauth.{key} must be a string")
    if raw["flow_provider"] not in FLOW_PROVIDERS:
        raise fail(f"oauth.flow_provider {raw['flow_provider']!r} is not one of "
                   f"{', '.join(FLOW_PROVIDERS)}")
    if not isinstance(raw["device_flow"], bool):
        raise fail("oauth.device_flow must be true or false")
    scopes = raw["scopes"]
    if not isinstance(scopes, list) or not scopes or not all(
            isinstance(s, str) and s and " " not in s for s in scopes):
        raise fail("oauth.scopes must be a non-empty list of scopes without spaces")
    for key in ("authorize_url", "token_url", "device_url"):
        if raw[key] and not raw[key].startswith("https://"):
            raise fail(f"oauth.{key} must be an https:// URL")
    if not raw["authorize_url"] or not raw["token_url"]:
        raise fail("oauth.authorize_url and oauth.token_url are required")
    if raw["device_flow"] != bool(raw["device_url"]):
        raise fail("oauth.device_url must be set exactly when device_flow is true")
    uses_tenant = any("{tenant}" in raw[k] for k in ("authorize_url", "token_url", "device_url"))
    if uses_tenant != bool(raw["default_tenant"]):
        raise fail("oauth.default_tenant must be set exactly when a URL holds {tenant}")
    if raw["redirect_host"] not in _REDIRECT_HOSTS:
        raise fail(f"oauth.redirect_host must be one of {', '.join(_REDIRECT_HOSTS)}")
    return {**raw, "scopes": tuple(scopes)}
