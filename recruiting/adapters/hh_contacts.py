"""hh.ru resume contacts in every documented form, parsed into `Contacts`.

Two forms of `contact[]` items are documented and both still arrive:

- the current one (hh OpenAPI spec, `_IncludesContact`): `type.id`, `kind`,
  `contact_value` (a string; phones as "+7 (495) 552-73-67");
- the older one (hhru/api docs/employer_resumes.md, and the `value` field
  the spec keeps as deprecated): `value` is an object
  `{country, city, number, formatted}` for a phone and a plain string for an
  e-mail, with no `contact_value`.

`site[]` items (`{"type": {"id": "skype", "name": "Skype"}, "url": "echo123"}`)
are contacts too. No empty phone or e-mail is ever produced: an item with no
usable value is logged and left out (the raw document is stored anyway).
Phones come out in E.164; one that is not a valid number is kept as written
(`parsing.phones`).
"""

from __future__ import annotations

import logging
from typing import Any

from recruiting.adapters import parsing
from recruiting.adapters.base import Contacts

log = logging.getLogger(__name__)

PHONE_TYPES = frozenset({"cell", "home", "work"})


def parse_contacts(contact: Any, site: Any) -> Contacts | None:
    """Contacts of a full resume; None when it carries none we can use."""
    phones: list[str] = []
    emails: list[str] = []
    other: list[str] = []
    for item in contact if isinstance(contact, list) else []:
        kind, value = _contact_item(item)
        if value is None:
            log.warning("hh: contact item of an unknown shape left out: %r", _shape(item))
            continue
        {"phone": phones, "email": emails}.get(kind, other).append(value)
    for item in site if isinstance(site, list) else []:
        value = _site_item(item)
        if value is None:
            log.warning("hh: site item of an unknown shape left out: %r", _shape(item))
            continue
        other.append(value)
    if not (phones or emails or other):
        return None
    return Contacts(
        phones=parsing.phones(phones, system="hh"), emails=tuple(emails), other=tuple(other)
    )


def _contact_item(item: Any) -> tuple[str, str | None]:
    """("phone" | "email" | "other", value or None when nothing usable)."""
    if not isinstance(item, dict):
        return "other", None
    type_id = (item.get("type") or {}).get("id") if isinstance(item.get("type"), dict) else None
    kind = item.get("kind")
    if type_id == "email" or kind == "email":
        return "email", _string(item.get("contact_value")) or _string(item.get("value"))
    if type_id in PHONE_TYPES or kind == "phone":
        return "phone", _string(item.get("contact_value")) or _phone(item.get("value"))
    value = _string(item.get("contact_value")) or _string(item.get("value"))
    return "other", _labelled(item, value)


def _phone(value: Any) -> str | None:
    """The deprecated phone object: `formatted`, or built from its parts."""
    if not isinstance(value, dict):
        return _string(value)
    if formatted := _string(value.get("formatted")):
        return formatted
    parts = [_string(value.get(k)) for k in ("country", "city", "number")]
    if not parts[2]:
        return None
    return "+" + "".join(p for p in parts if p)


def _site_item(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    return _labelled(item, _string(item.get("url")))


def _labelled(item: dict[str, Any], value: str | None) -> str | None:
    """A messenger or site value with its type's name: "Skype: echo123"."""
    if value is None:
        return None
    name = (
        _string((item.get("type") or {}).get("name"))
        if isinstance(item.get("type"), dict)
        else None
    )
    return f"{name}: {value}" if name and not value.startswith("http") else value


def _string(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _shape(item: Any) -> Any:
    """The keys of an item, never its values: logs hold no candidate data."""
    return sorted(item) if isinstance(item, dict) else type(item).__name__
