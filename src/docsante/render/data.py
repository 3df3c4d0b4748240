"""JSON and JSON Lines, for every result type: what its `to_dict` gives (the JSON contract)."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass

from ..search.results import Results


def data(value):
    """A result as plain JSON data: its to_dict(), a dataclass's fields, or containers of those."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, dict):
        return {k: data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [data(v) for v in value]
    return value


def to_json(value) -> str:
    return json.dumps(data(value), ensure_ascii=False, indent=2)


def to_jsonl(value) -> str:
    """One line per hit of a search, per item of a list."""
    items = value.hits if isinstance(value, Results) else value
    return "\n".join(json.dumps(data(item), ensure_ascii=False) for item in items)
