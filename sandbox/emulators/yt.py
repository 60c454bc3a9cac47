"""YT emulator: the HTTP proxy API v4 commands `get`, `exists`, `read_table`, and `/hosts`.

After the YTsaurus HTTP proxy documentation: v4 wraps results in {"value": ...}; a
missing node is HTTP 400 with a YT error tree (code 500, resolve error);
`read_table` with JSON output streams one JSON object per line (202); `/hosts`
lists heavy proxies. Tables live in `sandbox.models.YtTable`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from sandbox.faults import emulator
from sandbox.models import YtTable

RESOLVE_ERROR = 500


def set_table(
    table: str,
    rows: list[dict],
    *,
    modification_time: datetime | None = None,
    is_present: bool = True,
) -> YtTable:
    """Create or replace an emulated table (tests, benchmarks, the demo)."""
    body = "\n".join(json.dumps(row) for row in rows)
    existing = YtTable.objects.filter(path=table).first()
    revision = existing.revision + 1 if existing else 1
    obj, _ = YtTable.objects.update_or_create(
        path=table,
        defaults={
            "rows": body,
            "modification_time": modification_time or timezone.now(),
            "revision": revision,
            "is_present": is_present,
        },
    )
    return obj


def _yt_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _resolve_error(node: str) -> JsonResponse:
    parent, _, child = node.rpartition("/")
    error = {
        "code": RESOLVE_ERROR,
        "message": f"Error resolving path {node}",
        "attributes": {"datetime": _yt_time(timezone.now()), "path": node},
        "inner_errors": [
            {
                "code": RESOLVE_ERROR,
                "message": f'Node {parent or "/"} has no child with key "{child}"',
                "inner_errors": [],
            }
        ],
    }
    response = JsonResponse(error, status=400)
    response["X-YT-Error"] = json.dumps(error)
    response["X-YT-Response-Code"] = str(RESOLVE_ERROR)
    return response


def _params(request: HttpRequest) -> dict:
    try:
        header = json.loads(request.headers.get("X-YT-Parameters") or "{}")
    except ValueError:
        header = {}
    return {**request.GET.dict(), **(header if isinstance(header, dict) else {})}


def _unauthenticated(request: HttpRequest) -> HttpResponse | None:
    auth = request.headers.get("Authorization")
    if auth is not None and not auth.startswith("OAuth "):
        return JsonResponse({"code": 1, "message": "Bad authorization header"}, status=401)
    return None


def _table(node: str) -> YtTable | None:
    return YtTable.objects.filter(path=node, is_present=True).first()


def _attribute(table: YtTable, name: str):
    return {
        "modification_time": _yt_time(table.modification_time),
        "creation_time": _yt_time(table.created_at),
        "revision": table.revision,
        "row_count": len(table.row_lines()),
        "type": "table",
    }.get(name)


@emulator("yt")
def get(request: HttpRequest) -> HttpResponse:
    denied = _unauthenticated(request)
    if denied:
        return denied
    node = str(_params(request).get("path", ""))
    base, _, attribute = node.partition("/@")
    table = _table(base)
    value = _attribute(table, attribute) if table else None
    if table is None or (attribute and value is None):
        return _resolve_error(node)
    if not attribute:
        value = [json.loads(line) for line in table.row_lines()]
    return JsonResponse({"value": value})


@emulator("yt")
def exists(request: HttpRequest) -> HttpResponse:
    denied = _unauthenticated(request)
    if denied:
        return denied
    return JsonResponse({"value": _table(str(_params(request).get("path", ""))) is not None})


@emulator("yt")
def read_table(request: HttpRequest) -> HttpResponse:
    denied = _unauthenticated(request)
    if denied:
        return denied
    node = str(_params(request).get("path", ""))
    table = _table(node)
    if table is None:
        return _resolve_error(node)
    lines = table.row_lines()
    return StreamingHttpResponse(
        (line + "\n" for line in lines), status=202, content_type="application/json"
    )


@emulator("yt")
def hosts(request: HttpRequest) -> HttpResponse:
    # Real proxies answer bare host names; this one is its own heavy proxy, so
    # it names itself with its mount point.
    prefix = request.path.removesuffix("hosts").rstrip("/")
    return JsonResponse([f"{request.get_host()}{prefix}"], safe=False)


urlpatterns = [
    path("hosts", hosts, name="yt-hosts"),
    path("api/v4/get", get, name="yt-get"),
    path("api/v4/exists", exists, name="yt-exists"),
    path("api/v4/read_table", read_table, name="yt-read-table"),
]


def seed_demo_table(path: str) -> YtTable:
    """The demo exclusion table: clients 100001-103000 divisible by 7, plus five
    ids no shard knows. Left alone when it exists (operators edit it)."""
    existing = YtTable.objects.filter(path=path).first()
    if existing:
        return existing
    ids = [c for c in range(100_001, 103_001) if c % 7 == 0] + list(range(900_001, 900_006))
    return set_table(path, [{"client_id": c, "segment": "SMB"} for c in ids])
