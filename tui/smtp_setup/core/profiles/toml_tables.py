"""How profile tables are written: the config file and the portable export share this,
so both read the same way (keys in order, the password as a one-line inline table)."""

from __future__ import annotations

import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return key if _BARE_KEY.match(key) else _scalar(key)


def _scalar(value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _inline(table: dict[str, Any]) -> str | None:
    """`{ keyring = "smtp-setup/work" }` for a small flat table, else None."""
    if not table or any(isinstance(v, (dict, list)) for v in table.values()):
        return None
    text = "{ " + ", ".join(f"{toml_key(k)} = {_scalar(v)}" for k, v in table.items()) + " }"
    return text if len(text) <= 80 and "\n" not in text else None


def render_profile_table(name: str, table: dict[str, Any]) -> str:
    """[profiles.NAME] with its keys in order; the password as an inline table."""
    import tomli_w

    lines = [f"[profiles.{toml_key(name)}]"]
    nested: dict[str, Any] = {}
    for key, value in table.items():
        inline = _inline(value) if isinstance(value, dict) else None
        if inline is not None:
            lines.append(f"{toml_key(key)} = {inline}")
        elif isinstance(value, dict) or _is_table_array(value):
            nested[key] = value  # a sub-table from a newer version: written after the keys
        else:
            lines.append(tomli_w.dumps({key: value}).rstrip("\n"))
    text = "\n".join(lines) + "\n"
    if nested:
        text += "\n" + tomli_w.dumps({"profiles": {name: nested}})
    return text
