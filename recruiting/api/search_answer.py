"""The answer of `POST /api/v1/search`, as the serializer describes it.

`search_answer` is what `SearchResponseSerializer` reads (it describes the
answer in the OpenAPI schema); `search_data` is the JSON-ready data that
serializer gives for it, written out. A page holds about twenty cards with
some five hundred fields, and DRF's field-by-field representation of them
cost about a tenth of an API search's CPU. Each value is written as its
serializer field writes it: datetimes and dates through DRF's own fields
(time zone, format), the rest plainly. The tests hold the two equal for
every field; an aware datetime is written as DRF writes it (ISO 8601 in
the current time zone, UTC as "Z"), without its field's per-call settings
reads, which cost a page of some forty datetimes a fortieth of its CPU.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from core import jsontext
from recruiting.adapters.base import Contacts, Money, ResumeCard
from recruiting.api.serializers import SITE_ERROR_CODES
from recruiting.selectors import ApplicationInfo
from recruiting.services.search import SearchResult, SiteStatus

_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def search_answer(result: SearchResult) -> dict[str, Any]:
    """What `SearchResponseSerializer` reads for `result`."""
    cards = [
        {
            "key": card.key,
            "name": card.name,
            "contacts_open": card.contacts_open,
            "updated_at": card.updated_at,
            "salary_rub": None if rub is None else round(rub),
            "resumes": card.resumes,
            "application": application,
        }
        for card, application, rub in result.items()
    ]
    return {
        "cards": cards,
        "page": result.page,
        "cursor": result.cursor,
        "next_cursor": result.next_cursor,
        "prev_cursor": result.prev_cursor,
        "sites": result.statuses,
        "site_errors": [
            {"site": st.site, "code": SITE_ERROR_CODES[st.state], "message": st.message}
            for st in result.statuses
            if st.state in SITE_ERROR_CODES
        ],
    }


def search_data(answer: dict[str, Any]) -> dict[str, Any]:
    """`SearchResponseSerializer(answer).data`, as plain dicts and lists."""
    zone = _zone()
    return {
        "cards": [_card(card, zone) for card in answer["cards"]],
        "page": int(answer["page"]),
        "cursor": str(answer["cursor"]),
        "next_cursor": _text(answer["next_cursor"]),
        "prev_cursor": _text(answer["prev_cursor"]),
        "sites": [_status(status) for status in answer["sites"]],
        "site_errors": [
            {"site": str(e["site"]), "code": str(e["code"]), "message": str(e["message"])}
            for e in answer["site_errors"]
        ],
    }


def _card(card: dict[str, Any], zone: tzinfo | None) -> dict[str, Any]:
    application = card["application"]
    return {
        "key": str(card["key"]),
        "name": _text(card["name"]),
        "contacts_open": bool(card["contacts_open"]),
        "updated_at": _datetime(card["updated_at"], zone),
        "salary_rub": None if card["salary_rub"] is None else int(card["salary_rub"]),
        "resumes": [_resume(resume, zone) for resume in card["resumes"]],
        "application": None if application is None else _application(application, zone),
    }


def _resume(card: ResumeCard, zone: tzinfo | None) -> dict[str, Any]:
    return {
        "urn": str(card.urn),
        "site": str(card.site),
        "resume_id": str(card.resume_id),
        "title": _text(card.title),
        "url": _text(card.url),
        "name": _text(card.name),
        "age": None if card.age is None else int(card.age),
        "birth_date": None if card.birth_date is None else _DATE.to_representation(card.birth_date),
        "gender": _text(card.gender),
        "city": _text(card.city),
        "salary": None if card.salary is None else _money(card.salary),
        "last_position": _text(card.last_position),
        "last_employer": _text(card.last_employer),
        "education": _text(card.education),
        "updated_at": _datetime(card.updated_at, zone),
        "contacts_open": bool(card.contacts_open),
        "contacts": None if card.contacts is None else _contacts(card.contacts),
    }


def _money(money: Money) -> dict[str, Any]:
    return {"amount": int(money.amount), "currency": str(money.currency)}


def _contacts(contacts: Contacts) -> dict[str, list[str]]:
    return {
        "phones": [str(p) for p in contacts.phones],
        "emails": [str(e) for e in contacts.emails],
        "other": [str(o) for o in contacts.other],
    }


def _application(app: ApplicationInfo, zone: tzinfo | None) -> dict[str, Any]:
    return {
        "resume_urn": str(app.resume_urn),
        "subsystem": str(app.subsystem),
        "subsystem_label": str(app.subsystem_label),
        "application_id": str(app.application_id),
        "status": str(app.status),
        "status_label": str(app.status_label),
        "recruiter": str(app.recruiter),
        "is_deleted_externally": bool(app.is_deleted_externally),
        "created_at": _datetime(app.created_at, zone),
    }


def _status(status: SiteStatus) -> dict[str, Any]:
    return {
        "site": str(status.site),
        "state": str(status.state),
        "found": None if status.found is None else int(status.found),
        "message": str(status.message),
        "depth_limited": bool(status.depth_limited),
    }


def _zone() -> tzinfo | None:
    """The zone `_datetime` writes in: the current one, as DRF's field writes
    datetimes; None when DRF's settings ask for more than that (no time zone
    support, another format), and then the field writes each."""
    if not settings.USE_TZ or str(api_settings.DATETIME_FORMAT).lower() != ISO_8601:
        return None
    return timezone.get_current_timezone()


def _datetime(value: datetime, zone: tzinfo | None) -> str | None:
    """`_DATETIME.to_representation(value)`, in `zone` (`_zone`)."""
    if zone is None or not isinstance(value, datetime) or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    try:
        text = jsontext.isoformat(value.astimezone(zone))
    except OverflowError:  # out of range in the zone: the field says so its way
        return _DATETIME.to_representation(value)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
