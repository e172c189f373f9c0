"""Where the export tests find the real programs: on PATH (apt installs), else in the
repository's gitignored .cache/export-tools/, where .ci/install-export-tools unpacks the
mail transport agents (postfix, nullmailer, dma) and Alertmanager's amtool without
installing them (they conflict with each other and would start daemons) and npm puts
nodemailer. A test whose program is missing skips with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "export-tools"
ROOT = CACHE / "root"  # the unpacked .deb files
INSTALL = ".ci/install-export-tools installs it"


def program(name: str, *unpacked: str) -> str | None:
    """The program on PATH, else the first of `unpacked` (paths under ROOT) that exists."""
    found = shutil.which(name)
    if found:
        return found
    for relative in unpacked:
        path = ROOT / relative
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def needs(path: str | None, what: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(path is None, reason=f"{what} is not installed ({INSTALL})")


def run(args: list[str], *, env: dict[str, str] | None = None, input: bytes | None = None,
        timeout: float = 30, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """Run a program with a small, fixed environment (PATH, HOME from env, C.UTF-8)."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    return subprocess.run(args, env={**base, **(env or {})}, input=input, capture_output=True,
                          timeout=timeout, cwd=cwd)


PHP = program("php")
RUBY = program("ruby")
NODE = program("node")
SWAKS = program("swaks")
CURL = program("curl")
NEOMUTT = program("neomutt")
S_NAIL = program("s-nail")
AMTOOL = program("amtool", "usr/bin/amtool")
ALERTMANAGER = program("prometheus-alertmanager", "usr/bin/prometheus-alertmanager")
POSTCONF = program("postconf", "usr/sbin/postconf")
NULLMAILER_SEND = program("nullmailer-send", "usr/sbin/nullmailer-send")
DMA = program("dma", "usr/sbin/dma")
PHPMAILER = next((p for p in ("/usr/share/php/libphp-phpmailer/autoload.php",)
                  if Path(p).is_file()), None)
NODE_MODULES = CACHE / "npm" / "node_modules"
NODEMAILER = str(NODE_MODULES) if (NODE_MODULES / "nodemailer").is_dir() else None


def ruby_has_mail() -> bool:
    return RUBY is not None and run([RUBY, "-e", "require 'mail'"]).returncode == 0


def postconf_env() -> dict[str, str]:
    """An unpacked postconf needs its own shared libraries (usr/lib/postfix)."""
    return {"LD_LIBRARY_PATH": str(ROOT / "usr/lib/postfix")}


UNSHARE = shutil.which("unshare")


def can_unshare() -> bool:
    """A private mount namespace is possible here (root, or CAP_SYS_ADMIN in a container)."""
    return UNSHARE is not None and run([UNSHARE, "-m", "true"]).returncode == 0
