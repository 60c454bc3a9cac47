"""Emulator of the tvmtool daemon's HTTP API (after tvmtool's documentation).

Mounted at /sandbox/tvmtool/: `GET tvm/checksrv`, `GET tvm/checkusr`,
`GET tvm/tickets`, `GET tvm/ping`. Every call but ping needs the local auth
token as the raw `Authorization` header (`LOCAL_AUTH_TOKEN`), else 401.

Tickets are opaque like real ones (`3:serv:<body>:<signature>`, both parts
URL-safe base64 without padding, as yandex's tvmtool client tests match them):
the body packs the fields, the signature is HMAC-SHA256(`SIGNING_KEY`, the
ticket before ":<signature>"), so a forged or truncated ticket is detected.
A user ticket also carries its Blackbox environment; checkusr accepts only
tickets of the daemon's environment (`BLACKBOX_ENV`, or `?override_env=`).
`issue_service_ticket()` / `issue_user_ticket()` mint them for tests,
benchmarks and the demo; `GET /sandbox/tvmtool/issue?kind=serv&src=..` does
the same over HTTP for trying the API with curl, under DEBUG or for a staff
user only: a minted ticket opens the API to whoever holds it.

Answers as the daemon writes them (recruiting's vendor fixtures, core/tests/
fixtures/tvmtool/vendor/SOURCES.md): 200 and 403 are JSON, 403's `error` a
sentence; 400 and 401 are plain text; ping is plain `OK`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from core.numbers import parse_int
from sandbox.faults import emulator

LOCAL_AUTH_TOKEN = "sandbox-tvmtool-local-token"
SIGNING_KEY = b"sandbox-tvm-signing-key"
SELF_TVM_ID = 2000001
SELF_ALIAS = "recruiting"
DESTINATIONS = {"tracker": 2000002, "hh": 2000003}  # aliases /tvm/tickets knows
BLACKBOX_ENV = "Test"
BLACKBOX_ENVS = ("Prod", "Test", "ProdYateam", "TestYateam", "Stress")
DEFAULT_TTL = 3600

# 403 texts. The dst and format ones are the daemon's own (yandex tvmtool
# client tests); the rest are tvmauth's status sentences (StatusToString).
MALFORMED = "invalid ticket format"
EXPIRED = "Expired ticket"
SIGN_BROKEN = "Invalid ticket signature"
WRONG_TYPE = "Invalid ticket type"
WRONG_ENV = "Invalid BlackBox environment"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(head: str) -> str:
    return _b64(hmac.new(SIGNING_KEY, head.encode(), hashlib.sha256).digest())


def _mint(kind: str, fields: list[str]) -> str:
    head = f"3:{kind}:{_b64(chr(31).join(fields).encode())}"
    return f"{head}:{_sign(head)}"


def _expiry(expires: int | None) -> str:
    return str(int(time.time()) + DEFAULT_TTL if expires is None else expires)


def issue_service_ticket(src: int, *, dst: int = SELF_TVM_ID, expires: int | None = None) -> str:
    """A service ticket from `src` to `dst`, valid until `expires` (default: in an hour)."""
    return _mint("serv", [str(src), str(dst), _expiry(expires)])


def issue_user_ticket(
    default_uid: int,
    *,
    uids: list[int] | None = None,
    expires: int | None = None,
    env: str = BLACKBOX_ENV,
) -> str:
    """A user ticket for `default_uid` (0: no default user) and `uids`, of Blackbox `env`."""
    uids = uids or ([default_uid] if default_uid else [1])
    fields = [str(default_uid), ",".join(str(uid) for uid in uids), _expiry(expires), env]
    return _mint("user", fields)


class BadTicket(Exception):
    pass


def _parse(ticket: str, kind: str) -> list[str]:
    """The ticket's fields, signature and expiry checked. Raises BadTicket."""
    parts = ticket.split(":")
    if len(parts) != 4 or parts[0] != "3" or not all(parts):
        raise BadTicket(MALFORMED)
    if parts[1] != kind:
        raise BadTicket(WRONG_TYPE)
    head = ":".join(parts[:3])
    if not hmac.compare_digest(parts[3], _sign(head)):
        raise BadTicket(SIGN_BROKEN)
    try:
        fields = _unb64(parts[2]).decode().split(chr(31))
        expires = int(fields[2])
    except (ValueError, IndexError):
        raise BadTicket(MALFORMED) from None
    if expires < time.time():
        raise BadTicket(EXPIRED)
    return fields


def _logging(ticket: str) -> str:
    # Like the real daemon: the ticket without its signature.
    return ticket.rsplit(":", 1)[0] if ticket.count(":") == 3 else ""


def _denied(error: str, ticket: str, debug: str = "") -> JsonResponse:
    return JsonResponse(
        {"error": error, "debug_string": debug, "logging_string": _logging(ticket)}, status=403
    )


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain")


def _unauthorized(request: HttpRequest) -> HttpResponse | None:
    if request.headers.get("Authorization") != LOCAL_AUTH_TOKEN:
        return _text(401, "Authorization header is missing or invalid")
    return None


def _self_dst(request: HttpRequest) -> int | None:
    dst = request.GET.get("dst", "")
    if not dst or dst == SELF_ALIAS:
        return SELF_TVM_ID
    return parse_int(dst)


@emulator("tvmtool")
@require_GET
def checksrv(request: HttpRequest) -> HttpResponse:
    if (denied := _unauthorized(request)) is not None:
        return denied
    self_id = _self_dst(request)
    if self_id is None:
        return _text(400, f"can't find in config self tvmid for dst = {request.GET['dst']}")
    ticket = request.headers.get("X-Ya-Service-Ticket", "")
    try:
        src, dst, expires = (int(value) for value in _parse(ticket, "serv")[:3])
    except (BadTicket, ValueError) as exc:
        return _denied(str(exc) or MALFORMED, ticket)
    debug = f"ticket_type=serv;expiration_time={expires};src={src};dst={dst};scope=;"
    if dst != self_id:
        return _denied(f"Wrong ticket dst, expected {self_id}, got {dst}", ticket, debug)
    return JsonResponse(
        {
            "src": src,
            "dst": dst,
            "scopes": None,
            "issuer_uid": None,
            "debug_string": debug,
            "logging_string": _logging(ticket),
        }
    )


@emulator("tvmtool")
@require_GET
def checkusr(request: HttpRequest) -> HttpResponse:
    if (denied := _unauthorized(request)) is not None:
        return denied
    env = request.GET.get("override_env", BLACKBOX_ENV)
    if env not in BLACKBOX_ENVS:
        return _text(400, f"unknown blackbox env: {env}")
    ticket = request.headers.get("X-Ya-User-Ticket", "")
    try:
        default_uid, uids, expires, ticket_env = _parse(ticket, "user")[:4]
        uid_list = [int(uid) for uid in uids.split(",")]
        default = int(default_uid)
    except (BadTicket, ValueError) as exc:
        return _denied(str(exc) or MALFORMED, ticket)
    debug = f"ticket_type=user;expiration_time={expires};default_uid={default};env={ticket_env};"
    if ticket_env != env:
        return _denied(WRONG_ENV, ticket, debug)
    return JsonResponse(
        {
            "default_uid": default,
            "uids": uid_list,
            "scopes": ["bb:sessionid"],
            "debug_string": debug,
            "logging_string": _logging(ticket),
        }
    )


@emulator("tvmtool")
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    """Service tickets from us to `?dsts=<alias or id>,...`."""
    if (denied := _unauthorized(request)) is not None:
        return denied
    answer = {}
    for dst in filter(None, request.GET.get("dsts", "").split(",")):
        by_id = {str(tvm_id): tvm_id for tvm_id in DESTINATIONS.values()}
        tvm_id = DESTINATIONS.get(dst) or by_id.get(dst)
        if tvm_id is None:
            how = "(by number)" if parse_int(dst) is not None else "(strconv)"
            return _text(
                400,
                f"can't find in config destination tvmid for src = {SELF_TVM_ID}, "
                f"dstparam = {dst} {how}",
            )
        answer[dst] = {"ticket": issue_service_ticket(SELF_TVM_ID, dst=tvm_id), "tvm_id": tvm_id}
    if not answer:
        return _text(400, "missing parameter 'dsts'")
    return JsonResponse(answer)


@emulator("tvmtool")
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    return _text(200, "OK")


@emulator("tvmtool")
@require_GET
def issue(request: HttpRequest) -> JsonResponse:
    """Mint a test ticket: ?kind=serv&src=<id>[&dst=<id>] or ?kind=user&uid=<uid>[&env=].

    Only under DEBUG or for a staff user: with the sandbox allowed outside
    DEBUG (SANDBOX_ALLOW_IN_PRODUCTION) anyone could otherwise mint tickets
    the API accepts, should TVM point at this emulator."""
    if not (settings.DEBUG or request.user.is_staff):
        return JsonResponse({"error": "minting tickets needs DEBUG or a staff login"}, status=403)
    try:
        if request.GET.get("kind") == "user":
            env = request.GET.get("env", BLACKBOX_ENV)
            ticket = issue_user_ticket(int(request.GET["uid"]), env=env)
        else:
            src = int(request.GET["src"])
            ticket = issue_service_ticket(src, dst=int(request.GET.get("dst", SELF_TVM_ID)))
    except (KeyError, ValueError):
        return JsonResponse({"error": "need kind=serv&src=<id> or kind=user&uid=<uid>"}, status=400)
    return JsonResponse({"ticket": ticket})


urlpatterns = [
    path("tvm/checksrv", checksrv, name="tvmtool-checksrv"),
    path("tvm/checkusr", checkusr, name="tvmtool-checkusr"),
    path("tvm/tickets", tickets, name="tvmtool-tickets"),
    path("tvm/ping", ping, name="tvmtool-ping"),
    path("issue", issue, name="tvmtool-issue"),
]
