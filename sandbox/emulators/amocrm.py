"""amoCRM API v4 emulator, after the amoCRM API v4 documentation.

Mounted at /sandbox/amocrm/<subdomain>/: each subdomain is an account with
the same two pipelines and one custom field of leads (LEAD_FIELDS: a lead
naming another field id is refused as the API refuses it). Leads and
contacts live in sandbox tables. Every
account allows 7 requests per sliding second and answers 429 (plain text)
beyond it. Bearer tokens starting with "revoked" or "expired" get 401.

Knob beyond the common faults: `SANDBOX_FAULTS["amocrm"]["duplicate_control"]`
(true) turns on the account's duplicate control: a complex create whose
contact shares a phone or e-mail with an open lead's contact of the same
pipeline answers that lead with `merged: true` and creates nothing.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import defaultdict, deque

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone

from core.numbers import parse_int
from sandbox.emulators.amocrm_duplicates import LOST, WON, duplicate
from sandbox.faults import emulator
from sandbox.subsystem_models import AmoContact, AmoLead, AmoRefreshToken

RATE_LIMIT = 7
PIPELINES = [
    {
        "id": 7000001,
        "name": "Подбор персонала",
        "sort": 1,
        "is_main": True,
        "statuses": [
            (7000011, "Новый кандидат", 1),
            (7000012, "Интервью", 0),
            (7000013, "Оффер", 0),
        ],
    },
    {
        "id": 7000002,
        "name": "Стажёры",
        "sort": 2,
        "is_main": False,
        "statuses": [(7000021, "Неразобранное", 1), (7000022, "Тестовое задание", 0)],
    },
]
# Custom fields of leads every sandbox account has: id -> (name, type).
LEAD_FIELDS = {1278898021: ("Резюме", "url")}
SYSTEM_STATUSES = [(WON, "Успешно реализовано", 0), (LOST, "Закрыто и не реализовано", 0)]

_hits: dict[str, deque[float]] = defaultdict(deque)
_hits_lock = threading.Lock()


def _over_limit(account: str) -> bool:
    now = time.monotonic()
    with _hits_lock:
        window = _hits[account]
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= RATE_LIMIT:
            return True
        window.append(now)
        return False


def _problem(status: int, detail: str, **extra) -> JsonResponse:
    body = {
        "title": HttpResponse(status=status).reason_phrase,
        "type": f"https://httpstatus.es/{status}",
        "status": status,
        "detail": detail,
        **extra,
    }
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _hal(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, content_type="application/hal+json")


def _gate(request: HttpRequest, account: str) -> HttpResponse | None:
    if _over_limit(account):
        return HttpResponse("Too Many Requests", status=429, content_type="text/plain")
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return _problem(401, "Unauthorized")
    if auth[7:].startswith(("revoked", "expired")):
        return _problem(401, "Unauthorized")
    return None


def api(view):
    """Rate limit and Bearer check in front of an API view."""

    @emulator("amocrm")
    def wrapped(request: HttpRequest, account: str, *args, **kwargs):
        return _gate(request, account) or view(request, account, *args, **kwargs)

    return wrapped


def _base(request: HttpRequest, account: str) -> str:
    return request.build_absolute_uri(f"/sandbox/amocrm/{account}/api/v4")


def _pipeline_json(p: dict, base: str) -> dict:
    href = f"{base}/leads/pipelines/{p['id']}"
    statuses = [
        {
            "id": sid,
            "name": name,
            "sort": 10 * (i + 1),
            # Neither the incoming stage (type 1) nor won/lost can be edited.
            "is_editable": sid not in (WON, LOST) and kind != 1,
            "pipeline_id": p["id"],
            "color": "#c1c1c1",
            "type": kind,
            "account_id": 31361463,
            "_links": {"self": {"href": f"{href}/statuses/{sid}"}},
        }
        for i, (sid, name, kind) in enumerate(p["statuses"] + SYSTEM_STATUSES)
    ]
    return {
        "id": p["id"],
        "name": p["name"],
        "sort": p["sort"],
        "is_main": p["is_main"],
        "is_unsorted_on": True,
        "is_archive": False,
        "account_id": 31361463,
        "_links": {"self": {"href": href}},
        "_embedded": {"statuses": statuses},
    }


def _valid_status(pipeline_id: int, status_id: int) -> bool:
    for p in PIPELINES:
        if p["id"] == pipeline_id:
            return status_id in {s[0] for s in p["statuses"]} | {WON, LOST}
    return False


def _main_pipeline() -> dict:
    return next(p for p in PIPELINES if p["is_main"])


@api
def pipelines(request: HttpRequest, account: str) -> JsonResponse:
    items = [_pipeline_json(p, _base(request, account)) for p in PIPELINES]
    return _hal(
        {
            "_total_items": len(items),
            "_links": {"self": {"href": request.build_absolute_uri()}},
            "_embedded": {"pipelines": items},
        }
    )


def _lead_json(lead: AmoLead, request: HttpRequest, account: str, with_contacts: bool) -> dict:
    embedded = {"tags": lead.tags, "companies": []}
    if with_contacts:
        ids = sorted(c.pk for c in lead.contacts.all())
        embedded["contacts"] = [
            {
                "id": cid,
                "is_main": i == 0,
                "_links": {"self": {"href": f"{_base(request, account)}/contacts/{cid}"}},
            }
            for i, cid in enumerate(ids)
        ]
    return {
        "id": lead.pk,
        "name": lead.name,
        "price": lead.price,
        "responsible_user_id": 321123,
        "group_id": 0,
        "status_id": lead.status_id,
        "pipeline_id": lead.pipeline_id,
        "loss_reason_id": None,
        "created_by": 12332,
        "updated_by": 12332,
        "created_at": int(lead.created_at.timestamp()),
        "updated_at": int(lead.updated_at.timestamp()),
        "closed_at": int(lead.closed_at.timestamp()) if lead.closed_at else None,
        "closest_task_at": None,
        "is_deleted": False,
        "score": None,
        "account_id": 31361463,
        "custom_fields_values": lead.custom_fields_values or None,
        "_links": {"self": {"href": f"{_base(request, account)}/leads/{lead.pk}"}},
        "_embedded": embedded,
    }


def _contact_json(contact: AmoContact, request: HttpRequest, account: str) -> dict:
    return {
        "id": contact.pk,
        "name": f"{contact.first_name} {contact.last_name}".strip(),
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "responsible_user_id": 321123,
        "created_at": int(contact.created_at.timestamp()),
        "updated_at": int(contact.updated_at.timestamp()),
        "custom_fields_values": contact.custom_fields_values or None,
        "_links": {"self": {"href": f"{_base(request, account)}/contacts/{contact.pk}"}},
        "_embedded": {"leads": [{"id": lead.pk} for lead in contact.leads.all()]},
    }


def _body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _ids(request: HttpRequest) -> list[int]:
    raw = request.GET.getlist("filter[id][]") + request.GET.getlist("filter[id]")
    return [n for v in raw if (n := parse_int(v.strip())) is not None]


def _paged(request: HttpRequest, qs, key: str, render) -> HttpResponse:
    try:
        limit = min(max(int(request.GET.get("limit", 50)), 1), 250)
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return _problem(400, "Request validation failed")
    rows = list(qs.order_by("id")[(page - 1) * limit : page * limit + 1])
    if not rows:
        return HttpResponse(status=204)  # nothing matched: 204 with an empty body
    links = {"self": {"href": request.build_absolute_uri()}}
    if len(rows) > limit:
        links["next"] = {"href": request.build_absolute_uri(f"?page={page + 1}&limit={limit}")}
    return _hal(
        {"_page": page, "_links": links, "_embedded": {key: [render(r) for r in rows[:limit]]}}
    )


@api
def leads(request: HttpRequest, account: str) -> HttpResponse:
    if request.method == "POST":
        return _leads_create(request, account)
    if request.method == "PATCH":
        return _leads_patch(request, account, _body(request))
    qs = AmoLead.objects.filter(account=account, is_deleted=False).prefetch_related("contacts")
    if ids := _ids(request):
        qs = qs.filter(pk__in=ids)
    if query := request.GET.get("query", "").strip():
        qs = qs.filter(search_text__icontains=query)
    with_contacts = "contacts" in request.GET.get("with", "").split(",")
    return _paged(
        request, qs, "leads", lambda lead: _lead_json(lead, request, account, with_contacts)
    )


def _validation_error(
    index: int, path: str, detail: str, code: str = "NotSupportedChoice"
) -> JsonResponse:
    return _problem(
        400,
        "Request validation failed",
        **{
            "validation-errors": [
                {
                    "request_id": str(index),
                    "errors": [{"code": code, "path": path, "detail": detail}],
                }
            ]
        },
    )


def _check_lead(item, index: int) -> tuple[int, int] | JsonResponse:
    if not isinstance(item, dict) or not str(item.get("name", "")).strip():
        return _validation_error(index, "name", "This value should not be blank.", "NotBlank")
    pipeline_id = item.get("pipeline_id") or _main_pipeline()["id"]
    pipeline = next((p for p in PIPELINES if p["id"] == pipeline_id), None)
    if pipeline is None:
        return _validation_error(
            index, "pipeline_id", "The value you selected is not a valid choice."
        )
    status_id = item.get("status_id") or pipeline["statuses"][0][0]
    if not _valid_status(pipeline_id, status_id):
        return _validation_error(
            index, "status_id", "The value you selected is not a valid choice."
        )
    for number, field in enumerate(item.get("custom_fields_values") or []):
        if not isinstance(field, dict) or field.get("field_id") not in LEAD_FIELDS:
            return _validation_error(
                index,
                f"custom_fields_values.{number}.field_id",
                "The value you selected is not a valid choice.",
            )
    return pipeline_id, status_id


def _leads_create(request: HttpRequest, account: str) -> HttpResponse:
    items = _body(request)
    if not isinstance(items, list) or not items:
        return _problem(400, "Request validation failed")
    checked = [_check_lead(item, i) for i, item in enumerate(items)]
    if bad := next((c for c in checked if isinstance(c, JsonResponse)), None):
        return bad
    created = []
    with transaction.atomic():
        for i, (item, (pipeline_id, status_id)) in enumerate(zip(items, checked, strict=True)):
            lead = _lead_store(account, item, pipeline_id, status_id)
            contact_ids = [
                c["id"] for c in (item.get("_embedded") or {}).get("contacts", []) if "id" in c
            ]
            lead.contacts.set(AmoContact.objects.filter(account=account, pk__in=contact_ids))
            created.append(
                {
                    "id": lead.pk,
                    "request_id": str(i),
                    "_links": {"self": {"href": f"{_base(request, account)}/leads/{lead.pk}"}},
                }
            )
    return _hal(
        {
            "_links": {"self": {"href": request.build_absolute_uri()}},
            "_embedded": {"leads": created},
        }
    )


def _lead_store(account: str, item: dict, pipeline_id: int, status_id: int) -> AmoLead:
    tags = [
        {"id": 1000 + i, "name": str(t["name"]), "color": None}
        for i, t in enumerate((item.get("_embedded") or {}).get("tags", []))
        if "name" in t
    ]
    fields = item.get("custom_fields_values")
    return AmoLead.objects.create(
        account=account,
        name=str(item["name"])[:255],
        price=int(item.get("price") or 0),
        pipeline_id=pipeline_id,
        status_id=status_id,
        tags=tags,
        custom_fields_values=fields,
        search_text=" ".join(
            [str(item["name"]), *(t["name"] for t in tags), json.dumps(fields or [])]
        ),
        closed_at=timezone.now() if status_id in (WON, LOST) else None,
    )


@api
def leads_complex(request: HttpRequest, account: str) -> HttpResponse:
    items = _body(request)
    if not isinstance(items, list) or not items or len(items) > 50:
        return _problem(400, "Request validation failed")
    checked = [_check_lead(item, i) for i, item in enumerate(items)]
    if bad := next((c for c in checked if isinstance(c, JsonResponse)), None):
        return bad
    result, fresh = [], set()
    with transaction.atomic():
        for i, (item, (pipeline_id, status_id)) in enumerate(zip(items, checked, strict=True)):
            contacts = (item.get("_embedded") or {}).get("contacts") or []
            if twin := duplicate(account, pipeline_id, contacts, fresh):
                lead, contact = twin
                result.append(
                    {
                        "id": lead.pk,
                        "contact_id": contact.pk,
                        "company_id": None,
                        "request_id": [str(i)],
                        "merged": True,
                    }
                )
                continue
            lead = _lead_store(account, item, pipeline_id, status_id)
            fresh.add(lead.pk)
            contact_id = None
            if contacts:
                raw = contacts[0]
                fields = [
                    f
                    for f in raw.get("custom_fields_values") or []
                    if f.get("field_code") in ("PHONE", "EMAIL")
                ]
                contact = AmoContact.objects.create(
                    account=account,
                    first_name=str(raw.get("first_name", "")),
                    last_name=str(raw.get("last_name", "")),
                    custom_fields_values=fields or None,
                    search_text=json.dumps(raw, ensure_ascii=False),
                )
                lead.contacts.add(contact)
                contact_id = contact.pk
            result.append(
                {
                    "id": lead.pk,
                    "contact_id": contact_id,
                    "company_id": None,
                    "request_id": [str(i)],
                    "merged": False,
                }
            )
    return _hal(result)


def _leads_patch(request: HttpRequest, account: str, items) -> HttpResponse:
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return _problem(400, "Request validation failed")
    updated = []
    for i, item in enumerate(items):
        lead = AmoLead.objects.filter(account=account, pk=item.get("id"), is_deleted=False).first()
        if lead is None:
            return _validation_error(i, "id", "Lead not found", "NotFound")
        pipeline_id = int(item.get("pipeline_id") or lead.pipeline_id)
        status_id = int(item.get("status_id") or lead.status_id)
        if not _valid_status(pipeline_id, status_id):
            return _validation_error(
                i, "status_id", "The value you selected is not a valid choice."
            )
        lead.pipeline_id, lead.status_id = pipeline_id, status_id
        lead.closed_at = timezone.now() if status_id in (WON, LOST) else None
        lead.save()
        updated.append({"id": lead.pk, "updated_at": int(lead.updated_at.timestamp())})
    return _hal({"_embedded": {"leads": updated}})


@api
def lead_detail(request: HttpRequest, account: str, lead_id: int) -> HttpResponse:
    if request.method == "PATCH":
        body = _body(request)
        return _leads_patch(
            request, account, {**(body if isinstance(body, dict) else {}), "id": lead_id}
        )
    lead = AmoLead.objects.filter(account=account, pk=lead_id, is_deleted=False).first()
    if lead is None:
        return HttpResponse(status=204)
    with_contacts = "contacts" in request.GET.get("with", "").split(",")
    return _hal(_lead_json(lead, request, account, with_contacts))


@api
def contacts(request: HttpRequest, account: str) -> HttpResponse:
    qs = AmoContact.objects.filter(account=account).prefetch_related("leads")
    if ids := _ids(request):
        qs = qs.filter(pk__in=ids)
    if query := request.GET.get("query", "").strip():
        qs = qs.filter(search_text__icontains=query)
    return _paged(request, qs, "contacts", lambda c: _contact_json(c, request, account))


@api
def contact_detail(request: HttpRequest, account: str, contact_id: int) -> HttpResponse:
    contact = AmoContact.objects.filter(account=account, pk=contact_id).first()
    if contact is None:
        return HttpResponse(status=204)
    return _hal(_contact_json(contact, request, account))


@emulator("amocrm")
def access_token(request: HttpRequest, account: str) -> HttpResponse:
    """OAuth token endpoint; refresh tokens are single-use."""
    body = _body(request)
    if not isinstance(body, dict) or body.get("grant_type") != "refresh_token":
        return _problem(400, "grant_type must be refresh_token in the sandbox")
    if not (body.get("client_id") and body.get("client_secret") and body.get("refresh_token")):
        return _problem(400, "client_id, client_secret and refresh_token are required")
    token = str(body["refresh_token"])
    with transaction.atomic():
        try:
            row, _ = AmoRefreshToken.objects.select_for_update().get_or_create(
                token=token, defaults={"account": account}
            )
        except IntegrityError:
            return _problem(401, "Refresh token is invalid")
        if row.used or row.account != account:
            return _problem(401, "Refresh token has been used")
        row.used = True
        row.save(update_fields=["used"])
        new_refresh = f"sbx-refresh-{secrets.token_hex(16)}"
        AmoRefreshToken.objects.create(account=account, token=new_refresh)
    return JsonResponse(
        {
            "token_type": "Bearer",
            "expires_in": 86400,
            "server_time": int(time.time()),
            "access_token": f"sbx-access-{secrets.token_hex(16)}",
            "refresh_token": new_refresh,
        }
    )


urlpatterns = [
    path("<slug:account>/api/v4/leads/pipelines", pipelines),
    path("<slug:account>/api/v4/leads/complex", leads_complex),
    path("<slug:account>/api/v4/leads", leads),
    path("<slug:account>/api/v4/leads/<int:lead_id>", lead_detail),
    path("<slug:account>/api/v4/contacts", contacts),
    path("<slug:account>/api/v4/contacts/<int:contact_id>", contact_detail),
    path("<slug:account>/oauth2/access_token", access_token),
]
