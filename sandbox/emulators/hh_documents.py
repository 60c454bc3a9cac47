"""Parts of hh.ru answers the hh emulator builds: contacts and the currency dictionary.

Shaped after hh.ru's published examples: the hh OpenAPI spec's
`ResumeResumeViewEmployer` (contacts with `contact_value` and `kind`,
messengers with `links`, `site[]`) and hhru/api docs/employer_resumes.md (the
older form: `value` is `{country, city, number, formatted}` for a phone and a
string for an e-mail), the spec's `DictionariesDictionaries` (ten currencies)
and docs/me.md (a manager's `GET /me`).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from sandbox.emulators.people import Person

CELL = {"id": "cell", "name": "Мобильный телефон"}
EMAIL = {"id": "email", "name": "Эл. почта"}
TELEGRAM_EVERY = 3  # every third candidate lists a Telegram account
SKYPE_EVERY = 4  # every fourth lists Skype in `site[]`

# (code, abbr, name, rate per 1 RUR, in_use); USD and EUR rates are the sandbox's own.
CURRENCIES = (
    ("AZN", "AZN", "Манаты", 0.027728, False),
    ("BYR", "бел.\xa0руб.", "Белорусские рубли", 0.042685, False),
    ("EUR", "EUR", "Евро", 0.0103, True),
    ("GEL", "GEL", "Грузинский лари", 0.0344, False),
    ("KGS", "KGS", "Киргизский сом", 1.356611, False),
    ("KZT", "KZT", "Тенге", 7.809145, False),
    ("RUR", "руб.", "Рубли", 1, True),
    ("UAH", "грн.", "Гривны", 0.596833, False),
    ("USD", "USD", "Доллары", 0.0112, True),
    ("UZS", "сум", "Узбекский сум", 177.916948, False),
)
RATES = {code: rate for code, _, _, rate, _ in CURRENCIES}


def currency_dictionary() -> list[dict[str, Any]]:
    return [
        {
            "abbr": abbr,
            "code": code,
            "default": code == "RUR",
            "in_use": used,
            "name": name,
            "rate": rate,
        }
        for code, abbr, name, rate, used in CURRENCIES
    ]


def me(employer: str, manager: str) -> dict[str, Any]:
    """A manager's GET /me, keyed as hhru/api docs/me.md shows it.

    `counters` is left out (the docs give it to applicants only) and
    `personal_manager` is null (documented nullable): the sandbox has none.
    """
    api = f"{settings.SANDBOX_URL}/hh"
    return {
        "id": "54751619",
        "last_name": "Работодатель",
        "first_name": "Песочница",
        "middle_name": None,
        "is_admin": False,
        "is_applicant": False,
        "is_employer": True,
        "is_application": False,
        "email": "hr@sandbox.example",
        "phone": None,
        "employer": {"id": employer, "name": "ООО Песочница"},
        "manager": {
            "id": manager,
            "has_admin_rights": True,
            "is_main_contact_person": True,
            "manager_settings_url": f"{api}/employers/{employer}/managers/{manager}/settings",
            "has_multiple_manager_accounts": False,
        },
        "personal_manager": None,
        "is_in_search": None,
        "resumes_url": f"{api}/resumes/mine",
        "negotiations_url": f"{api}/negotiations",
    }


def legacy_form(p: Person) -> bool:
    """Whether this candidate's contacts come in the older `value` form."""
    form = settings.SANDBOX_HH_CONTACT_FORM
    return form == "legacy" or (form == "mixed" and p.index % 2 == 1)


def contacts(p: Person, *, phones: bool) -> list[dict[str, Any]]:
    """`contact[]` of an opened resume; without the phone when the candidate hid it."""
    legacy = legacy_form(p)
    items = [_phone(p, legacy)] if phones else []
    items.append(_email(p, legacy))
    if p.index % TELEGRAM_EVERY == 0 and not legacy:  # messengers exist in the new form only
        nick = f"user{p.index}"
        link = f"https://t.me/{nick}"
        items.append(
            {
                "contact_value": f"@{nick}",
                "kind": "primary",
                "links": {"android": link, "ios": link, "web": link},
                "preferred": False,
                "type": {"id": "telegram", "name": "telegram"},
            }
        )
    return items


def sites(p: Person) -> list[dict[str, Any]]:
    if p.index % SKYPE_EVERY != 1:
        return []
    return [{"type": {"id": "skype", "name": "Skype"}, "url": f"user{p.index}.skype"}]


def _phone(p: Person, legacy: bool) -> dict[str, Any]:
    if not legacy:
        return {
            "comment": None,
            "contact_value": p.phone,
            "kind": "phone",
            "need_verification": False,
            "preferred": False,
            "type": CELL,
            "verified": True,
        }
    digits = re.sub(r"\D", "", p.phone)
    value = {
        "country": digits[:1],
        "city": digits[1:4],
        "number": digits[4:],
        "formatted": f"+{digits}",
    }
    return {"comment": None, "preferred": False, "type": CELL, "value": value, "verified": True}


def _email(p: Person, legacy: bool) -> dict[str, Any]:
    if legacy:
        return {"preferred": True, "type": EMAIL, "value": p.email}
    return {"contact_value": p.email, "kind": "email", "preferred": True, "type": EMAIL}
