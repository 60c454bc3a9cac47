"""SuperJob API 2.0 emulator, after the public SuperJob API documentation.

Mounted at /sandbox/superjob/: the consent page at authorize/ (stands for
www.superjob.ru), the API under 2.0/ (stands for api.superjob.ru/2.0). Every
API path ends with a slash; every call needs X-Api-App-Id.
Where the documentation leaves a behaviour open the emulator follows one reading:
reading a resume with a user token opens (and charges) its contacts.

Knobs beyond the common faults: `SANDBOX_FAULTS["superjob"]["withhold_contacts"]`
(true) makes a resume read answer `contacts_bought: false` without contacts
and without charging, the other reading; `SANDBOX_FAULTS["superjob"]["blocked"]`
(`client_blocked`, `user_blocked_by_admin` or `user_blocked_by_other_user`)
makes every authorized call answer that documented 403 block.

A hidden birthday is sent as zeros (`birthday`, `birthmonth`, `birthyear`
0), not the date. `simple_contacts_open` says the candidate left the contacts
open to every employer; `contacts_bought` that this employer paid for them.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from core.numbers import parse_int
from sandbox.emulators import oauth
from sandbox.emulators.people import CITIES, Person, by_resume_id, people, sj_resume_id
from sandbox.faults import emulator
from sandbox.memo import memoized_search
from sandbox.models import OAuthToken, ResumeEvent

SYSTEM = "superjob"
TOKEN_LIFETIME = timedelta(days=7)
DEPTH_LIMIT = 500
MAX_COUNT = 100
CONTACT_PACKAGE = 200


def _withholds_contacts() -> bool:
    return bool(settings.SANDBOX_FAULTS.get(SYSTEM, {}).get("withhold_contacts"))


# The three documented blocks (api.superjob.ru/client/, "Блокировка").
BLOCKS = {
    "client_blocked": {"reason_text": "Клиент-работодатель заблокирован администрацией"},
    "user_blocked_by_admin": {"reason_text": "Пользователь заблокирован администрацией"},
    "user_blocked_by_other_user": {
        "reason_text": "Пользователь заблокирован другим пользователем",
        "user_name": "Виктория Ивановна Иванова",
    },
}


def _blocked() -> JsonResponse | None:
    reason = settings.SANDBOX_FAULTS.get(SYSTEM, {}).get("blocked")
    if reason not in BLOCKS:
        return None
    errors = [{"reason": reason, **BLOCKS[reason]}]
    body = {"error": {"code": 403, "message": "Ваша регистрация заблокирована", "errors": errors}}
    return JsonResponse(body, status=403)


def _error(status: int, message: str, reason: str | None = None) -> JsonResponse:
    errors = [{"reason": reason, "reason_text": message}] if reason else []
    return JsonResponse(
        {"error": {"code": status, "message": message, "errors": errors}}, status=status
    )


def _app_checked(request: HttpRequest) -> JsonResponse | None:
    if request.headers.get("X-Api-App-Id") != settings.SUPERJOB_CLIENT_SECRET:
        return _error(403, "Приложение не найдено", "app_not_found")
    return None


def _user_checked(request: HttpRequest) -> tuple[OAuthToken | None, JsonResponse | None]:
    denied = _app_checked(request)
    if denied:
        return None, denied
    row, problem = oauth.bearer(request, SYSTEM)
    if row is not None:
        blocked = _blocked()
        return (None, blocked) if blocked else (row, None)
    if problem == "expired":
        return None, _error(410, "Срок действия токена истёк", "token_expired")
    return None, _error(401, "Неверный токен", "invalid_token")


def _opened() -> set[str]:
    return set(
        ResumeEvent.objects.filter(system=SYSTEM, kind=ResumeEvent.Kind.CONTACT).values_list(
            "resume_id", flat=True
        )
    )


def _object(p: Person, *, bought: bool) -> dict[str, Any]:
    rid = sj_resume_id(p.index)
    hidden = p.index % 9 == 0
    opened = bought or p.sj_open
    item: dict[str, Any] = {
        "id": rid,
        "id_user": 1_000_000 + p.index,
        "profession": p.title,
        "last_profession": p.position,
        "payment": p.salary or 0,
        "currency": "rub",
        "agreement": p.salary is None,
        "age": p.age,
        "birthday": 0 if hidden else p.birth_date.day,
        "birthmonth": 0 if hidden else p.birth_date.month,
        "birthyear": 0 if hidden else p.birth_date.year,
        "hide_birthday": hidden,
        "gender": {
            "id": 2 if p.gender == "male" else 3,
            "title": "Мужской" if p.gender == "male" else "Женский",
        },
        "town": {"id": p.sj_town, "title": p.city},
        "region": {"id": p.sj_town, "title": p.city},
        "metro": [],
        "citizenship": [{"id": 1, "title": "Россия"}],
        "experience_text": f"{p.experience_months // 12} лет",
        "experience_month_count": p.experience_months,
        "work_history": [
            {
                "name": p.employer,
                "profession": p.position,
                "work": "",
                "yearbeg": p.graduated,
                "monthbeg": 9,
                "yearend": None,
                "monthend": None,
            }
        ],
        "base_education_history": [{"institute": {"title": p.university}, "yearend": p.graduated}],
        "education_history": [],
        "catalogues": [],
        "languages": [],
        "photo": None,
        "link": f"https://www.superjob.ru/resume/{rid}.html",
        "date_published": int((p.sj_updated - timedelta(days=300)).timestamp()),
        "date_last_modified": int(p.sj_updated.timestamp()),
        "is_archive": False,
        "published": 1,
        "draft": 0,
        "contacts_bought": bought,
        "simple_contacts_open": p.sj_open,
    }
    if opened:
        item.update(
            firstname=p.first_name,
            lastname=p.last_name,
            middlename=p.middle_name,
            email=p.email,
            phones=[{"phone": p.phone, "call_from": "09:00", "call_to": "20:00"}],
        )
    return item


@emulator(SYSTEM)
def authorize(request: HttpRequest) -> HttpResponse:
    return oauth.consent(request, system=SYSTEM, site="SuperJob")


def _token_answer(row: OAuthToken) -> JsonResponse:
    return JsonResponse(
        {
            "access_token": row.access_token,
            "refresh_token": row.refresh_token,
            "ttl": int(row.expires_at.timestamp()),
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            "token_type": "bearer",
        }
    )


def _client_ok(params) -> bool:
    return (
        params.get("client_id") == settings.SUPERJOB_CLIENT_ID
        and params.get("client_secret") == settings.SUPERJOB_CLIENT_SECRET
    )


@emulator(SYSTEM)
def access_token(request: HttpRequest) -> JsonResponse:
    params = request.POST if request.method == "POST" else request.GET
    denied = _app_checked(request)
    if denied:
        return denied
    if not _client_ok(params):
        return _error(400, "Неверные client_id или client_secret", "invalid_client")
    problem = oauth.take_code(SYSTEM, params.get("code", ""), params.get("redirect_uri"))
    if problem:
        return _error(400, problem, "invalid_grant")
    return _token_answer(oauth.issue(SYSTEM, TOKEN_LIFETIME))


@emulator(SYSTEM)
def refresh_token(request: HttpRequest) -> JsonResponse:
    params = request.POST if request.method == "POST" else request.GET
    denied = _app_checked(request)
    if denied:
        return denied
    if not _client_ok(params):
        return _error(400, "Неверные client_id или client_secret", "invalid_client")
    row, problem = oauth.rotate(
        SYSTEM, params.get("refresh_token", ""), TOKEN_LIFETIME, only_after_expiry=False
    )
    if row is None:
        return _error(400, problem, "invalid_grant")
    return _token_answer(row)


def _int(value: str | None) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except ValueError:
        return -1


@lru_cache(maxsize=256)
def _hits(
    text: str,
    towns: tuple[int, ...],
    pay_from: int | None,
    pay_to: int | None,
    field: str | None,
    direction: str,
) -> tuple[Person, ...]:
    """Matching people in order; the data never changes, so answers are cached."""
    hits = [
        p
        for p in people(SYSTEM)
        if (not text or p.matches(text))
        and (not towns or p.sj_town in towns)
        and (pay_from is None or (p.salary or 0) >= pay_from)
        and (pay_to is None or (p.salary is not None and p.salary <= pay_to))
    ]
    if field == "date":
        hits.sort(key=lambda p: (p.sj_updated, p.index), reverse=direction != "asc")
    elif field == "payment":
        hits.sort(key=lambda p: (p.salary or 0, -p.index), reverse=direction != "asc")
    else:
        hits.sort(key=lambda p: p.relevance(text))
    return tuple(hits)


@emulator(SYSTEM)
@memoized_search(SYSTEM)
def resumes(request: HttpRequest) -> JsonResponse:
    """GET /2.0/resumes/: `more` paging, about 500 results deep."""
    _, denied = _user_checked(request)
    if denied:
        return denied
    q = request.GET
    page, count = _int(q.get("page")) or 0, _int(q.get("count")) or 20
    pay_from, pay_to = _int(q.get("payment_from")), _int(q.get("payment_to"))
    if page < 0 or not 0 < count <= MAX_COUNT or -1 in (pay_from, pay_to):
        return _error(400, "Неверные параметры запроса", "bad_request")
    text = q.get("keyword", "")
    towns = tuple(sorted({n for t in q.getlist("t[]") if (n := parse_int(t)) is not None}))
    field, direction = q.get("order_field"), q.get("order_direction", "desc")
    hits = _hits(text, towns, pay_from, pay_to, field, direction)
    window = hits[:DEPTH_LIMIT]
    chunk = window[page * count : (page + 1) * count]
    opened = _opened()
    objects = [_object(p, bought=str(sj_resume_id(p.index)) in opened) for p in chunk]
    return JsonResponse(
        {
            "objects": objects,
            "total": len(hits),
            "more": (page + 1) * count < len(window),
            "id_search_session": "sandbox",
        }
    )


@emulator(SYSTEM)
def resume(request: HttpRequest, resume_id: int) -> JsonResponse:
    """GET /2.0/resumes/{id}/: with a user token it opens contacts (see module doc)."""
    _, denied = _user_checked(request)
    if denied:
        return denied
    p = by_resume_id(SYSTEM).get(str(resume_id))
    if p is None:
        return _error(404, "Резюме не найдено", "not_found")
    key = str(resume_id)
    bought = key in _opened()
    if p.sj_open or bought or _withholds_contacts():
        return JsonResponse(_object(p, bought=bought))
    if not bought:
        if (
            ResumeEvent.objects.filter(system=SYSTEM, kind=ResumeEvent.Kind.CONTACT).count()
            >= CONTACT_PACKAGE
        ):
            return _error(403, "Закончился доступ к базе резюме", "limit_exhausted")
        ResumeEvent.objects.create(system=SYSTEM, kind=ResumeEvent.Kind.CONTACT, resume_id=key)
    return JsonResponse(_object(p, bought=True))


@emulator(SYSTEM)
def user_current(request: HttpRequest) -> JsonResponse:
    _, denied = _user_checked(request)
    if denied:
        return denied
    return JsonResponse(
        {"id": 777, "name": "ООО Песочница", "email": "hr@example.ru", "is_hr": True}
    )


@emulator(SYSTEM)
def towns(request: HttpRequest) -> JsonResponse:
    denied = _app_checked(request)
    if denied:
        return denied
    keyword = request.GET.get("keyword", "").lower()
    objects = [{"id": town, "title": city} for city, _, town in CITIES if keyword in city.lower()]
    return JsonResponse({"objects": objects, "total": len(objects), "more": False})


urlpatterns = [
    path("authorize/", authorize, name="superjob-authorize"),
    path("2.0/oauth2/access_token/", access_token, name="superjob-access-token"),
    path("2.0/oauth2/refresh_token/", refresh_token, name="superjob-refresh-token"),
    path("2.0/resumes/", resumes, name="superjob-resumes"),
    path("2.0/resumes/<int:resume_id>/", resume, name="superjob-resume"),
    path("2.0/user/current/", user_current, name="superjob-user"),
    path("2.0/towns/", towns, name="superjob-towns"),
]
