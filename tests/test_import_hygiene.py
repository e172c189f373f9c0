"""core must stay free of Textual and Rich: each module is imported in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest
import smtp_setup.core

CORE_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(smtp_setup.core.__path__, prefix="smtp_setup.core.")
)
FORBIDDEN = ("textual", "rich")


def test_core_modules_are_found():
    assert "smtp_setup.core.profiles.model" in CORE_MODULES
    assert len(CORE_MODULES) >= 6


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui(module):
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imported {out.stdout.strip()}"
