"""Translations: which language speaks, and the functions that mark and translate text.

Importable by core, app and cli alike: it imports only `os` and `typing` (never textual,
rich or Babel), so `smtp-setup --version` pays nothing for it. English is the source
language and never loads anything; another language's catalog is read on the first message
translated into it.

Which language (the first rule that gives one wins; never `locale.setlocale`, so a machine
without the `ja_JP.UTF-8` locale installed still gets Japanese):

1. `set_language(code)`: the CLI's `--lang`, read from the arguments before the parser is
   built (argparse builds its help text at construction).
2. `SMTP_SETUP_LANG`.
3. `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`: the first one that is not empty, read the way
   Python's `gettext.find` reads them. Its value may be a colon list (`LANGUAGE=fr:ja`): the
   first entry we have a catalog for wins. `ja_JP.UTF-8`, `ja-JP` and `ja` all mean `ja`;
   `C` and `POSIX` (also `C.UTF-8`) mean English.
4. English. Anything unknown falls back to English silently.

Marking text (Babel extracts these keywords: `_`, `ngettext`, `pgettext`, `N_`):

- `_("text")` translates now. Use it inside functions, where the text is shown.
- `ngettext("{count} profile", "{count} profiles", count)` where a count appears.
- `pgettext("context", "text")` when one short English word means two things.
- `N_("text")` for module- and class-level constants (step names, binding descriptions):
  it returns a `LazyText` that translates each time it becomes a `str` (`str()`, f-string,
  `.format()`), so the language chosen at run time applies, not the one at import. This is
  Sphinx's lazy proxy (`sphinx.locale._TranslationProxy`). A `LazyText` is deliberately
  not a `str`: code that needs text calls `str(...)`, and one that was forgotten fails
  loudly (Rich refuses it) instead of quietly showing English.

Placeholders are named braces, filled after translating:
`_("Profile {name} saved.").format(name=name)`. Never positional (`{}`, `{0}`), never
%-formatting, never sentences built by concatenation: a translator may reorder the words
but must keep every `{name}` (tests/test_translations.py checks). Literal braces: `{{ }}`.

Catalogs: `locale/<lang>/LC_MESSAGES/smtp_setup.po`, read at run time with Babel's po
reader and compiled in memory into a standard `gettext.GNUTranslations` (gettext's lookup
and plural rules). No compiled `.mo` is shipped, so a wheel and `pip install -e .` carry
the same files and a translator's edit shows at once. A message missing or fuzzy in a
catalog falls back to English for that message alone. A new language is one new `.po`
file; `tools/update_catalogs.py` re-extracts `smtp_setup.pot` and merges it into each.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself costs start-up time on every command
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

DOMAIN = "smtp_setup"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order
OVERRIDE_VARIABLE = "SMTP_SETUP_LANG"
_C_LOCALES = frozenset({"c", "posix"})

_chosen: str | None = None  # set_language(); None: decide from the environment
_from_environment: dict[tuple[str, ...], str] = {}  # environment values -> language
_available: tuple[str, ...] | None = None
_catalogs: dict[str, Any] = {}  # language -> gettext.(GNU|Null)Translations


# -- which language ------------------------------------------------------------------


def available_languages() -> tuple[str, ...]:
    """English, then every language that has a catalog, e.g. `("en", "ja")`."""
    global _available
    if _available is None:
        try:
            names = sorted(os.listdir(LOCALE_DIR))
        except OSError:
            names = []
        found = [
            name for name in names
            if name != SOURCE_LANGUAGE
            and os.path.isfile(os.path.join(LOCALE_DIR, name, "LC_MESSAGES", f"{DOMAIN}.po"))
        ]
        _available = (SOURCE_LANGUAGE, *found)
    return _available


def normalize_language(code: str) -> str | None:
    """The language we speak for a locale name, or None when we have no catalog for it.

    `ja_JP.UTF-8`, `ja-JP`, `JA` -> `ja`; `C`, `POSIX`, `C.UTF-8` -> `en`; `fr_FR` -> None
    (until there is a French catalog). A catalog for a region (`zh_TW`) wins over its
    language (`zh`).
    """
    name = code.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not name:
        return None
    if name.lower() in _C_LOCALES:
        return SOURCE_LANGUAGE
    by_lower = {lang.lower(): lang for lang in available_languages()}
    return by_lower.get(name.lower()) or by_lower.get(name.split("_", 1)[0].lower())


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: SMTP_SETUP_LANG, else gettext's variables."""
    environ = os.environ if environ is None else environ
    override = environ.get(OVERRIDE_VARIABLE, "").strip()
    if override:
        return _first_known(override)
    for variable in LANGUAGE_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:  # the first non-empty variable decides, as in gettext
            return _first_known(value)
    return SOURCE_LANGUAGE


def _first_known(value: str) -> str:
    for entry in value.split(":"):
        language = normalize_language(entry)
        if language:
            return language
    return SOURCE_LANGUAGE


def language_from_argv(argv: Sequence[str]) -> str | None:
    """The value of `--lang CODE` / `--lang=CODE` in command-line arguments, if given.

    Read before argparse runs, so that the parser's help texts are built in that language.
    """
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def set_language(code: str | None) -> str:
    """Speak `code` from now on (unknown codes: English); None goes back to the environment.

    Returns the language now in use.
    """
    global _chosen
    _chosen = None if code is None else (normalize_language(code) or SOURCE_LANGUAGE)
    return current_language()


def current_language() -> str:
    """The language messages are translated into right now, e.g. `"ja"`."""
    if _chosen is not None:
        return _chosen
    # Keyed by the variables' values: a test that changes the environment is seen at once.
    key = tuple(os.environ.get(name, "") for name in (OVERRIDE_VARIABLE, *LANGUAGE_VARIABLES))
    language = _from_environment.get(key)
    if language is None:
        language = _from_environment[key] = language_from_environment()
    return language


# -- the catalogs ----------------------------------------------------------------------


def catalog_path(language: str) -> str:
    """Where the `.po` file of a language lives (it need not exist)."""
    return os.path.join(LOCALE_DIR, language, "LC_MESSAGES", f"{DOMAIN}.po")


def _translations(language: str) -> Any:
    translations = _catalogs.get(language)
    if translations is None:
        translations = _catalogs[language] = _load(language)
    return translations


def _load(language: str) -> Any:
    """Read a `.po` with Babel and compile it in memory for the standard gettext module."""
    import gettext
    import io

    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with open(catalog_path(language), "rb") as po:
            catalog = read_po(po, locale=language, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)  # leaves out fuzzy and untranslated messages
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)
    except (OSError, ValueError, ImportError):
        # A missing or broken catalog must not stop the program: English it is.
        return gettext.NullTranslations()


# -- marking and translating -----------------------------------------------------------


def gettext(message: str) -> str:
    """`message` in the current language (itself when English or not yet translated)."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return message
    return _translations(language).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` in the current language; fill `{count}` with `.format()`."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return singular if count == 1 else plural
    return _translations(language).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` translated in a context (`pgettext("step", "Test")`)."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return message
    return _translations(language).pgettext(context, message)


class LazyText:
    """A marked message translated each time it is used (see `N_`)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def format(self, **names: Any) -> str:
        """Translate, then fill the named placeholders."""
        return str(self).format(**names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyText) and other.message == self.message

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return f"N_({self.message!r})"


def N_(message: str) -> LazyText:  # noqa: N802 - the name gettext tools know
    """Mark a constant for translation; it is translated when used, in the language then."""
    return LazyText(message)


__all__ = [
    "LazyText", "N_", "_", "available_languages", "current_language", "gettext",
    "language_from_argv", "language_from_environment", "listing", "ngettext",
    "normalize_language", "pgettext", "sentences", "set_language",
]


def sentences(parts: Sequence[str]) -> str:
    """Whole sentences one after another, as the language writes them: English puts a
    space between them, Japanese none (「…しました。…しました。」)."""
    # TRANSLATORS: what goes between two whole sentences: SPACE for a space (English),
    # NONE for nothing (Japanese), else the characters themselves
    between = pgettext("between sentences", "SPACE")
    return {"SPACE": " ", "NONE": ""}.get(between, between).join(parts)


def listing(items: Sequence[Any], word: str = "and") -> str:
    """Words in a list, as the language lists them: "a", "a and b", "a, b and c" in
    English, 「a、b、c」 in Japanese (`word="or"`: "a, b or c", 「a、b、c のいずれか」)."""
    texts = [str(item) for item in items]
    if len(texts) < 2:
        return "".join(texts)
    # TRANSLATORS: between the items of a list but the last two ("a, b and c")
    between = pgettext("between list items", ", ")
    if word == "or":
        return _("{items} or {last}").format(items=between.join(texts[:-1]), last=texts[-1])
    # TRANSLATORS: the last two items of a list ("a, b and c": items is "a, b")
    return _("{items} and {last}").format(items=between.join(texts[:-1]), last=texts[-1])
