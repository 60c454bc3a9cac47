"""Parsing integers out of text written by someone else (query strings, files, headers).

`str.isdigit()` is no test for `int()`: it accepts "²" or "١" (superscripts,
other scripts' digits), which `int()` refuses or reads differently. Use
`parse_int` wherever outside text should be a number.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")

# The largest value a PostgreSQL bigint (Django's BigAutoField) holds.
BIGINT_MAX = 2**63 - 1


def parse_int(value: object, *, max_value: int | None = None) -> int | None:
    """`value` as a non-negative integer written in ASCII digits, else None.

    No sign, no spaces, no other scripts' digits; None too when above
    `max_value` (e.g. `BIGINT_MAX` before filtering a primary key).
    """
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    if max_value is not None and number > max_value:
        return None
    return number
