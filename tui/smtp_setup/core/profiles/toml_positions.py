"""Where in a TOML text something is: the line and column of a parse error, or of the
line that sets a key (in one [profiles.NAME] table), so messages can point at it."""

from __future__ import annotations

import re
import tomllib

TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)$")


def toml_error_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, int]:
    """Line and column of a TOML error (3.14 has attributes; older only the message)."""
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if line is not None and column is not None:
        return line, column
    match = TOML_POSITION.search(str(exc))
    if match:
        return int(match.group(1)), int(match.group(2))
    lines = text.split("\n")  # "at end of document"
    return len(lines), len(lines[-1]) + 1


def _header_names(name: str) -> set[str]:
    return {name, f'"{name}"', f"'{name}'"}


def find_line(text: str, profile: str | None, key: str) -> tuple[int | None, int | None]:
    """Best effort: the line and column where `key` is set (in [profiles.PROFILE] if given).

    Falls back to the profile's header line, then to no position at all.
    """
    in_scope = profile is None
    header_at: tuple[int, int] | tuple[None, None] = (None, None)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header and not stripped.startswith("[["):
            parts = [p.strip() for p in header.group(1).split(".", 1)]
            names = _header_names(key if profile is None else profile)
            is_match = parts[0] == "profiles" and len(parts) == 2 and parts[1] in names
            if profile is None:
                if is_match:
                    return number, line.index("[") + 1
                in_scope = False
            else:
                in_scope = is_match
                if is_match and header_at[0] is None:
                    header_at = (number, line.index("[") + 1)
            continue
        if in_scope and re.match(rf"^\s*({re.escape(key)}|\"{re.escape(key)}\")\s*=", line):
            return number, len(line) - len(line.lstrip()) + 1
    return header_at
