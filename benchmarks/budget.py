"""Shared by the benchmark scripts: run summaries, budget verdicts, a clean child environment.

Not a test module and not part of the package: the scripts import it as a sibling
(`python benchmarks/NAME.py` puts this folder first on sys.path).
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path

# Ratios from design.md's "Performance budget".
FIRST_FRAME_BUDGET = 1.3
TEST_SEND_BUDGET = 1.3


@dataclass
class Samples:
    """Wall times of one measured thing, in milliseconds."""

    name: str
    ms: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.ms.append(value)

    @property
    def best(self) -> float:
        return min(self.ms)

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    def row(self, width: int = 18) -> str:
        return (
            f"  {self.name:<{width}} best {self.best:8.1f} ms   median {self.median:8.1f} ms"
            f"   (n={len(self.ms)})"
        )


def ratio_lines(label: str, ours: Samples, base: Samples, budget: float) -> tuple[list[str], bool]:
    """`ratio wizard/hello: best 1.12x, median 1.18x (budget 1.3x) -> within budget`.

    The verdict is taken on the median, which is steadier than the best on a busy box.
    """
    best = ours.best / base.best
    median = ours.median / base.median
    ok = median <= budget
    verdict = "within budget" if ok else "OVER BUDGET"
    line = (
        f"ratio {label}: best {best:.2f}x, median {median:.2f}x (budget {budget:g}x) -> {verdict}"
    )
    return [line], ok


def child_env(config_path: Path, pycache: Path, **extra: str) -> dict[str, str]:
    """The environment for a measured child: a private config and the null keyring.

    Bytecode is cached in `pycache` (PYTHONPYCACHEPREFIX), even where the calling shell
    says PYTHONDONTWRITEBYTECODE: an installed package runs from cached bytecode, and
    compiling our sources on every start would charge the wizard for work hello world
    (whose library has its caches) never does. The prefix keeps the source tree clean.
    TEXTUAL_* variables are dropped so a developer's devtools or debug settings do not
    slow one side of a comparison.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SMTP_SETUP_DEBUG", None)
    env.update(
        SMTP_SETUP_CONFIG=str(config_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPYCACHEPREFIX=str(pycache),
        **extra,
    )
    return env


PROFILE_TOML = """\
format = 1
default_profile = "bench"

[profiles.bench]
provider = "custom"
host = "127.0.0.1"
port = {port}
security = "{security}"
{login}from_email = "bench@example.test"
from_name = "Benchmark"
verify_certificates = true
{ca_file}timeout = 20
"""


def write_config(
    path: Path,
    *,
    port: int = 2525,
    security: str = "none",
    username: str | None = None,
    password_env: str | None = None,
    ca_file: Path | None = None,
) -> Path:
    """A config file in design.md's format with one profile named `bench`."""
    login = ""
    if username:
        login = f'username = "{username}"\n'
        if password_env:
            login += f'password = {{ env = "{password_env}" }}\n'
    ca = f'ca_file = "{ca_file}"\n' if ca_file else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        PROFILE_TOML.format(port=port, security=security, login=login, ca_file=ca),
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path
