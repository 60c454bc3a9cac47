"""Lenient readers for optional parts of vendor documents.

Used where a missing or odd field must be left out rather than fail the
whole answer (the details of a full resume); required fields are parsed
strictly by each adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from core.phones import phone_e164, phones_normalised

log = logging.getLogger(__name__)


def dict_items(value: Any) -> list[dict[str, Any]]:
    """The dict items of a JSON list; anything else gives an empty list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def whole_number(value: Any) -> int | None:
    """A JSON integer (a year, a count); anything else, true and false too, gives None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text(value: Any) -> str | None:
    """A non-blank string, stripped; anything else gives None."""
    return (value.strip() or None) if isinstance(value, str) else None


def phones(values: Iterable[str], *, system: str) -> tuple[str, ...]:
    """A site's phones in E.164, one per number.

    A phone that is not a valid number (a typo, an extension, a note) is kept
    as the site wrote it rather than dropped: the recruiter paid for it and
    may still reach the person with it. Logged without the value (logs hold
    no candidate data) so a new site format shows up.
    """
    values = [v for v in values if v.strip()]
    kept = phones_normalised(values)
    unparsed = sum(phone_e164(v) is None for v in values)
    if unparsed:
        log.warning("%s: %d phone(s) kept as written: not a valid number", system, unparsed)
    return kept
