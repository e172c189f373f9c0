"""The next command a message suggests (`smtp-setup test work`), spelled so it works.

When this run was given `--config PATH`, every suggested command repeats it: without it
the person would run the suggestion against their default config and meet "No profile
named ...". SMTP_SETUP_CONFIG is not repeated: a variable set for this run is still set
for the next one in the same shell. The CLI records the option once per run (like the
language, it belongs to the whole run), and every message asks here.
"""

from __future__ import annotations

from pathlib import Path

PROG = "smtp-setup"
_config_option: Path | None = None


def use_config_option(path: Path | str | None) -> None:
    """Record the --config this run was given (None: it was not)."""
    global _config_option
    _config_option = Path(path) if path is not None else None


def next_command(*words: str) -> str:
    """`smtp-setup [--config PATH] WORDS...`, quoted for a POSIX shell where needed."""
    import shlex  # only when a command is printed, not on every start

    parts = [PROG]
    if _config_option is not None:
        parts += ["--config", shlex.quote(str(_config_option))]
    parts += [shlex.quote(w) if w else "''" for w in words]
    return " ".join(parts)
