"""SQLite: LIKE that ignores case beyond ASCII.

SQLite's built-in LIKE folds only ASCII letters, so `icontains` (and the
admin's search) would not find "Иван" by "иван" on a development database.
Every new SQLite connection gets a `like()` that folds case with Python's
str.casefold; Django's SQLite lookups already treat `contains` as
case-insensitive, so nothing else changes meaning. PostgreSQL uses UPPER()
for these lookups and needs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _like_regex(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    """SQL `value LIKE pattern [ESCAPE escape]`, NULL in, NULL out."""
    if pattern is None or value is None:
        return None
    regex = _like_regex(pattern.casefold(), escape.casefold() if escape else None)
    return regex.fullmatch(str(value).casefold()) is not None


def install_unicode_like(sender, connection, **kwargs) -> None:
    """connection_created receiver."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("like", 2, unicode_like, deterministic=True)
        raw.create_function("like", 3, unicode_like, deterministic=True)
