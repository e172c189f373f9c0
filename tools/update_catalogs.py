"""Re-extract the message template and merge it into every language's catalog.

    python tools/update_catalogs.py            # rewrite smtp_setup.pot, merge into each .po
    python tools/update_catalogs.py --check    # exit 1 when the .pot is out of date
    python tools/update_catalogs.py --init de  # start a new language: locale/de/.../*.po
    python tools/update_catalogs.py --todo ja > todo.json   # untranslated or fuzzy, as JSON
    python tools/update_catalogs.py --apply ja todo.json    # write translations back

`--todo` prints {"msgid": ""} (a plural: {"msgid": ["", ""]}; a context: "context\x04msgid");
fill the values and `--apply` sets them and clears their fuzzy marks.

The same with pybabel, from the repository root:

    pybabel extract -F babel.cfg --no-default-keywords -k _ -k ngettext:1,2 \
        -k pgettext:1c,2 -k N_ -c TRANSLATORS: -s --add-location=file \
        --project smtp-setup -o tui/smtp_setup/locale/smtp_setup.pot .
    pybabel update -i tui/smtp_setup/locale/smtp_setup.pot -d tui/smtp_setup/locale \
        -D smtp_setup --ignore-pot-creation-date

Merged messages whose English changed come back fuzzy (Babel's guess from the old
translation): review them and delete the `#, fuzzy` line; tests/test_translations.py fails
while a message is fuzzy or untranslated. A comment starting `# TRANSLATORS:` right above a
marked string reaches the translator. Needs Babel (a dependency of smtp-setup).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "tui" / "smtp_setup" / "locale"
TEMPLATE = LOCALE / "smtp_setup.pot"
DOMAIN = "smtp_setup"
KEYWORDS = {"_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}
HEADER = """\
# Messages of smtp-setup, extracted from the sources by tools/update_catalogs.py.
# Do not edit: translate in locale/<lang>/LC_MESSAGES/smtp_setup.po.
#"""


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract(output: Path) -> None:
    """Write a fresh template of every marked message to `output` (paths relative to the
    repository, file names without line numbers so that edits elsewhere do not churn it)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import write_po

    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    catalog = Catalog(project="smtp-setup", domain=DOMAIN, header_comment=HEADER,
                      charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(Path(filename).as_posix(), lineno)],
                    auto_comments=comments, context=context)
    with output.open("wb") as file:
        write_po(file, catalog, include_lineno=False)


def message_ids(pot: Path) -> set[tuple[str | None, object]]:
    """(context, msgid) of every message in a template or catalog."""
    from babel.messages.pofile import read_po

    with pot.open("rb") as file:
        return {(message.context, message.id) for message in read_po(file) if message.id}


def _body(path: Path) -> list[str]:
    """The file without its creation date, which changes on every extraction."""
    return [line for line in path.read_text("utf-8").splitlines()
            if not line.startswith('"POT-Creation-Date:')]


def _catalog_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _key(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def todo(lang: str) -> dict[str, object]:
    """The messages of `lang` still untranslated or fuzzy, keyed as `apply` expects."""
    from babel.messages.pofile import read_po

    with _catalog_path(lang).open("rb") as file:
        catalog = read_po(file)
    return {_key(m): (["" for _ in m.string] if isinstance(m.string, tuple) else "")
            for m in catalog if m.id and (m.fuzzy or not all(
                m.string if isinstance(m.string, tuple) else [m.string]))}


def apply(lang: str, translations: dict[str, object]) -> list[str]:
    """Set the given translations (clearing fuzzy); returns the keys not in the catalog."""
    from babel.messages.pofile import read_po, write_po

    path = _catalog_path(lang)
    with path.open("rb") as file:
        catalog = read_po(file)
    by_key = {_key(m): m for m in catalog if m.id}
    for key, string in translations.items():
        if key in by_key and string:
            message = by_key[key]
            message.string = tuple(string) if isinstance(string, list) else string
            message.flags.discard("fuzzy")
    with path.open("wb") as file:
        write_po(file, catalog, include_lineno=False, width=76)
    return sorted(set(translations) - set(by_key))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report an outdated .pot")
    parser.add_argument("--init", metavar="LANG", help="create the catalog of a new language")
    parser.add_argument("--todo", metavar="LANG", help="print what LANG lacks, as JSON")
    parser.add_argument("--apply", nargs=2, metavar=("LANG", "FILE"),
                        help="set the translations of a JSON file like --todo's")
    args = parser.parse_args(argv)
    if args.todo:
        print(json.dumps(todo(args.todo), ensure_ascii=False, indent=1))
        return 0
    if args.apply:
        lang, source = args.apply
        unknown = apply(lang, json.loads(Path(source).read_text("utf-8")))
        for key in unknown:
            print(f"not in the catalog: {key!r}", file=sys.stderr)
        return int(bool(unknown))
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "smtp_setup.pot"
        extract(fresh)
        changed = not TEMPLATE.exists() or _body(fresh) != _body(TEMPLATE)
        if args.check:
            if changed:
                print(f"{TEMPLATE.relative_to(ROOT)} is out of date: run {sys.argv[0]}")
            return int(changed)
        if changed:  # keep the old file (and its date) when nothing else changed
            TEMPLATE.write_bytes(fresh.read_bytes())
    if args.init:
        _pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALE), "-D", DOMAIN, "-l", args.init)
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALE), "-D", DOMAIN,
             "--ignore-pot-creation-date", "--ignore-obsolete")  # git keeps the old ones
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
