"""The provider catalog: the packaged data's shape, the loader's checks, and the look-ups."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from importlib import resources

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st
from smtp_setup.core.catalog.loader import (
    GROUP_TITLES,
    PASSWORD_KINDS,
    USERNAME_KINDS,
    CatalogError,
    PortOption,
    ProviderCatalog,
    load_catalog,
    parse_catalog,
)
from smtp_setup.core.oauth.flows import Endpoints, endpoints_for
from smtp_setup.core.profiles.model import Security
from smtp_setup.core.profiles.oauth_config import OAuthConfig

RAW = tomllib.loads(
    resources.files("smtp_setup.core.catalog").joinpath("providers.toml").read_text("utf-8")
)["providers"]
IDS = list(RAW)
REQUIRED_IDS = {
    "sendlayer", "smtpcom", "brevo", "gmail", "google_workspace", "mailjet", "mailgun",
    "postmark", "sendgrid", "smtp2go", "sparkpost", "ses", "microsoft365", "outlook", "zoho",
    "yahoo", "icloud", "fastmail", "proton_bridge", "resend", "elasticemail", "mailtrap",
    "custom", "sandbox",
}  # fmt: skip
REQUIRED_KEYS = {
    "name": str, "group": str, "summary": str, "hosts": dict, "host_editable": bool,
    "ports": list, "recommended_port": int, "username": dict, "password": dict,
    "needs": list, "hints": list, "docs": str, "domains": list, "mx_patterns": list,
    "spf_include": str, "dkim_selectors": list, "oauth2": bool,
}  # fmt: skip
# Providers whose own docs name 587 as the port to use although they also offer 465.
DOCUMENTED_587 = {"sendgrid", "mailgun", "mailjet", "mailtrap"}


# --- the packaged data, read without the loader -------------------------------------------


def test_required_providers_present():
    assert REQUIRED_IDS <= set(RAW)


@pytest.mark.parametrize("pid", IDS)
def test_entry_shape(pid):
    entry = RAW[pid]
    for key, kind in REQUIRED_KEYS.items():
        assert isinstance(entry.get(key), kind), f"{pid}.{key} should be {kind.__name__}"
    assert set(entry) <= set(REQUIRED_KEYS) | {"host_label", "oauth"}
    assert entry["group"] in GROUP_TITLES
    assert entry["name"].strip() and entry["summary"].strip()
    assert all(isinstance(s, str) and s for key in ("needs", "hints") for s in entry[key])
    assert entry["needs"], f"{pid} should say what the person needs ready"
    assert all(d == d.lower() and "@" not in d for d in entry["domains"])


@pytest.mark.parametrize("pid", IDS)
def test_ports_have_explicit_security_and_no_duplicates(pid):
    ports = RAW[pid]["ports"]
    pairs = [(p["port"], p["security"]) for p in ports]
    assert ports and len(pairs) == len(set(pairs))
    for p in ports:
        assert set(p) <= {"port", "security", "note"}
        assert p["security"] in {"tls", "starttls", "none"}
        assert isinstance(p["port"], int) and 1 <= p["port"] <= 65535
    assert RAW[pid]["recommended_port"] in [p["port"] for p in ports]


@pytest.mark.parametrize("pid", IDS)
def test_recommended_port_follows_rfc_8314_unless_documented(pid):
    pairs = {(p["port"], p["security"]) for p in RAW[pid]["ports"]}
    if {(465, "tls"), (587, "starttls")} <= pairs and pid not in DOCUMENTED_587:
        assert RAW[pid]["recommended_port"] == 465


@pytest.mark.parametrize("pid", IDS)
def test_hosts_and_docs(pid):
    entry = RAW[pid]
    assert entry["hosts"]
    if pid == "custom":
        assert entry["hosts"] == {"default": ""} and entry["host_editable"]
    else:
        assert all(isinstance(h, str) and h and " " not in h for h in entry["hosts"].values())
    if pid == "sandbox":
        assert entry["docs"] == ""
    else:
        assert entry["docs"].startswith("https://")


@pytest.mark.parametrize("pid", IDS)
def test_credentials(pid):
    username, password = RAW[pid]["username"], RAW[pid]["password"]
    assert username["kind"] in USERNAME_KINDS and password["kind"] in PASSWORD_KINDS
    if username["kind"] == "literal":
        assert username["value"] and username["value"] in username["hint"]
    else:
        assert "value" not in username
    if password["kind"] != "none":
        assert password["label"] and password["hint"] and username["hint"]


def test_host_editable_only_where_the_host_varies():
    assert {pid for pid in IDS if RAW[pid]["host_editable"]} == {"custom", "proton_bridge"}


def test_oauth2_flags():
    expected = {"gmail", "google_workspace", "microsoft365", "outlook", "yahoo"}
    assert {pid for pid in IDS if RAW[pid]["oauth2"]} == expected


def test_oauth_tables():
    """The four providers smtp-setup can sign in with; URLs and scopes as in oauth.md §1.2,
    §1.3 and §2.1. Yahoo takes OAuth too, but smtp-setup has no sign-in for it."""
    catalog = load_catalog()
    signed = {p.id: p.oauth for p in catalog if p.oauth is not None}
    assert set(signed) == {"gmail", "google_workspace", "microsoft365", "outlook"}
    assert all(isinstance(p.oauth2, bool) for p in catalog)
    assert catalog.get("yahoo").oauth2 and catalog.get("yahoo").oauth is None
    ms_root = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0"
    for pid, tenant in (("microsoft365", "common"), ("outlook", "consumers")):
        assert signed[pid] == {
            "flow_provider": "microsoft", "authorize_url": f"{ms_root}/authorize",
            "token_url": f"{ms_root}/token", "device_url": f"{ms_root}/devicecode",
            "scopes": ("https://outlook.office.com/SMTP.Send", "offline_access"),
            "default_tenant": tenant, "device_flow": True, "redirect_host": "localhost",
            "guide": "README.md#oauth-client-id"}
    for pid in ("gmail", "google_workspace"):
        assert signed[pid] == {
            "flow_provider": "google", "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
            "token_url": "https://oauth2.googleapis.com/token", "device_url": "",
            "scopes": ("https://mail.google.com/",), "default_tenant": "", "device_flow": False,
            "redirect_host": "127.0.0.1", "guide": "README.md#oauth-client-id"}


# --- sign-in endpoints: catalog defaults, {tenant} filled, overrides win ---------------


def test_endpoints_from_the_catalog_with_the_tenant_filled():
    oauth = OAuthConfig(flow_provider="microsoft", client_id="x")
    m365 = endpoints_for(oauth, "microsoft365")
    assert m365.token_url == "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    assert m365.device_url.endswith("/common/oauth2/v2.0/devicecode")
    assert m365.scopes == ("https://outlook.office.com/SMTP.Send", "offline_access")
    assert m365.redirect_host == "localhost"
    assert "/consumers/" in endpoints_for(oauth, "outlook").authorize_url
    tenant = OAuthConfig(flow_provider="microsoft", client_id="x", tenant="contoso.example")
    assert endpoints_for(tenant, "outlook").authorize_url == (
        "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize")
    gmail = endpoints_for(OAuthConfig(flow_provider="google", client_id="x"), "google_workspace")
    assert gmail == Endpoints("https://accounts.google.com/o/oauth2/v2/auth",
                              "https://oauth2.googleapis.com/token", "",
                              ("https://mail.google.com/",), "127.0.0.1")


def test_overrides_win_and_other_providers_borrow_by_flow_provider(fake_oauth):
    oauth = fake_oauth.oauth_config("microsoft", tenant="organizations")
    ends = endpoints_for(oauth, "custom")  # no oauth table: the first microsoft one
    assert ends.token_url == f"{fake_oauth.base_url}/organizations/oauth2/v2.0/token"
    assert ends.scopes[0] == "https://outlook.office.com/SMTP.Send"
    partial = OAuthConfig(flow_provider="google", client_id="x", token_url="https://t.example/")
    assert endpoints_for(partial, "gmail").token_url == "https://t.example/"
    assert endpoints_for(partial, "gmail").authorize_url.startswith("https://accounts.google")


# --- facts the wizard relies on ----------------------------------------------------------


def test_specific_facts():
    catalog = load_catalog()
    assert catalog.get("postmark").port_option(465) is None
    mailtrap = {(p.port, p.security) for p in catalog.get("mailtrap").ports}
    assert mailtrap == {(587, "starttls"), (2525, "starttls"), (25, "starttls"), (465, "tls")}
    assert catalog.get("sendgrid").username_value == "apikey"
    assert catalog.get("sparkpost").username_value == "SMTP_Injection"
    assert list(catalog.get("mailgun").hosts) == ["us", "eu"]
    assert list(catalog.get("sparkpost").hosts) == ["us", "eu"]
    ses = catalog.get("ses").hosts
    assert ses and all(host == f"email-smtp.{region}.amazonaws.com" for region, host in ses.items())
    assert "us-east-1" in ses
    workspace = catalog.get("google_workspace")
    assert workspace.default_host == "smtp.gmail.com"
    assert workspace.hosts["relay"] == "smtp-relay.gmail.com"


def test_microsoft_credentials():
    catalog = load_catalog()
    outlook, m365 = catalog.get("outlook"), catalog.get("microsoft365")
    assert outlook.password_kind == "oauth2_only"
    assert any("September 2024" in h for h in outlook.hints)
    assert m365.password_kind == "account_password"
    assert "SMTP AUTH" in m365.password_hint and "December 2026" in m365.password_hint
    for provider in (outlook, m365):
        assert provider.recommended == PortOption(587, Security.STARTTLS)


def test_custom_and_sandbox():
    catalog = load_catalog()
    custom = catalog.get("custom")
    assert custom.host_editable and custom.default_host == ""
    assert {(p.port, p.security) for p in custom.ports} == {
        (465, "tls"), (587, "starttls"), (2525, "starttls"), (25, "starttls"), (25, "none"),
    }  # fmt: skip
    assert custom.recommended == PortOption(465, Security.TLS)
    assert custom.username_kind == "dashboard" and not custom.username_locked
    assert custom.password_kind == "account_password"
    sandbox = catalog.get("sandbox")
    assert (sandbox.group, sandbox.default_host, sandbox.docs) == ("other", "127.0.0.1", "")
    assert sandbox.recommended.port == 2525 and sandbox.recommended.security is Security.NONE
    assert not sandbox.needs_auth and sandbox.password_kind == "none"


# --- the loaded catalog -------------------------------------------------------------------


def test_load_is_cached_and_complete():
    catalog = load_catalog()
    assert catalog is load_catalog()
    assert len(catalog) == len(RAW) and [p.id for p in catalog] == IDS
    assert "sendgrid" in catalog and "nope" not in catalog
    with pytest.raises(KeyError):
        catalog.get("nope")


def test_provider_properties():
    sendgrid = load_catalog().get("sendgrid")
    assert sendgrid.default_host == "smtp.sendgrid.net"
    assert sendgrid.username_locked and sendgrid.needs_auth
    assert sendgrid.port_option(465) == PortOption(465, Security.TLS)
    assert sendgrid.port_option(465, Security.STARTTLS) is None
    assert sendgrid.port_option(1) is None
    assert sendgrid.needs()[0] == "A SendGrid API key with Mail Send permission"
    assert {sendgrid: 1}[sendgrid] == 1  # usable as a dict key despite the hosts dict


def test_port_option_prefers_encryption_on_a_shared_port():
    custom = load_catalog().get("custom")
    assert custom.port_option(25).security is Security.STARTTLS
    assert custom.port_option(25, Security.NONE).security is Security.NONE


def test_groups_in_order():
    groups = load_catalog().groups()
    assert [title for title, _ in groups] == list(GROUP_TITLES.values())
    assert sum(len(members) for _, members in groups) == len(RAW)
    for title, members in groups:
        assert all(GROUP_TITLES[p.group] == title for p in members)


def test_search():
    catalog = load_catalog()
    assert [p.id for p in catalog.search("SENDGRID")] == ["sendgrid"]
    assert catalog.get("gmail") in catalog.search("googlemail.com")  # by domain
    assert catalog.get("brevo") in catalog.search("sendinblue")  # by summary
    found = [p.id for p in catalog.search("mail")]
    assert found.index("mailgun") < found.index("brevo")  # name matches rank first
    assert catalog.search("") == list(catalog)
    assert catalog.search("zzzz-no-such-provider") == []


def test_for_email_domain():
    catalog = load_catalog()
    assert catalog.for_email_domain("gmail.com").id == "gmail"
    assert catalog.for_email_domain("Someone@Hotmail.com.").id == "outlook"
    assert catalog.for_email_domain("me.com").id == "icloud"
    assert catalog.for_email_domain("example.com") is None
    assert catalog.for_email_domain("") is None


def test_for_mx_host():
    catalog = load_catalog()
    assert catalog.for_mx_host("aspmx.l.google.com.").id == "google_workspace"
    assert catalog.for_mx_host("example-com.mail.protection.outlook.com").id == "microsoft365"
    assert catalog.for_mx_host("hotmail-com.olc.protection.outlook.com").id == "outlook"
    assert catalog.for_mx_host("IN1-SMTP.messagingengine.com").id == "fastmail"
    assert catalog.for_mx_host("mxa.eu.mailgun.org").id == "mailgun"
    assert catalog.for_mx_host("mail.example.com") is None
    assert catalog.for_mx_host("") is None


# --- explain(): generic meaning of a port and mode ---------------------------------------


@pytest.mark.parametrize(
    ("port", "security", "expected"),
    [
        (465, Security.TLS, "Implicit TLS: encrypted from the first byte (RFC 8314 recommends it)."),
        (587, Security.STARTTLS, "STARTTLS: the standard submission port; the connection is upgraded to TLS before login."),
        (2525, Security.STARTTLS, "An alternate port for networks that block 587 or 25."),
        (25, Security.STARTTLS, "Port 25 is the server-to-server relay port; ISPs and cloud hosts often block it."),
        (25, Security.NONE, "No encryption: the password and message travel in clear text. Only for a trusted local relay."),
        (465, Security.STARTTLS, "STARTTLS: the connection is upgraded to TLS before login."),
        (587, Security.TLS, "Implicit TLS: encrypted from the first byte."),
        (2465, Security.TLS, "Implicit TLS: encrypted from the first byte."),
        (1025, Security.NONE, "No encryption"),
    ],
)  # fmt: skip
def test_explain_generic(port, security, expected):
    assert expected in PortOption(port, security).explain()


def test_explain_appends_note():
    text = PortOption(2587, Security.STARTTLS, "Extra words.").explain()
    assert text.startswith("STARTTLS") and text.endswith(" Extra words.")


@given(
    port=st.integers(1, 65535),
    security=st.sampled_from(list(Security)),
    note=st.text(max_size=30),
)
def test_explain_never_infers_the_mode_from_the_number(port, security, note):
    text = PortOption(port, security, note).explain()
    says = {
        Security.TLS: "Implicit TLS" in text,
        Security.STARTTLS: "STARTTLS" in text,
        Security.NONE: "No encryption" in text,
    }
    assert says[security]
    # Modes other than the real one are never claimed (a note could mention one, so skip it).
    if not note:
        assert [mode for mode, said in says.items() if said] == [security]


@given(st.text(max_size=40))
def test_lookups_never_raise(text):
    catalog = load_catalog()
    assert all(p in catalog for p in (p.id for p in catalog.search(text)))
    catalog.for_email_domain(text)
    catalog.for_mx_host(text)


# --- the loader rejects a broken catalog with a clear message ---------------------------


def _mutated(change) -> str:
    data = {"providers": copy.deepcopy(RAW)}
    change(data["providers"])
    return tomli_w.dumps(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["sendgrid"]["ports"].append({"port": 465, "security": "ssl"}), "ports[4].security 'ssl'"),
        (lambda p: p["sendgrid"]["ports"].append({"port": 465, "security": "tls"}), "repeats port 465"),
        (lambda p: p["sendgrid"].update(recommended_port=2587), "recommended_port 2587"),
        (lambda p: p["sendgrid"].pop("docs"), "missing key(s) docs"),
        (lambda p: p["sendgrid"].update(doc="x"), "unknown key(s) doc"),
        (lambda p: p["sendgrid"].update(group="relay"), "group 'relay'"),
        (lambda p: p["sendgrid"]["username"].pop("value"), "username.value is required"),
        (lambda p: p["gmail"]["username"].update(value="me"), "username.value is required"),
        (lambda p: p["gmail"]["hosts"].update(default=""), "hosts may be empty only"),
        (lambda p: p["gmail"].update(docs="http://example.com"), "https://"),
        (lambda p: p["gmail"].update(oauth2="yes"), "oauth2 must be true or false"),
        (lambda p: p["gmail"]["ports"][0].update(port=True), "ports[0].port must be a whole number"),
        (lambda p: p["gmail"]["ports"][0].update(port=70000), "not between 1 and 65535"),
        (lambda p: p["gmail"]["password"].update(kind="password"), "password.kind 'password'"),
        (lambda p: p["gmail"]["password"].update(label=""), "password.label"),
        (lambda p: p["gmail"]["password"].update(kind="none"), 'both be "none"'),
        (lambda p: p["gmail"].update(domains=["gmail.com", ""]), "domains must be a list"),
        (lambda p: p.update({"Bad-Id": p["gmail"]}), "[providers.Bad-Id]"),
        (lambda p: p["gmail"].update(oauth2=False), "oauth needs oauth2 = true"),
        (lambda p: p["gmail"].update(oauth="yes"), "oauth must be a table"),
        (lambda p: p["gmail"]["oauth"].update(flow="x"), "oauth has unknown key(s) flow"),
        (lambda p: p["gmail"]["oauth"].pop("guide"), "oauth is missing key(s) guide"),
        (lambda p: p["gmail"]["oauth"].update(flow_provider="yahoo"), "oauth.flow_provider 'yahoo'"),
        (lambda p: p["gmail"]["oauth"].update(token_url="http://x.example/"), "oauth.token_url must be an https"),
        (lambda p: p["gmail"]["oauth"].update(authorize_url=""), "are required"),
        (lambda p: p["gmail"]["oauth"].update(scopes=["a b"]), "oauth.scopes"),
        (lambda p: p["gmail"]["oauth"].update(scopes=[]), "oauth.scopes"),
        (lambda p: p["gmail"]["oauth"].update(device_flow=True), "device_url must be set exactly"),
        (lambda p: p["gmail"]["oauth"].update(device_flow="no"), "device_flow must be true or false"),
        (lambda p: p["gmail"]["oauth"].update(default_tenant="common"), "default_tenant must be set exactly"),
        (lambda p: p["outlook"]["oauth"].update(default_tenant=""), "default_tenant must be set exactly"),
        (lambda p: p["outlook"]["oauth"].update(redirect_host="0.0.0.0"), "redirect_host"),
        (lambda p: p["outlook"]["oauth"].update(guide=1), "oauth.guide must be a string"),
    ],
)  # fmt: skip
def test_parse_rejects(change, message):
    with pytest.raises(CatalogError) as raised:
        parse_catalog(_mutated(change))
    assert message in str(raised.value)
    assert str(raised.value).startswith("providers.toml")


def test_parse_rejects_bad_toml_and_empty_catalog():
    with pytest.raises(CatalogError, match="not valid TOML"):
        parse_catalog("[providers.x\n")
    with pytest.raises(CatalogError, match="no \\[providers"):
        parse_catalog("")


def test_parse_round_trip():
    assert isinstance(parse_catalog(_mutated(lambda p: None)), ProviderCatalog)


def test_catalog_imports_no_ui_library():
    code = "import sys, smtp_setup.core.catalog.loader as c; c.load_catalog(); print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
