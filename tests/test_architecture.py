"""The tree's rules, read from the source: which core subpackage may import which, no import
circles, nothing in core imports the app or the CLI, no module over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tui" / "smtp_setup"
CORE = "smtp_setup.core"

# What each core subpackage may import from the rest of core (its own modules always).
# Modules directly in core/ (doctor, debug_log) sit above the subpackages and may use any.
ALLOWED = {
    "profiles": set(),
    "catalog": {"profiles"},
    "exports": {"profiles"},
    "oauth": {"profiles", "catalog"},
    "dns": {"profiles", "catalog"},
    "smtp": {"profiles", "catalog", "oauth", "dns"},
    "discovery": {"profiles", "catalog", "smtp", "dns"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every smtp_setup module this one imports, at the top or inside a function."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".") if is_package else name.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [base, *(f"{base}.{a.name}" for a in node.names)]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    # a package's __init__ is not a dependency of its own modules, nor they of it
    return {t for t in found if not (name.startswith(t + ".") or t.startswith(name + "."))}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _area(module: str) -> str | None:
    """The core subpackage a module belongs to (None outside core or directly in it)."""
    parts = module.split(".")
    if parts[:2] != ["smtp_setup", "core"] or len(parts) < 3:
        return None
    candidate = ".".join(parts[:3])
    return parts[2] if MODULES[candidate].name == "__init__.py" else None


def test_every_subpackage_is_known():
    areas = {_area(m) for m in MODULES} - {None}
    assert areas == set(ALLOWED)


@pytest.mark.parametrize("area", sorted(ALLOWED))
def test_core_dependencies_run_one_way(area):
    wrong = sorted(
        f"{m} imports {t}"
        for m, targets in GRAPH.items() if _area(m) == area
        for t in targets
        if t.startswith(CORE + ".") and _area(t) not in {area, *ALLOWED[area]}
    )
    assert not wrong, "\n".join(wrong)


def test_core_never_imports_the_app_or_the_cli():
    wrong = sorted(
        f"{m} imports {t}" for m, targets in GRAPH.items() if m.startswith(CORE)
        for t in targets if t.startswith(("smtp_setup.app", "smtp_setup.cli"))
    )
    assert not wrong, "\n".join(wrong)


def test_cli_command_modules_do_not_import_each_other():
    shared = {"smtp_setup.cli", "smtp_setup.cli.parser", "smtp_setup.cli.output",
              "smtp_setup.cli.sending"}
    wrong = sorted(
        f"{m} imports {t}" for m, targets in GRAPH.items()
        if m.startswith("smtp_setup.cli.") and m not in shared
        for t in targets if t.startswith("smtp_setup.cli") and t not in shared
    )
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not circles, circles


def test_no_module_over_400_lines():
    long = sorted(
        f"{p.relative_to(PACKAGE)}: {n}" for p in MODULES.values()
        if (n := len(p.read_text("utf-8").splitlines())) > 400
    )
    assert not long, long
