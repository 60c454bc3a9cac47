"""Lenient readers for optional parts of vendor documents.

Used where a missing or odd field must be left out rather than fail the
whole answer (the details of a full resume); required fields are parsed
strictly by each adapter.
"""

from __future__ import annotations

from typing import Any


def dict_items(value: Any) -> list[dict[str, Any]]:
    """The dict items of a JSON list; anything else gives an empty list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """A non-blank string, stripped; anything else gives None."""
    return (value.strip() or None) if isinstance(value, str) else None
