"""hh.ru employer API emulator, after the public hh.ru API documentation.

Mounted at /sandbox/hh/: the consent page at oauth/authorize (stands for
hh.ru), the API (stands for api.hh.ru) at the root: token, resumes,
dictionaries, me, manager limits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone

from sandbox.emulators import hh_documents, oauth
from sandbox.emulators.hh_documents import RATES
from sandbox.emulators.people import SITES_ZONE, Person, by_resume_id, hh_resume_id, people
from sandbox.faults import emulator
from sandbox.memo import memoized_search
from sandbox.models import OAuthToken, ResumeEvent

SYSTEM = "hh"
TOKEN_LIFETIME = timedelta(seconds=1209600)  # 14 days
DEPTH_LIMIT = 2000
MAX_PER_PAGE = 100
CONTACT_PACKAGE = 200  # contact units in the sandbox employer's package
VIEW_LIMIT = 500
CONTACTS_OPEN_FOR = timedelta(
    days=365
)  # `contacts_open_until_date` of an opened resume  # manager's daily resume views
EMPLOYER_ID, MANAGER_ID = "1455", "7001"
ORDERS = ("relevance", "publication_time", "salary_desc", "salary_asc")
# Some candidates hide their phones: `hidden_fields` says so, and opening their
# contacts still charges a unit while the phones stay null (hh.ru API documentation).
# A few hide every contact, their name included: opening them charges a unit
# and answers nothing but nulls.
HIDDEN_PHONES_EVERY = 9
HIDDEN_ALL_EVERY = 50
CONTACT_FIELDS = (
    ("names_and_photo", "ФИО и фотография"),
    ("phones", "Телефоны"),
    ("email", "Эл. почта"),
    ("other_contacts", "Другие контакты"),
)


def hides_all(index: int) -> bool:
    return index % HIDDEN_ALL_EVERY == 13


def hides_phones(index: int) -> bool:
    return index % HIDDEN_PHONES_EVERY == 4 and not hides_all(index)


def _hidden_fields(index: int) -> list[dict[str, str]]:
    if hides_all(index):
        return [{"id": key, "name": name} for key, name in CONTACT_FIELDS]
    return [{"id": "phones", "name": "Телефоны"}] if hides_phones(index) else []


def _errors(status: int, *pairs: tuple[str, str], **extra: Any) -> JsonResponse:
    body = {
        "errors": [{"type": t, "value": v} for t, v in pairs],
        "request_id": secrets.token_hex(8),
    }
    return JsonResponse({**body, **extra}, status=status)


def _time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S%z")


def _checked(request: HttpRequest) -> tuple[OAuthToken | None, JsonResponse | None]:
    """User-Agent and bearer checks every API call makes."""
    if not (request.headers.get("HH-User-Agent") or request.headers.get("User-Agent")):
        return None, _errors(400, ("bad_user_agent", "unset"))
    token, problem = oauth.bearer(request, SYSTEM)
    if token is not None:
        return token, None
    return None, _oauth_denied(problem)


def _oauth_denied(problem: str) -> JsonResponse:
    """The spec's ErrorsCommonBadAuthorizationErrors: `description`, `errors`, `oauth_error`."""
    value = {"expired": "token_expired", "revoked": "token_revoked"}.get(
        problem, "bad_authorization"
    )
    return _errors(
        403, ("oauth", value), description="Forbidden", oauth_error=value.replace("_", "-")
    )


def _not_found() -> JsonResponse:
    """The spec's ErrorsCommonNotFoundErrors: an error item has `type` only."""
    return JsonResponse(
        {"errors": [{"type": "not_found"}], "request_id": secrets.token_hex(8)}, status=404
    )


def employer_of(token: OAuthToken) -> str:
    """The employer (organization) the token's manager signed in for."""
    return token.account or EMPLOYER_ID


def _contacts(employer: str):
    """Contact openings of one employer: hh.ru charges and keeps them per employer."""
    return ResumeEvent.objects.filter(
        system=SYSTEM, kind=ResumeEvent.Kind.CONTACT, account=employer
    )


def _views_today(employer: str):
    """Resume reads of one employer today: hh.ru counts the daily view limit per
    employer's manager (each token here is one manager of its employer), never
    across employers. The day is hh.ru's, whatever our TIME_ZONE is."""
    today = timezone.now().astimezone(SITES_ZONE).date()
    return ResumeEvent.objects.filter(
        system=SYSTEM,
        kind=ResumeEvent.Kind.VIEW,
        account=employer,
        created_at__gte=datetime.combine(today, time.min, tzinfo=SITES_ZONE),
    )


def _opened(employer: str) -> set[str]:
    return set(_contacts(employer).values_list("resume_id", flat=True))


def _item(p: Person, *, opened: bool, full: bool = False) -> dict[str, Any]:
    rid = hh_resume_id(p.index)
    nonce = secrets.token_hex(8)
    salary = None
    if p.salary is not None:
        salary = (
            {"amount": round(p.salary * RATES["USD"] / 10) * 10, "currency": "USD"}
            if p.hh_usd
            else {"amount": p.salary, "currency": "RUR"}
        )
    named = opened and not hides_all(p.index)
    item: dict[str, Any] = {
        "id": rid,
        "title": p.title,
        "url": f"{settings.SANDBOX_URL}/hh/resumes/{rid}",
        "alternate_url": f"https://hh.ru/resume/{rid}",
        "first_name": p.first_name if named else None,
        "last_name": p.last_name if named else None,
        "middle_name": p.middle_name if named else None,
        "age": p.age,
        "area": {"id": p.hh_area, "name": p.city, "url": f"https://api.hh.ru/areas/{p.hh_area}"},
        "salary": salary,
        "gender": {"id": p.gender, "name": "Мужской" if p.gender == "male" else "Женский"},
        "photo": None,
        "total_experience": {"months": p.experience_months},
        "experience": [
            {
                "position": p.position,
                "company": p.employer,
                "start": f"{p.graduated}-09-01",
                "end": None,
            }
        ],
        "education": {
            "level": {"id": "higher", "name": "Высшее"},
            "primary": [{"name": p.university, "year": p.graduated}],
        },
        "created_at": _time(p.hh_updated - timedelta(days=400)),
        "updated_at": _time(p.hh_updated),
        "can_view_full_info": opened,
        "hidden_fields": _hidden_fields(p.index),
        "actions": {},
        "owner": {"id": str(900000 + p.index)},
        "viewed": False,
        "favorited": False,
        "platform": {"id": "headhunter"},
    }
    if not opened:
        item["actions"]["get_with_contact"] = {
            "url": f"{settings.SANDBOX_URL}/hh/resumes/{rid}?with_contact={nonce}{_sign(rid, nonce)}"
        }
    if full:
        del item["url"]  # the documented full resume has no `url` (the short one has)
        item["birth_date"] = p.birth_date.isoformat()
        item["skill_set"] = p.skills.split()
        # Closed (or all hidden): `contact: []`, `site: []`, no open-until date.
        item["contact"] = (
            hh_documents.contacts(p, phones=not hides_phones(p.index)) if named else []
        )
        item["site"] = hh_documents.sites(p) if named else []
        until = (timezone.now() + CONTACTS_OPEN_FOR).astimezone(SITES_ZONE).date().isoformat()
        item["contacts_open_until_date"] = until if opened else None
    return item


def _sign(rid: str, nonce: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{rid}:{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


@emulator(SYSTEM)
def authorize(request: HttpRequest) -> HttpResponse:
    return oauth.consent(request, system=SYSTEM, site="hh.ru")


@emulator(SYSTEM, endpoint="token")
def token(request: HttpRequest) -> JsonResponse:
    """POST /token: authorization_code and refresh_token grants; DELETE revokes."""
    if request.method == "DELETE":
        row, problem = oauth.bearer(request, SYSTEM)
        if row is None:
            return _oauth_denied(problem)
        OAuthToken.objects.filter(pk=row.pk).update(revoked=True)
        return HttpResponse(status=204)  # the spec's `invalidate-token`: 204, no body
    if request.method != "POST":
        return _errors(405, ("method", "not_allowed"))
    form = request.POST
    grant = form.get("grant_type")
    if grant == "authorization_code":
        if (
            form.get("client_id") != settings.HH_CLIENT_ID
            or form.get("client_secret") != settings.HH_CLIENT_SECRET
        ):
            return JsonResponse(
                {
                    "error": "invalid_client",
                    "error_description": "client_id or client_secret not found",
                },
                status=400,
            )
        problem = oauth.take_code(SYSTEM, form.get("code", ""), form.get("redirect_uri"))
        if problem:
            kind = (
                "invalid_request"
                if problem in ("code not found", "bad redirect url")
                else "invalid_grant"
            )
            return JsonResponse({"error": kind, "error_description": problem}, status=400)
        row = oauth.issue(
            SYSTEM, TOKEN_LIFETIME, account=oauth.code_account(SYSTEM, form.get("code", ""))
        )
    elif grant == "refresh_token":
        row, problem = oauth.rotate(
            SYSTEM, form.get("refresh_token", ""), TOKEN_LIFETIME, only_after_expiry=True
        )
        if row is None:
            kind = "invalid_request" if problem == "token not found" else "invalid_grant"
            return JsonResponse({"error": kind, "error_description": problem}, status=400)
    else:
        return JsonResponse(
            {"error": "unsupported_grant_type", "error_description": "unsupported grant_type"},
            status=400,
        )
    return JsonResponse(
        {
            "access_token": row.access_token,
            "token_type": "bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            "refresh_token": row.refresh_token,
        }
    )


def _int(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        return None


@emulator(SYSTEM)
@memoized_search(SYSTEM)
def resumes(request: HttpRequest) -> JsonResponse:
    """GET /resumes: search, grouped by applicant, 2000-result window."""
    token, denied = _checked(request)
    if denied:
        return denied
    q = request.GET
    page, per_page = _int(q.get("page"), 0), _int(q.get("per_page"), 20)
    if page is None or page < 0:
        return _errors(400, ("bad_argument", "page"))
    if per_page is None or not 0 < per_page <= MAX_PER_PAGE:
        return _errors(400, ("bad_argument", "per_page"))
    if (page + 1) * per_page > DEPTH_LIMIT:  # one error per parameter, as hh.ru answers
        return _errors(400, ("bad_argument", "page"), ("bad_argument", "per_page"))
    order = q.get("order_by", "relevance")
    if order not in ORDERS:
        return _errors(400, ("bad_argument", "order_by"))
    salary_from, salary_to = _int(q.get("salary_from"), -1), _int(q.get("salary_to"), -1)
    if salary_from is None or salary_to is None:
        return _errors(400, ("bad_argument", "salary_from"))
    text = " ".join(q.getlist("text"))
    areas = tuple(sorted(set(q.getlist("area"))))
    hits = _hits(text, areas, salary_from, salary_to, q.get("label") == "only_with_salary", order)
    window = hits[:DEPTH_LIMIT]
    chunk = window[page * per_page : (page + 1) * per_page]
    opened = _opened(employer_of(token))
    items = [_item(p, opened=p.hh_open or hh_resume_id(p.index) in opened) for p in chunk]
    pages = (len(window) + per_page - 1) // per_page
    return JsonResponse(
        {"found": len(hits), "page": page, "pages": pages, "per_page": per_page, "items": items}
    )


@lru_cache(maxsize=256)
def _hits(
    text: str, areas: tuple[str, ...], low: int, high: int, only_with_salary: bool, order: str
) -> tuple[Person, ...]:
    """Matching people in order; the data never changes, so answers are cached."""
    hits = [
        p
        for p in people(SYSTEM)
        if (not text or p.matches(text))
        and (not areas or p.hh_area in areas)
        and _salary_ok(p, low, high, only_with_salary)
    ]
    _sort(hits, order, text)
    return tuple(hits)


def _salary_ok(p: Person, low: int, high: int, only_with_salary: bool) -> bool:
    if p.salary is None:
        return not only_with_salary  # hh keeps resumes without salary unless labelled
    return (low < 0 or p.salary >= low) and (high < 0 or p.salary <= high)


def _sort(hits: list[Person], order: str, text: str) -> None:
    if order == "publication_time":
        hits.sort(key=lambda p: (p.hh_updated, p.index), reverse=True)
    elif order in ("salary_desc", "salary_asc"):
        known = [p for p in hits if p.salary is not None]
        unknown = [p for p in hits if p.salary is None]
        known.sort(key=lambda p: (p.salary, -p.index), reverse=order == "salary_desc")
        hits[:] = known + unknown
    else:
        hits.sort(key=lambda p: p.relevance(text))


@emulator(SYSTEM)
def resume(request: HttpRequest, resume_id: str) -> JsonResponse:
    """GET /resumes/{id}; with `with_contact` it opens (and charges) contacts."""
    token, denied = _checked(request)
    if denied:
        return denied
    employer = employer_of(token)
    p = by_resume_id(SYSTEM).get(resume_id)
    if p is None:
        return _not_found()
    if _views_today(employer).count() >= VIEW_LIMIT:
        return _errors(429, ("resumes", "view_limit_exceeded"))
    ResumeEvent.objects.create(
        system=SYSTEM, kind=ResumeEvent.Kind.VIEW, resume_id=resume_id, account=employer
    )
    opened = p.hh_open or resume_id in _opened(employer)
    hashed = request.GET.get("with_contact")
    if hashed is not None and not opened:
        nonce, signature = hashed[:16], hashed[16:]
        if not hmac.compare_digest(signature, _sign(resume_id, nonce)):
            return _errors(400, ("bad_argument", "with_contact"))
        if _contacts(employer).count() >= CONTACT_PACKAGE:
            return _errors(403, ("resumes", "no_available_service"))
        ResumeEvent.objects.create(
            system=SYSTEM, kind=ResumeEvent.Kind.CONTACT, resume_id=resume_id, account=employer
        )
        opened = True
    return JsonResponse(_item(p, opened=opened, full=True))


@emulator(SYSTEM)
def me(request: HttpRequest) -> JsonResponse:
    token, denied = _checked(request)
    if denied:
        return denied
    return JsonResponse(hh_documents.me(employer_of(token), MANAGER_ID))


@emulator(SYSTEM)
def limits(request: HttpRequest, employer_id: str, manager_id: str) -> JsonResponse:
    token, denied = _checked(request)
    if denied:
        return denied
    if (employer_id, manager_id) != (employer_of(token), MANAGER_ID):
        return _not_found()
    spent = _views_today(employer_id).count()
    return JsonResponse(
        {
            "limits": {"resume_view": VIEW_LIMIT},
            "spend": {"resume_view": spent},
            "left": {"resume_view": max(0, VIEW_LIMIT - spent)},
        }
    )


@emulator(SYSTEM, endpoint="dictionaries")
def dictionaries(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "currency": hh_documents.currency_dictionary(),
            "resume_search_order": [
                {"id": "relevance", "name": "по соответствию"},
                {"id": "publication_time", "name": "по дате изменения"},
                {"id": "salary_desc", "name": "по убыванию зарплаты"},
                {"id": "salary_asc", "name": "по возрастанию зарплаты"},
            ],
        }
    )


urlpatterns = [
    path("oauth/authorize", authorize, name="hh-authorize"),
    path("token", token, name="hh-token"),
    path("resumes", resumes, name="hh-resumes"),
    path("resumes/<str:resume_id>", resume, name="hh-resume"),
    path("me", me, name="hh-me"),
    path(
        "employers/<str:employer_id>/managers/<str:manager_id>/limits/resume",
        limits,
        name="hh-limits",
    ),
    path("dictionaries", dictionaries, name="hh-dictionaries"),
]
