"""The shape of a JSON document: its keys all the way down and each value's type, without
the values. Two languages' `--json` outputs must have the same shape."""

from __future__ import annotations

from typing import Any


def shape(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: shape(value) for key, value in data.items()}
    if isinstance(data, list):
        return [shape(item) for item in data]
    return type(data).__name__
