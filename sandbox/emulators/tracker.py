"""Yandex Tracker API v2 emulator, after the Yandex Tracker API documentation.

Mounted at /sandbox/tracker/, and at the root of its own port for the official
client (sandbox.hosting; `self` links follow the mount). Every request needs `Authorization: OAuth <t>`
and an organization header (X-Org-ID or X-Cloud-Org-ID); issues are kept per
organization. Queues HIRE, DEV and SALES exist everywhere. A repeated create
with the same `unique` answers 409 with no body (the documentation gives the
409 no shape, and the official client reads none); `POST
/v2/issues/_findByUnique?unique=` answers that issue, or 404. Statuses change over time: an open issue
moves to inProgress after STATUS_STEP seconds without changes, and an issue
in progress is closed (resolution "fixed") after 3 more steps; transitions
change them at once.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone

from sandbox.faults import emulator
from sandbox.subsystem_models import TrackerIssue

STATUS_STEP = timedelta(minutes=10)
QUEUES = {"HIRE": ("111", "Найм"), "DEV": ("112", "Разработка"), "SALES": ("113", "Продажи")}
STATUSES = {
    "open": ("1", "Открыт"),
    "inProgress": ("3", "В работе"),
    "needInfo": ("4", "Требуется информация"),
    "closed": ("5", "Закрыт"),
}
TRANSITIONS = {  # from status -> {transition id: target status}
    "open": {"start_progress": "inProgress", "close": "closed"},
    "inProgress": {"need_info": "needInfo", "close": "closed", "stop_progress": "open"},
    "needInfo": {"start_progress": "inProgress", "close": "closed"},
    "closed": {"reopen": "open"},
}


def _error(status: int, *messages: str, **fields: str) -> JsonResponse:
    return JsonResponse(
        {"errors": fields, "errorMessages": list(messages), "statusCode": status}, status=status
    )


def _org(request: HttpRequest) -> str | None:
    return request.headers.get("X-Org-ID") or request.headers.get("X-Cloud-Org-ID")


def api(view):
    @emulator("tracker")
    def wrapped(request: HttpRequest, *args, **kwargs):
        auth = request.headers.get("Authorization", "")
        if not auth.startswith(("OAuth ", "Bearer ")) or not auth.split(" ", 1)[1].strip():
            return _error(401, "Authorization required")
        if auth.split(" ", 1)[1].startswith(("revoked", "expired")):
            return _error(401, "Token is invalid")
        org = _org(request)
        if not org:
            return _error(401, "Organization header X-Org-ID or X-Cloud-Org-ID is required")
        return view(request, org, *args, **kwargs)

    return wrapped


def _fmt(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _advance(issue: TrackerIssue) -> TrackerIssue:
    """Let time move the issue along its workflow (the emulator's own rule)."""
    now = timezone.now()
    target = None
    if issue.status == "open" and now - issue.updated_at >= STATUS_STEP:
        target = "inProgress"
    elif issue.status == "inProgress" and now - issue.updated_at >= 3 * STATUS_STEP:
        target = "closed"
    if target:
        _move(
            issue,
            target,
            at=issue.updated_at + (STATUS_STEP if target == "inProgress" else 3 * STATUS_STEP),
        )
    return issue


def _move(issue: TrackerIssue, target: str, *, at=None) -> None:
    issue.status = target
    issue.resolution = "fixed" if target == "closed" else ""
    issue.updated_at = at or timezone.now()
    issue.version += 1
    issue.save(update_fields=["status", "resolution", "updated_at", "version"])


def _api_root(request: HttpRequest) -> str:
    """The URL `/v2/` hangs from: /sandbox/tracker, or the root of its own port."""
    # Not build_absolute_uri(""): an empty location means the request's own URL.
    return f"{request.scheme}://{request.get_host()}{request.path[: request.path.index('/v2/')]}"


def _ref(request: HttpRequest, kind: str, ident: str, display: str, **extra) -> dict:
    return {
        "self": f"{_api_root(request)}/v2/{kind}/{ident}",
        "id": ident,
        "display": display,
        **extra,
    }


def _issue_json(request: HttpRequest, issue: TrackerIssue) -> dict:
    queue_id, queue_name = QUEUES[issue.queue]
    status_id, status_name = STATUSES[issue.status]
    body = {
        "self": f"{_api_root(request)}/v2/issues/{issue.key}",
        "id": f"{issue.pk:024x}",
        "key": issue.key,
        "version": issue.version,
        "summary": issue.summary,
        "description": issue.description,
        "queue": _ref(request, "queues", issue.queue, queue_name, key=issue.queue)
        | {"id": queue_id},
        "type": _ref(request, "issuetypes", "2", "Задача", key="task"),
        "priority": _ref(request, "priorities", "3", "Средний", key="normal"),
        "status": _ref(request, "statuses", status_id, status_name, key=issue.status),
        "previousStatus": None,
        "createdBy": _ref(request, "users", "1120000000049224", "Робот подбора"),
        "createdAt": _fmt(issue.created_at),
        "updatedAt": _fmt(issue.updated_at),
        "followers": [],
        "votes": 0,
        "favorite": False,
    }
    if issue.unique:
        body["unique"] = issue.unique
    if issue.resolution:
        body["resolution"] = _ref(request, "resolutions", "1", "Решен", key=issue.resolution)
    return body


def _body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


def _queue_key(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("key") or value.get("id")
    value = str(value or "")
    by_id = {qid: key for key, (qid, _name) in QUEUES.items()}
    return value if value in QUEUES else by_id.get(value)


@api
def issues(request: HttpRequest, org: str) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "Method not allowed")
    body = _body(request)
    if not isinstance(body, dict) or not str(body.get("summary") or "").strip():
        return _error(400, "Invalid request", summary="Required field")
    queue = _queue_key(body.get("queue"))
    if queue is None:
        return _error(404, "Queue does not exist", queue=str(body.get("queue")))
    unique = body.get("unique") or None
    if unique and TrackerIssue.objects.filter(org_id=org, unique=unique).exists():
        return HttpResponse(status=409)
    for _attempt in range(5):
        number = TrackerIssue.objects.filter(org_id=org, queue=queue).count() + 1
        now = timezone.now()
        try:
            with transaction.atomic():
                issue = TrackerIssue.objects.create(
                    org_id=org,
                    queue=queue,
                    key=f"{queue}-{number}",
                    summary=str(body["summary"])[:500],
                    description=str(body.get("description") or ""),
                    unique=unique,
                    created_at=now,
                    updated_at=now,
                )
            return JsonResponse(_issue_json(request, issue), status=201)
        except IntegrityError:
            if unique and TrackerIssue.objects.filter(org_id=org, unique=unique).exists():
                return HttpResponse(status=409)
    return _error(503, "Try again")


@api
def search(request: HttpRequest, org: str) -> HttpResponse:
    body = _body(request)
    if not isinstance(body, dict):
        return _error(400, "Invalid request")
    given = [k for k in ("keys", "queue", "filter", "query") if body.get(k)]
    if len(given) > 1 and "query" in given:
        return _error(400, "You can only use keys, a queue, or a search query")
    qs = TrackerIssue.objects.filter(org_id=org)
    if "queue" in given:
        qs = qs.filter(queue=_queue_key(body["queue"]) or "-")
    elif "keys" in given:
        keys = body["keys"] if isinstance(body["keys"], list) else [body["keys"]]
        qs = qs.filter(key__in=[str(k) for k in keys])
    elif "filter" in given:
        for field, value in body["filter"].items():
            if field not in ("unique", "queue", "status", "key"):
                return _error(400, f"Unsupported filter field in the sandbox: {field}")
            qs = qs.filter(**{field: value})
    elif "query" in given:
        return _error(400, "The sandbox does not implement the query language")
    try:
        per_page = min(max(int(request.GET.get("perPage", 50)), 1), 1000)
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return _error(400, "Invalid paging")
    total = qs.count()
    rows = [
        _advance(i) for i in qs.order_by("queue", "pk")[(page - 1) * per_page : page * per_page]
    ]
    response = JsonResponse([_issue_json(request, i) for i in rows], safe=False)
    response["X-Total-Count"] = str(total)
    response["X-Total-Pages"] = str(max(1, -(-total // per_page)))
    return response


@api
def find_by_unique(request: HttpRequest, org: str) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "Method not allowed")
    unique = request.GET.get("unique") or ""
    issue = TrackerIssue.objects.filter(org_id=org, unique=unique).first() if unique else None
    if issue is None:
        return _error(404, "Issue does not exist")
    return JsonResponse(_issue_json(request, _advance(issue)))


def _get_issue(org: str, key: str) -> TrackerIssue | None:
    issue = TrackerIssue.objects.filter(org_id=org, key=key).first()
    return _advance(issue) if issue else None


@api
def issue_detail(request: HttpRequest, org: str, key: str) -> HttpResponse:
    issue = _get_issue(org, key)
    if issue is None:
        return _error(404, "Issue does not exist")
    return JsonResponse(_issue_json(request, issue))


@api
def transitions(request: HttpRequest, org: str, key: str) -> HttpResponse:
    issue = _get_issue(org, key)
    if issue is None:
        return _error(404, "Issue does not exist")
    items = [
        {"id": tid, "display": tid, "to": _ref(request, "statuses", *STATUSES[target], key=target)}
        for tid, target in TRANSITIONS[issue.status].items()
    ]
    return JsonResponse(items, safe=False)


@api
def transition_execute(request: HttpRequest, org: str, key: str, transition: str) -> HttpResponse:
    issue = _get_issue(org, key)
    if issue is None:
        return _error(404, "Issue does not exist")
    target = TRANSITIONS[issue.status].get(transition)
    if target is None:
        return _error(422, "Transition is not available from this status")
    _move(issue, target)
    return JsonResponse([], safe=False)


@api
def queue_detail(request: HttpRequest, org: str, key: str) -> HttpResponse:
    queue = _queue_key(key)
    if queue is None:
        return _error(404, "Queue does not exist")
    queue_id, name = QUEUES[queue]
    # get-queue.md's example and the official client's both send the queue id
    # as a number (the page's table says String; issues' `queue.id` is a string).
    return JsonResponse(
        {
            "self": request.build_absolute_uri(),
            "id": int(queue_id),
            "key": queue,
            "version": 1,
            "name": name,
            "defaultType": {"key": "task"},
        }
    )


@api
def queues(request: HttpRequest, org: str) -> HttpResponse:
    return JsonResponse(
        [{"id": int(qid), "key": key, "name": name} for key, (qid, name) in QUEUES.items()],
        safe=False,
    )


# The global fields the emulator's issues carry, shaped like GET /v2/fields
# (the official client's tests/common/backend_responses/fields.json); the
# official client reads them to know which fields an issue may have.
FIELDS = (
    ("key", "Key", "string", True, True),
    ("summary", "Summary", "string", True, False),
    ("description", "Description", "text", False, False),
    ("queue", "Queue", "queue", True, True),
    ("type", "Type", "issuetype", True, False),
    ("priority", "Priority", "priority", True, False),
    ("status", "Status", "status", True, True),
    ("resolution", "Resolution", "resolution", False, False),
    ("unique", "UUID", "string", False, False),
    ("createdBy", "Author", "user", True, False),
    ("createdAt", "Created", "datetime", True, True),
    ("updatedAt", "Updated", "datetime", True, True),
    ("assignee", "Assignee", "user", False, False),
)


@api
def fields(request: HttpRequest, org: str) -> HttpResponse:
    root = _api_root(request)
    body = [
        {
            "self": f"{root}/v2/fields/{fid}",
            "id": fid,
            "name": name,
            "schema": {"type": kind, "required": required},
            "readonly": readonly,
            "options": False,
            "suggest": False,
        }
        for fid, name, kind, required, readonly in FIELDS
    ]
    body.append(
        {
            "self": f"{root}/v2/fields/followers",
            "id": "followers",
            "name": "Followers",
            "schema": {"type": "array", "items": "user"},
            "readonly": False,
            "options": True,
            "suggest": True,
        }
    )
    return JsonResponse(body, safe=False)


@api
def local_fields(request: HttpRequest, org: str, key: str) -> HttpResponse:
    if _queue_key(key) is None:
        return _error(404, "Queue does not exist")
    return JsonResponse([], safe=False)  # the emulator's queues have no local fields


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """Unknown paths at the root of the emulator's own port, in the API's error shape."""
    return _error(404, "Resource not found")


@api
def myself(request: HttpRequest, org: str) -> HttpResponse:
    return JsonResponse({"uid": 1120000000049224, "login": "robot", "display": "Робот подбора"})


urlpatterns = [
    path("v2/issues/", issues),
    path("v2/issues/_search", search),
    path("v2/issues/_findByUnique", find_by_unique),
    path("v2/issues/<str:key>", issue_detail),
    path("v2/issues/<str:key>/transitions", transitions),
    path("v2/issues/<str:key>/transitions/<str:transition>/_execute", transition_execute),
    path("v2/queues/", queues),
    path("v2/queues/<str:key>", queue_detail),
    path("v2/queues/<str:key>/localFields", local_fields),
    path("v2/fields/", fields),
    path("v2/fields", fields),
    path("v2/myself", myself),
]
