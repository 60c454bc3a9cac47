"""YT emulator: the HTTP proxy API v4 commands `get`, `exists`, `read_table`, and `/hosts`
(transactions and snapshot locks: yt_transactions; the proxy's conventions: yt_http).

After the YTsaurus HTTP proxy documentation: v4 wraps results in {"value": ...}; a
missing node is HTTP 400 with a YT error tree (code 500, resolve error);
`read_table` with JSON output streams one JSON object per line (202); `/hosts`
lists heavy proxies. Tables live in `sandbox.models.YtTable`.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from sandbox.emulators import yson_text
from sandbox.emulators import yt_http as proxy
from sandbox.emulators import yt_transactions as transactions
from sandbox.emulators.yt_http import yt_time
from sandbox.faults import emulator
from sandbox.models import YtTable


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


def _table(node: str) -> YtTable | None:
    return transactions.find_table(node)


def _attributes(table: YtTable) -> dict:
    """The system attributes the emulator knows (cypress.md, attributes.md)."""
    size = len(table.rows.encode())
    return {
        "id": transactions.node_id(table),
        "type": "table",
        "modification_time": yt_time(table.modification_time),
        "creation_time": yt_time(table.created_at),
        "revision": table.revision,
        "row_count": len(table.row_lines()),
        "chunk_count": 1,
        "compressed_data_size": size,
        "uncompressed_data_size": size,
        "data_weight": size,
        "dynamic": False,
        "sorted": False,
        "replication_factor": 3,
    }


@emulator("yt")
def get(request: HttpRequest) -> HttpResponse:
    params = proxy.params(request)
    denied = proxy.unauthenticated(request) or transactions.transaction_problem(params)
    if denied:
        return denied
    node = proxy.ypath(params)
    base, at, attribute = node.partition("/@")
    table = _table(base)
    known = _attributes(table) if table else {}
    if table is None or (attribute and attribute not in known):
        return proxy.resolve_error(node)
    if attribute:
        value = known[attribute]
    elif at:  # `//t/@`: the attribute map, or the `attributes` asked for
        wanted = params.get("attributes")
        value = {k: v for k, v in known.items() if not wanted or k in wanted}
    else:
        value = None  # a table node's value is the entity, not its rows
    return proxy.structured(value, request, params)


@emulator("yt")
def exists(request: HttpRequest) -> HttpResponse:
    params = proxy.params(request)
    denied = proxy.unauthenticated(request) or transactions.transaction_problem(params)
    if denied:
        return denied
    return proxy.structured(_table(proxy.ypath(params)) is not None, request, params)


@emulator("yt")
def read_table(request: HttpRequest) -> HttpResponse:
    params = proxy.params(request)
    denied = proxy.unauthenticated(request) or transactions.transaction_problem(params)
    if denied:
        return denied
    node = proxy.ypath(params)
    table = _table(node)
    if table is None:
        return proxy.resolve_error(node)
    output = proxy.output_format(request, params)
    if output[0] not in ("json", "yson"):
        return proxy.error_response({"code": 1, "message": f"Unsupported format {output[0]}"}, 400)
    rows = (json.loads(line) for line in table.row_lines())
    separator = "\n" if output[0] == "json" else ";\n"
    response = StreamingHttpResponse(
        (proxy.dump(row, output)[0] + separator for row in rows),
        status=202,
        content_type=proxy.dump({}, output)[1],
    )
    response["X-YT-Response-Code"] = "0"
    # http-reference.md: a streamed read names where it starts, in the header format.
    parameters = {"start_row_index": 0, "approximate_row_count": len(table.row_lines())}
    header_yson = "yson" in request.headers.get("X-YT-Header-Format", "json")
    response["X-YT-Response-Parameters"] = (
        yson_text.dumps(parameters) if header_yson else json.dumps(parameters)
    )
    return response


@emulator("yt")
def hosts(request: HttpRequest) -> HttpResponse:
    # http.md: bare host names of heavy proxies. Served at a host root, this
    # emulator is its own heavy proxy; mounted under a path (/sandbox/yt/) it
    # cannot be named by a host, so it lists none and clients stay on the
    # light proxy's URL.
    at_root = request.path == "/hosts"
    return JsonResponse([request.get_host()] if at_root else [], safe=False)


# http-reference.md: `GET /api` lists versions, `GET /api/v4` the commands
# (the descriptors yt.wrapper reads to choose method, streaming and heavy proxy).
COMMANDS = [
    {
        "name": "get",
        "input_type": "null",
        "output_type": "structured",
        "is_volatile": False,
        "is_heavy": False,
    },
    {
        "name": "exists",
        "input_type": "null",
        "output_type": "structured",
        "is_volatile": False,
        "is_heavy": False,
    },
    {
        "name": "read_table",
        "input_type": "null",
        "output_type": "tabular",
        "is_volatile": False,
        "is_heavy": True,
    },
    *(
        {
            "name": name,
            "input_type": "null",
            "output_type": "null" if name.endswith("_transaction") else "structured",
            "is_volatile": True,
            "is_heavy": False,
        }
        for name in transactions.COMMANDS
    ),
]


@emulator("yt")
def api_versions(request: HttpRequest) -> HttpResponse:
    return JsonResponse(["v3", "v4"], safe=False)


@emulator("yt")
def api_commands(request: HttpRequest) -> HttpResponse:
    return JsonResponse(COMMANDS, safe=False)


urlpatterns = [
    path("hosts", hosts, name="yt-hosts"),
    path("api", api_versions, name="yt-api"),
    path("api/v4", api_commands, name="yt-api-v4"),
    path("api/v4/get", get, name="yt-get"),
    path("api/v4/exists", exists, name="yt-exists"),
    path("api/v4/read_table", read_table, name="yt-read-table"),
    *(path(f"api/v4/{name}", view) for name, view in transactions.COMMANDS.items()),
]


def seed_demo_table(path: str) -> YtTable:
    """The demo exclusion table: clients 100001-103000 divisible by 7, plus five
    ids no shard knows. Left alone when it exists (operators edit it)."""
    existing = YtTable.objects.filter(path=path).first()
    if existing:
        return existing
    ids = [c for c in range(100_001, 103_001) if c % 7 == 0] + list(range(900_001, 900_006))
    return set_table(path, [{"client_id": c, "segment": "SMB"} for c in ids])
