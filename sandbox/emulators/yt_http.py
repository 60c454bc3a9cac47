"""The YT HTTP proxy's request and answer conventions, shared by the emulator's commands.

After yt/docs http-reference.md: parameters in the query string or in
`X-YT-Parameters` (in the `X-YT-Header-Format`), the output format from
`X-YT-Output-Format` / `output_format` / `Accept`, v4 results wrapped in
{"value": ...}, errors as a YT error tree in the body and in `X-YT-Error`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sandbox.emulators import yson_text

RESOLVE_ERROR = 500
NO_SUCH_TRANSACTION = 11000  # yt/python yt/common.py, is_no_such_transaction()


def yt_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_response(error: dict, status: int) -> HttpResponse:
    # http-reference.md: the error tree in the body and in X-YT-Error (one line).
    text = json.dumps(error)
    response = HttpResponse(text, status=status, content_type="application/json")
    response["X-YT-Error"] = text
    response["X-YT-Response-Code"] = str(error["code"])
    response["X-YT-Response-Message"] = error["message"]
    return response


def resolve_error(node: str) -> HttpResponse:
    parent, _, child = node.rpartition("/")
    return error_response(
        {
            "code": RESOLVE_ERROR,
            "message": f"Error resolving path {node}",
            "attributes": {"datetime": yt_time(timezone.now()), "path": node},
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


def read_header(request: HttpRequest, name: str):
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


def _body_params(request: HttpRequest) -> dict:
    """Parameters a mutating command without input sends as its body (yt.wrapper
    does, in the header format: JSON or text YSON by Content-Type)."""
    if request.method != "POST" or not request.body:
        return {}
    parse = yson_text.loads if "yson" in request.content_type else json.loads
    try:
        body = parse(request.body.decode())
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def params(request: HttpRequest) -> dict:
    header = read_header(request, "X-YT-Parameters")
    header_params = header if isinstance(header, dict) else {}
    return {**request.GET.dict(), **_body_params(request), **header_params}


def output_format(request: HttpRequest, params: dict) -> tuple[str, dict]:
    """(name, attributes) of the output format: X-YT-Output-Format, the
    `output_format` parameter, or `Accept: application/json`; else text YSON."""
    spec = read_header(request, "X-YT-Output-Format") or params.get("output_format")
    if spec is None and "application/json" in request.headers.get("Accept", ""):
        spec = "json"
    if isinstance(spec, dict):
        return str(spec.get("$value", "yson")), dict(spec.get("$attributes") or {})
    return (str(spec) if spec else "yson"), {}


def encode_utf8(value):
    """The json format's documented default (`encode_utf8=%true`): every byte of
    a string's UTF-8 becomes one code point (what a client must undo)."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin1")
    if isinstance(value, list):
        return [encode_utf8(item) for item in value]
    if isinstance(value, dict):
        return {encode_utf8(k): encode_utf8(v) for k, v in value.items()}
    return value


def dump(value, output: tuple[str, dict]) -> tuple[str, str]:
    """(text, content type) of `value` in the output format."""
    name, attributes = output
    if name == "json":
        if attributes.get("encode_utf8", True):
            value = encode_utf8(value)
        return json.dumps(value), "application/json"
    return yson_text.dumps(value), "application/x-yt-yson-text"


def ypath(params: dict) -> str:
    # A rich YPath (`<attributes>"//t"`, as yt.wrapper may send it) names its node in $value.
    value = params.get("path", "")
    return str(value.get("$value", "") if isinstance(value, dict) else value)


def structured(value, request: HttpRequest, params: dict, *, wrap: bool = True) -> HttpResponse:
    # v4 wraps a single value in {"value": ...}; `return_only_value` (yt.wrapper's
    # `get` sends it) asks for the bare value. Commands answering named fields
    # (start_transaction, lock) are not wrapped.
    if wrap and not params.get("return_only_value"):
        value = {"value": value}
    text, content_type = dump(value, output_format(request, params))
    response = HttpResponse(text, content_type=content_type)
    response["X-YT-Response-Code"] = "0"
    return response


def unauthenticated(request: HttpRequest) -> HttpResponse | None:
    auth = request.headers.get("Authorization")
    if auth is not None and not auth.startswith("OAuth "):
        return error_response({"code": 1, "message": "Bad authorization header"}, 401)
    return None
