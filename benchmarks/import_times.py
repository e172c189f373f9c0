"""Read `python -X importtime` output: which modules were imported, and what each cost."""

from __future__ import annotations

import statistics
import subprocess
from dataclasses import dataclass

PREFIX = "import time:"


@dataclass
class ImportCost:
    """One module's import: its own time, its time with its imports, who imported it."""

    module: str
    self_us: int
    cumulative_us: int
    parent: str | None


def parse(stderr: str) -> dict[str, ImportCost]:
    """Modules from importtime lines, with the module that imported each.

    importtime prints a module after everything it imported (post-order), indented two
    spaces per level, so a line's children are the pending lines one level deeper.
    """
    costs: dict[str, ImportCost] = {}
    pending: dict[int, list[str]] = {}
    for line in stderr.splitlines():
        if not line.startswith(PREFIX) or "self [us]" in line:
            continue
        self_us, cumulative_us, name_field = line[len(PREFIX) :].split("|", 2)
        name = name_field.lstrip()
        level = (len(name_field) - len(name) - 1) // 2
        for child in pending.pop(level + 1, []):
            costs[child].parent = name
        costs[name] = ImportCost(name, int(self_us), int(cumulative_us), None)
        pending.setdefault(level, []).append(name)
    return costs


def profile(cmd: list[str], env: dict[str, str], runs: int = 3) -> dict[str, ImportCost]:
    """Run `cmd` (a python command line) `runs` times under -X importtime; median costs.

    `cmd[0]` must be the interpreter; -X importtime is inserted after it.
    """
    samples: list[dict[str, ImportCost]] = []
    for _ in range(runs):
        done = subprocess.run(
            [cmd[0], "-X", "importtime", *cmd[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        samples.append(parse(done.stderr))
    merged: dict[str, ImportCost] = {}
    for name, first in samples[0].items():
        seen = [s[name] for s in samples if name in s]
        merged[name] = ImportCost(
            name,
            int(statistics.median(c.self_us for c in seen)),
            int(statistics.median(c.cumulative_us for c in seen)),
            first.parent,
        )
    return merged


def top_level(module: str) -> str:
    return module.split(".", 1)[0]


def by_package(costs: dict[str, ImportCost]) -> dict[str, int]:
    """Self time summed per top-level package, in microseconds."""
    totals: dict[str, int] = {}
    for cost in costs.values():
        key = top_level(cost.module)
        totals[key] = totals.get(key, 0) + cost.self_us
    return totals


def extra_costs(
    ours: dict[str, ImportCost], base: dict[str, ImportCost]
) -> list[tuple[ImportCost, int]]:
    """Modules only `ours` imports, each with its exclusive cost, largest first.

    The exclusive cost (microseconds) is the module's own time plus that of everything
    below it that `base` does not import either (and that it reaches without passing through a
    module `base` imports): roughly what deferring that one import
    would save, since shared modules are paid for anyway. Nested entries repeat their
    children's cost, so read the list as a tree flattened by cost.
    """
    only = {name for name in ours if name not in base}
    exclusive = {name: ours[name].self_us for name in only}
    # Each module's own time counts towards every wizard-only importer above it, up to
    # the first shared one (a shared module's imports are paid for by both).
    for name in ours:
        if name not in only:
            continue
        parent = ours[name].parent
        while parent in only:
            exclusive[parent] += ours[name].self_us
            parent = ours[parent].parent
    ranked = sorted(only, key=lambda n: exclusive[n], reverse=True)
    return [(ours[name], exclusive[name]) for name in ranked]
