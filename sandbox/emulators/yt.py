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

from sandbox.emulators import yson_text
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


def _error_response(error: dict, status: int) -> HttpResponse:
    # http-reference.md: the error tree in the body and in X-YT-Error (one line).
    text = json.dumps(error)
    response = HttpResponse(text, status=status, content_type="application/json")
    response["X-YT-Error"] = text
    response["X-YT-Response-Code"] = str(error["code"])
    response["X-YT-Response-Message"] = error["message"]
    return response


def _resolve_error(node: str) -> HttpResponse:
    parent, _, child = node.rpartition("/")
    return _error_response(
        {
            "code": RESOLVE_ERROR,
            "message": f"Error resolving path {node}",
            "attributes": {"datetime": _yt_time(timezone.now()), "path": node},
            "inner_errors": [
                {
                    "code": RESOLVE_ERROR,
                    "message": f'Node {parent or "/"} has no child with key "{child}"',
                    "attributes": {},
                    "inner_errors": [],
                }
            ],
        },
        400,
    )


def _header(request: HttpRequest, name: str):
    """Header `name` parsed in the request's X-YT-Header-Format (json by default)."""
    raw = request.headers.get(name)
    if raw is None:
        return None
    # A bare `json` (the documented curl examples) is text YSON, not JSON.
    parsers = (json.loads, yson_text.loads)
    if "yson" in request.headers.get("X-YT-Header-Format", "json"):
        parsers = (yson_text.loads,)
    for parse in parsers:
        try:
            return parse(raw)
        except ValueError:
            continue
    return None


def _params(request: HttpRequest) -> dict:
    header = _header(request, "X-YT-Parameters")
    return {**request.GET.dict(), **(header if isinstance(header, dict) else {})}


def _output_format(request: HttpRequest, params: dict) -> tuple[str, dict]:
    """(name, attributes) of the output format: X-YT-Output-Format, the
    `output_format` parameter, or `Accept: application/json`; else text YSON."""
    spec = _header(request, "X-YT-Output-Format") or params.get("output_format")
    if spec is None and "application/json" in request.headers.get("Accept", ""):
        spec = "json"
    if isinstance(spec, dict):
        return str(spec.get("$value", "yson")), dict(spec.get("$attributes") or {})
    return (str(spec) if spec else "yson"), {}


def _encode_utf8(value):
    """The json format's documented default (`encode_utf8=%true`): every byte of
    a string's UTF-8 becomes one code point (what a client must undo)."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin1")
    if isinstance(value, list):
        return [_encode_utf8(item) for item in value]
    if isinstance(value, dict):
        return {_encode_utf8(k): _encode_utf8(v) for k, v in value.items()}
    return value


def _dump(value, output: tuple[str, dict]) -> tuple[str, str]:
    """(text, content type) of `value` in the output format."""
    name, attributes = output
    if name == "json":
        if attributes.get("encode_utf8", True):
            value = _encode_utf8(value)
        return json.dumps(value), "application/json"
    return yson_text.dumps(value), "application/x-yt-yson-text"


def _path(params: dict) -> str:
    # A rich YPath (`<attributes>"//t"`, as yt.wrapper may send it) names its node in $value.
    value = params.get("path", "")
    return str(value.get("$value", "") if isinstance(value, dict) else value)


def _structured(value, request: HttpRequest, params: dict) -> HttpResponse:
    # v4 wraps a result in {"value": ...}; `return_only_value` (yt.wrapper's
    # `get` sends it) asks for the bare value.
    if not params.get("return_only_value"):
        value = {"value": value}
    text, content_type = _dump(value, _output_format(request, params))
    response = HttpResponse(text, content_type=content_type)
    response["X-YT-Response-Code"] = "0"
    return response


def _unauthenticated(request: HttpRequest) -> HttpResponse | None:
    auth = request.headers.get("Authorization")
    if auth is not None and not auth.startswith("OAuth "):
        return _error_response({"code": 1, "message": "Bad authorization header"}, 401)
    return None


def _table(node: str) -> YtTable | None:
    return YtTable.objects.filter(path=node, is_present=True).first()


def _attributes(table: YtTable) -> dict:
    """The system attributes the emulator knows (cypress.md, attributes.md)."""
    size = len(table.rows.encode())
    return {
        "type": "table",
        "modification_time": _yt_time(table.modification_time),
        "creation_time": _yt_time(table.created_at),
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
    denied = _unauthenticated(request)
    if denied:
        return denied
    params = _params(request)
    node = _path(params)
    base, at, attribute = node.partition("/@")
    table = _table(base)
    known = _attributes(table) if table else {}
    if table is None or (attribute and attribute not in known):
        return _resolve_error(node)
    if attribute:
        value = known[attribute]
    elif at:  # `//t/@`: the attribute map, or the `attributes` asked for
        wanted = params.get("attributes")
        value = {k: v for k, v in known.items() if not wanted or k in wanted}
    else:
        value = None  # a table node's value is the entity, not its rows
    return _structured(value, request, params)


@emulator("yt")
def exists(request: HttpRequest) -> HttpResponse:
    denied = _unauthenticated(request)
    if denied:
        return denied
    params = _params(request)
    return _structured(_table(_path(params)) is not None, request, params)


@emulator("yt")
def read_table(request: HttpRequest) -> HttpResponse:
    denied = _unauthenticated(request)
    if denied:
        return denied
    params = _params(request)
    node = _path(params)
    table = _table(node)
    if table is None:
        return _resolve_error(node)
    output = _output_format(request, params)
    if output[0] not in ("json", "yson"):
        return _error_response({"code": 1, "message": f"Unsupported format {output[0]}"}, 400)
    rows = (json.loads(line) for line in table.row_lines())
    separator = "\n" if output[0] == "json" else ";\n"
    response = StreamingHttpResponse(
        (_dump(row, output)[0] + separator for row in rows),
        status=202,
        content_type=_dump({}, output)[1],
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
]


def seed_demo_table(path: str) -> YtTable:
    """The demo exclusion table: clients 100001-103000 divisible by 7, plus five
    ids no shard knows. Left alone when it exists (operators edit it)."""
    existing = YtTable.objects.filter(path=path).first()
    if existing:
        return existing
    ids = [c for c in range(100_001, 103_001) if c % 7 == 0] + list(range(900_001, 900_006))
    return set_table(path, [{"client_id": c, "segment": "SMB"} for c in ids])
