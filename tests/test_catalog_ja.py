"""The provider catalog in Japanese: its texts are data in providers.ja.toml beside it, a
text left out stays English for that entry alone, and a translation that no longer fits the
catalog is refused."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w
from smtp_setup import i18n
from smtp_setup.core.catalog.loader import (
    CatalogError,
    PortOption,
    load_catalog,
    translate_catalog,
)
from smtp_setup.core.profiles.model import Security
from support.cli import cli_env, run

CATALOG = Path(__file__).resolve().parent.parent / "tui" / "smtp_setup" / "core" / "catalog"
JA = CATALOG / "providers.ja.toml"
TEXTS = ("name", "summary", "host_label", "username_hint", "password_label", "password_hint",
         "requirements", "hints")  # fmt: skip


def _japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def _english():
    i18n.set_language("en")
    return load_catalog()


def test_every_provider_reads_japanese():
    english = _english()
    i18n.set_language("ja")
    japanese = load_catalog()
    assert [p.id for p in japanese] == [p.id for p in english]
    for en, ja in zip(english, japanese, strict=True):
        assert _japanese(ja.summary), ja.id
        for field in TEXTS:
            before, after = getattr(en, field), getattr(ja, field)
            if field == "name" and not _japanese(after):
                assert after == before  # brand names stay as they are
                continue
            texts = zip(before, after, strict=True) if isinstance(before, tuple) else [
                (before, after)]
            for one_en, one_ja in texts:
                assert bool(one_en) == bool(one_ja), (ja.id, field)
                assert not one_ja or _japanese(one_ja), (ja.id, field, one_ja)
        for option_en, option_ja in zip(en.ports, ja.ports, strict=True):
            assert (option_ja.port, option_ja.security) == (option_en.port, option_en.security)
            assert not option_en.note or _japanese(option_ja.note), (ja.id, option_ja.port)
        # what identifies and connects never changes with the language
        for field in ("hosts", "recommended_port", "username_kind", "username_value",
                      "password_kind", "docs", "domains", "mx_patterns", "oauth"):
            assert getattr(ja, field) == getattr(en, field), (ja.id, field)
    assert [title for title, _ in japanese.groups()] == [
        "トランザクションメール配信サービス", "メールボックスのプロバイダー", "その他"]


def test_english_is_untouched_after_japanese():
    i18n.set_language("ja")
    load_catalog()
    gmail = _english().get("gmail")
    assert gmail.summary == "Google's personal mail (@gmail.com)"
    assert _english().groups()[0][0] == "Transactional email services"


def test_a_text_left_out_stays_english_for_that_entry_only(tmp_path):
    data = tomllib.loads(JA.read_text("utf-8"))
    del data["providers"]["gmail"]["summary"]
    del data["providers"]["brevo"]
    path = tmp_path / "providers.ja.toml"
    path.write_text(tomli_w.dumps(data), "utf-8")
    english = _english()
    catalog = translate_catalog(english, path)
    gmail = catalog.get("gmail")
    assert gmail.summary == english.get("gmail").summary
    assert _japanese(gmail.password_hint) and _japanese(gmail.hints[0])
    assert catalog.get("brevo") == english.get("brevo")
    assert catalog.get("brevo").summary == english.get("brevo").summary
    assert _japanese(catalog.get("yahoo").summary)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(nosuch={"summary": "x"}), "nosuch.*no such provider"),
    (lambda d: d["gmail"].update(summery="x"), "providers.gmail.*unknown field.*summery"),
    (lambda d: d["gmail"].update(docs="https://example.com"), "unknown field.*docs"),
    (lambda d: d["gmail"].update(username={"value": "x"}), "username is a table of hint"),
    (lambda d: d["gmail"].update(hints=["ひとつだけ"]), "hints must be a list of 3"),
    (lambda d: d["gmail"].update(summary=""), "summary must be a non-empty string"),
    (lambda d: d["gmail"].update(host_label="サービス"), "host_label has no English"),
    (lambda d: d["gmail"].update(port_notes={"2525": "x"}), "no port 2525"),
    (lambda d: d["gmail"].update(port_notes={"465": "x"}), "port 465 has no single note"),
])  # fmt: skip
def test_a_translation_that_does_not_fit_is_refused(tmp_path, edit, message):
    data = tomllib.loads(JA.read_text("utf-8"))
    edit(data["providers"])
    path = tmp_path / "providers.ja.toml"
    path.write_text(tomli_w.dumps(data), "utf-8")
    with pytest.raises(CatalogError, match=message):
        translate_catalog(_english(), path)


def test_port_explanations_speak_japanese():
    i18n.set_language("ja")
    assert "RFC 8314" in PortOption(465, Security.TLS).explain()
    assert PortOption(2525, Security.STARTTLS).explain().startswith("587 や 25")
    note = load_catalog().get("fastmail").port_option(587).explain()
    assert note == ("STARTTLS: 標準のメール送信用ポートです。ログインの前に接続を TLS に"
                    "切り替えます。使用できますが、Fastmail は 465 を推奨しています。")


def test_english_never_reads_the_translation():
    script = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == 'open' else None)\n"
        "from smtp_setup.core.catalog.loader import load_catalog\n"
        "assert len(load_catalog()) > 20\n"
        "print(sum(name.endswith('providers.ja.toml') for name in opened))\n"
    )
    for lang, reads in (("en", "0"), ("ja", "1")):
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=cli_env({"SMTP_SETUP_LANG": lang}), timeout=60)
        assert proc.stdout.strip() == reads, (lang, proc.stderr)


def test_cli_lists_providers_in_japanese():
    text = run("--lang", "ja", "providers")
    assert text.returncode == 0, text.stderr
    assert "トランザクションメール配信サービス" in text.stdout
    assert "その他の SMTP サーバー" in text.stdout
    ja = json.loads(run("--lang", "ja", "providers", "--json").stdout)
    en = json.loads(run("providers", "--json").stdout)

    def shape(groups):
        return [(sorted(g), [(sorted(p), p["id"], p["ports"]) for p in g["providers"]])
                for g in groups]

    assert shape(ja) == shape(en)  # keys, ids and ports stay stable for scripts
    summaries = {p["id"]: p["summary"] for g in ja for p in g["providers"]}
    assert all(_japanese(summary) for summary in summaries.values())


async def test_the_wizard_shows_the_catalog_in_japanese(tmp_path, monkeypatch):
    from smtp_setup.app import build_wizard
    from textual.widgets import OptionList, Static
    from wizard_driver import go_to

    monkeypatch.setenv("SMTP_SETUP_LANG", "ja")
    app = build_wizard(config_path=tmp_path / "config.toml")
    async with app.run_test(size=(100, 32)) as pilot:
        await go_to(app, pilot, "provider")
        plist = app.screen.query_one("#provider-list", OptionList)
        plist.highlighted = next(i for i, o in enumerate(plist.options) if o.id == "gmail")
        await pilot.pause()
        detail = str(app.screen.query_one("#provider-detail", Static).content)
        assert "Google の個人向けメール（@gmail.com）" in detail
        assert "Gmail のアプリパスワード" in detail


@pytest.mark.parametrize("topic", ["sender", "recipient", "login"])
def test_a_diagnosis_picks_the_same_hints_in_both_languages(topic):
    """Hints are chosen by their English words; a Japanese run shows the same ones, in
    Japanese (it once lost the SendGrid EU hint: its Japanese has no word "region")."""
    from smtp_setup.core.catalog.advice import hints_about
    from smtp_setup.core.profiles.model import Profile

    chosen = {}
    for language in ("en", "ja"):
        i18n.set_language(language)
        try:
            chosen[language] = {
                p.id: hints_about(Profile(name="p", provider=p.id, host="smtp.example.com",
                                          port=587, from_email="a@example.com"), topic)
                for p in load_catalog()}
        finally:
            i18n.set_language("en")
    assert {k: len(v) for k, v in chosen["ja"].items()} == {
        k: len(v) for k, v in chosen["en"].items()}
    assert any(chosen["en"].values())
    assert all(_japanese(hint) for hints in chosen["ja"].values() for hint in hints)


def test_the_english_name_finds_a_provider_in_japanese():
    """The README says "Other SMTP server": typing "other" in the Japanese wizard finds it,
    as its Japanese name does."""
    i18n.set_language("ja")
    try:
        catalog = load_catalog()
        assert [p.id for p in catalog.search("other smtp")] == ["custom"]
        assert [p.id for p in catalog.search("その他")] == ["custom"]
        assert "sandbox" in [p.id for p in catalog.search("local sandbox")]
    finally:
        i18n.set_language("en")
