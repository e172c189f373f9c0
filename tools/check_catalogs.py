"""Check every translation catalog against the template, as Mercurial's
check-translation.py does for its .po files.

    python tools/check_catalogs.py     # prints each problem; exit 1 when there is one

A catalog passes when every message of `smtp_setup.pot` has a translation (every plural
form filled), none is fuzzy, each translation keeps exactly the named `{placeholders}` of
its English (no positional `{}`/`{0}`, no %-formatting), and it holds no message the
template no longer has. The one exception to "no %-formatting": argparse's own words
(ARGPARSE_MSGIDS, listed for extraction in smtp_setup/cli/argparse_words.py), which argparse
fills with `%`; their translations must keep exactly the same %-placeholders. tests/test_translations.py runs the same checks.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from string import Formatter

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "tui" / "smtp_setup" / "locale"
TEMPLATE = LOCALE / "smtp_setup.pot"
PERCENT_FORMAT = re.compile(r"%(\(\w+\))?[-#0 +]*\d*(\.\d+)?[sdifrx]")
# argparse's own %-style msgids (its headings and errors go through our catalog): the only
# messages allowed %-placeholders, and their translations must keep the same ones.
ARGPARSE_MSGIDS = frozenset({
    "%(prog)s: error: %(message)s\n",
    "argument %(argument_name)s: %(message)s",
    "unrecognized arguments: %s",
    "the following arguments are required: %s",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "invalid %(type)s value: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s",
    "not allowed with argument %s",
    "ignored explicit argument %r",
    "one of the arguments %s is required",
    "unexpected option string: %s",
    "can't open '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)",
})


def percent_placeholders(text: str) -> list[str]:
    """The %-placeholders of an argparse message, sorted (`['%(prog)s', '%s']`)."""
    return sorted(match.group(0) for match in PERCENT_FORMAT.finditer(text))


def placeholders(text: str) -> set[str]:
    """The named fields of a `str.format` string; ValueError for a broken or positional one."""
    names = set()
    for _literal, field, _spec, _conversion in Formatter().parse(text):
        if field is None:
            continue
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if not name or name.isdigit():
            raise ValueError(f"positional placeholder {{{field}}}: name it")
        names.add(name)
    return names


def read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return read_po(file)


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/smtp_setup.po"))


def template_problems(template=None) -> list[str]:
    """Problems of the English messages themselves (style of placeholders)."""
    template = read(TEMPLATE) if template is None else template
    problems = []
    for message in template:
        if not message.id:
            continue
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            try:
                placeholders(text)
            except ValueError as exc:
                problems.append(f"smtp_setup.pot: {text!r}: {exc}")
            if PERCENT_FORMAT.search(text) and text not in ARGPARSE_MSGIDS:
                problems.append(f"smtp_setup.pot: {text!r}: use {{name}}, not %-formatting")
    return problems


def catalog_problems(po_path: Path, template=None) -> list[str]:
    """Everything wrong with one language's catalog, one line each."""
    template = read(TEMPLATE) if template is None else template
    catalog = read(po_path)
    where = po_path.relative_to(LOCALE).parts[0]
    problems = []
    if not catalog.plural_forms or "nplurals" not in catalog.plural_forms:
        problems.append(f"{where}: no Plural-Forms header")
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        label = f"{where}: {key!r}" + (f" (context {message.context!r})" if message.context else "")
        translated = catalog.get(key, context=message.context)
        if translated is None or not translated.string or (
            isinstance(translated.string, tuple) and not all(translated.string)
        ):
            problems.append(f"{label}: not translated")
            continue
        if translated.fuzzy:
            problems.append(f"{label}: fuzzy (review it, then remove the fuzzy flag)")
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        if len(english) > 1 and not isinstance(translated.string, tuple):
            problems.append(f"{label}: needs plural forms (msgstr[0]...)")
            continue
        forms = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if key in ARGPARSE_MSGIDS and any(
                percent_placeholders(form) != percent_placeholders(key) for form in forms):
            problems.append(f"{label}: argparse fills {percent_placeholders(key)} with %; "
                            "keep exactly those")
        if len(english) > 1 and len(forms) != catalog.num_plurals:
            problems.append(f"{label}: {len(forms)} plural forms, the header says "
                            f"{catalog.num_plurals}")
        try:
            names = [placeholders(text) for text in english]
            allowed = set().union(*names)
            for form in forms:
                got = placeholders(form)
                if len(english) == 1 and got != allowed:
                    problems.append(f"{label}: placeholders {sorted(got)}, the English has "
                                    f"{sorted(allowed)}")
                elif not got <= allowed:
                    problems.append(f"{label}: unknown placeholders {sorted(got - allowed)}")
            if len(english) > 1 and not names[-1] <= set().union(*map(placeholders, forms)):
                problems.append(f"{label}: drops placeholders {sorted(names[-1])}")
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0] if message.id else ""
        if key and (message.context, key) not in wanted:
            problems.append(f"{where}: {key!r} is not in the template any more "
                            "(run tools/update_catalogs.py)")
    return problems


def main() -> int:
    template = read(TEMPLATE)
    problems = template_problems(template)
    for path in catalogs():
        problems += catalog_problems(path, template)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
