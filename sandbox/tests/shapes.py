"""Compare an emulator's answer with a vendor's documented example, key by key.

`shape_problems(ours, theirs)` lists every key the emulator sends that the
vendor's example lacks, and every value whose JSON type differs (null matches
anything: the vendors document most fields as nullable). Lists are compared
item by item against the vendor's item of the same `type.id`, else its first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

VENDOR_FIXTURES = Path(__file__).resolve().parents[2] / "recruiting" / "tests" / "fixtures"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "null")


def shape_problems(ours: Any, theirs: Any, path: str = "$") -> list[str]:
    if ours is None or theirs is None:
        return []
    if _kind(ours) != _kind(theirs):
        return [f"{path}: {_kind(ours)} where the vendor has {_kind(theirs)}"]
    if isinstance(ours, dict):
        problems = []
        for key, value in ours.items():
            if key not in theirs:
                problems.append(f"{path}.{key}: not in the vendor's example")
            else:
                problems += shape_problems(value, theirs[key], f"{path}.{key}")
        return problems
    if isinstance(ours, list) and theirs:
        return [
            p
            for i, item in enumerate(ours)
            for p in shape_problems(item, _counterpart(item, theirs), f"{path}[{i}]")
        ]
    return []


def _counterpart(item: Any, theirs: list[Any]) -> Any:
    """The vendor's item of the same `type.id` (contacts), else its first."""
    type_id = _type_id(item)
    return next((t for t in theirs if type_id and _type_id(t) == type_id), theirs[0])


def _type_id(item: Any) -> Any:
    kind = item.get("type") if isinstance(item, dict) else None
    return kind.get("id") if isinstance(kind, dict) else None


def missing_keys(ours: dict[str, Any], theirs: dict[str, Any], keys: list[str]) -> list[str]:
    """Those of `keys` the vendor's example has and ours lacks."""
    return [k for k in keys if k in theirs and k not in ours]
