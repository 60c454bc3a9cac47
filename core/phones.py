"""Phone numbers in one form: E.164 ("+79161234567"), via `phonenumbers`.

Pure: no I/O. Job sites, CRMs and people write one number many ways
("8 (916) 123-45-67", "+7 916 1234567", "9161234567"); comparing, storing and
sending the E.164 form makes them one.

What E.164 cannot hold whole is not a number here (`phone_e164` gives None):
text with letters (a name, a note, "доб. 12", a vanity "8-800-FLOWERS"), an
extension ("#5", ";ext=5"), or a number no numbering plan has. Callers that
must not lose what someone wrote keep such text as it is (`phones_normalised`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "RU"  # a number written without a country code is a Russian one


# Parsing is slow (pure Python) and one candidate's numbers come back in every
# search that finds them: each distinct text is parsed once per process.
@lru_cache(maxsize=8192)
def phone_e164(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of the one valid number `text` is, else None (never "")."""
    number = _parse(text, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(text: str, region: str = DEFAULT_REGION) -> str:
    """`text` in international format for people ("+7 916 123-45-67");
    text that is not a valid number is shown as it was written."""
    number = _parse(text, region)
    if number is None:
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phones_normalised(values: Iterable[str], region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """Each phone in E.164, or stripped as written when it is not a valid number;
    blanks left out, one entry per number (first occurrence order)."""
    seen: dict[str, None] = {}
    for value in values:
        text = value.strip()
        if text:
            seen.setdefault(phone_e164(text, region) or text)
    return tuple(seen)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    # phonenumbers reads letters as vanity digits and skips a leading name:
    # either way something written would be dropped, so letters refuse.
    if any(ch.isalpha() for ch in text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    return number
