"""Every text a person reads is marked for translation: a scan of the whole package.

Two scans of the source, module by module (the whole `smtp_setup` package; the few modules
whose text is not for people are listed in NOT_FOR_PEOPLE with the reason):

1. words handed straight to something that shows them (`Static("...")`, `notify("...")`,
   `print(...)`, a Binding's description, an argparse `help=`...);
2. any other string literal that reads as a phrase (three words or more), unless marked
   (`_`, `N_`, `ngettext`, `pgettext`), a docstring, a logging call's text, CSS, a value
   compared against (a library's own words, e.g. aiosmtplib's "Response too long"), or on a
   line that says why it is not shown: `# i18n: <reason>` (a command to copy, protocol text).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tui" / "smtp_setup"

NOT_FOR_PEOPLE = {
    # The files written for other programs: their comments stay English, so that a profile
    # exports the same bytes on every machine and in every language; their refusals (raised
    # as ExportProblem) are marked and checked by the scan (see formats.py, values.py).
    "core/exports/": "file contents for other programs",
    "core/debug_log.py": "the --debug log is for bug reports, kept in English",
    # The provider catalog ships with the package: its validation errors reach the people who
    # edit providers.toml and its translations, never a user.
    "core/catalog/loader.py": "catalog validation, for the catalog's editors",
    "core/catalog/translation.py": "catalog validation, for the catalog's translators",
    "cli/argparse_words.py": "argparse's own messages, listed for extraction",
}
REFUSALS_IN_EXPORTS = ("core/exports/formats.py", "core/exports/values.py")

SHOWN_BY = {"Static", "Label", "Button", "notify", "print", "append", "update", "Text",
            "UsageError", "Binding"}
SHOWN_AS = {"help", "description", "title", "label", "message"}
MARKERS = {"_", "N_", "ngettext", "pgettext"}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical"}
PHRASE = re.compile(r"[A-Za-z][a-z']* [a-z']+ [a-z']+")
REASON = re.compile(r"#\s*i18n:\s*\S")


def _modules() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in REFUSALS_IN_EXPORTS or not any(rel.startswith(p) for p in NOT_FOR_PEOPLE):
            found.append(rel)
    return found


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _strings(node: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _excused(tree: ast.Module) -> set[int]:
    """ids of the literals that are not for people by their place in the code."""
    excused: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
                _call_name(node) in MARKERS | LOGGING or _call_name(node) == "compile"):
            excused.update(id(n) for n in _strings(node))
        elif isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                excused.add(id(body[0].value))
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in {"DEFAULT_CSS", "CSS"} for t in node.targets):
            excused.update(id(n) for n in _strings(node.value))
        elif isinstance(node, ast.Compare):
            excused.update(id(n) for n in _strings(node))
    return excused


def _shown_unmarked(tree: ast.Module, rel: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _call_name(node) not in SHOWN_BY:
            continue
        shown = node.args[2:] if _call_name(node) == "Binding" else node.args  # not key, action
        for arg in [*shown, *(k.value for k in node.keywords if k.arg in SHOWN_AS)]:
            parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
            for part in parts:
                if isinstance(part, ast.Constant) and isinstance(part.value, str) and any(
                        ch.isalpha() for ch in part.value):
                    found.append((node.lineno, f"{rel}:{node.lineno}: shown unmarked: "
                                                f"{part.value!r}"))
    return [text for _line, text in sorted(found)]


def _said_above(lines: list[str], node: ast.AST) -> bool:
    """A comment line `# i18n: why` right above the statement or literal."""
    above = lines[node.lineno - 2] if node.lineno > 1 else ""
    return above.lstrip().startswith("#") and bool(REASON.search(above))


def _reason_given(lines: list[str], node: ast.Constant, statements: list[ast.stmt]) -> bool:
    """`# i18n: why` on the literal's lines, or right above it or above a statement (a
    function, a return...) that holds it."""
    return _said_above(lines, node) or any(
        REASON.search(lines[n - 1]) for n in range(node.lineno, (node.end_lineno or 0) + 1)
    ) or any(id(node) in {id(n) for n in _strings(s)} for s in statements)


def _phrases(tree: ast.Module, rel: str, lines: list[str]) -> list[str]:
    excused = _excused(tree)
    explained = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and _said_above(lines, n)]
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in excused and PHRASE.search(node.value)
                and not _reason_given(lines, node, explained)):
            found.append((node.lineno, f"{rel}:{node.lineno}: {node.value[:80]!r}"))
    return [text for _line, text in sorted(found)]


@pytest.mark.parametrize("rel", _modules())
def test_every_text_for_people_is_marked(rel):
    source = (PACKAGE / rel).read_text("utf-8")
    tree = ast.parse(source)
    found = _shown_unmarked(tree, rel) + _phrases(tree, rel, source.splitlines())
    assert not found, "mark these with _() / N_(), or say why not with # i18n: ...\n" + \
        "\n".join(found)


def test_the_scan_finds_what_it_should(tmp_path):
    source = '''
"""Module docstring is fine."""
import logging
from textual.widgets import Static
from smtp_setup.i18n import _
log = logging.getLogger(__name__)
def f(reply):
    """A docstring is fine."""
    log.warning("a log line is fine here")
    if reply == "Response too long":  # a library's own words
        pass
    Static(_("Marked text is fine"))
    Static("Shown")
    raise ValueError("the server did not answer")
EXAMPLE = "pass show smtp/work"  # i18n: a command to copy
# i18n: protocol text
REPLY = "250 2.0.0 Ok: queued as message"
UNSAID = "250 2.0.0 Ok: this one has no reason"
# i18n: file comments
def comment():
    return "# written by a program for a program"
'''
    tree = ast.parse(source)
    found = _shown_unmarked(tree, "x.py") + _phrases(tree, "x.py", source.splitlines())
    assert found == ["x.py:13: shown unmarked: 'Shown'",
                     "x.py:14: 'the server did not answer'",
                     "x.py:18: '250 2.0.0 Ok: this one has no reason'"]


def test_the_exemptions_name_real_files():
    for rel in [*NOT_FOR_PEOPLE, *REFUSALS_IN_EXPORTS]:
        assert (PACKAGE / rel).exists(), rel
