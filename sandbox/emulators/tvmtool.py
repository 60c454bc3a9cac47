"""Emulator of the tvmtool daemon's HTTP API (after tvmtool's documentation).

Mounted at /sandbox/tvmtool/: `GET tvm/checksrv`, `GET tvm/checkusr`,
`GET tvm/ping`. Every call but ping needs the local auth token as the raw
`Authorization` header (`LOCAL_AUTH_TOKEN`), else 401.

Test tickets (real tickets are opaque; these are readable and signed so a
forged or truncated one is detected):

    service: 3:serv:<src>:<dst>:<expires>:<sig>
    user:    3:user:<default_uid>:<uid>[,<uid>...]:<expires>:<sig>

`src`, `dst` are TVM client ids, `expires` a Unix time in seconds, and `sig`
the first 32 hex digits of HMAC-SHA256(`SIGNING_KEY`, everything before
":<sig>"). `issue_service_ticket()` / `issue_user_ticket()` mint them for
tests, benchmarks and the demo, and `GET /sandbox/tvmtool/issue?kind=serv&src=..`
does the same over HTTP for trying the API with curl.

checksrv answers 403 for a malformed, forged or expired ticket, a user ticket,
or a ticket for another dst than ours (`SELF_TVM_ID`; `?dst=` may name it by
id or by the alias `SELF_ALIAS`, any other alias is 400). checkusr answers 403
for a malformed, forged or expired user ticket.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from core.numbers import parse_int
from sandbox.faults import emulator

LOCAL_AUTH_TOKEN = "sandbox-tvmtool-local-token"
SIGNING_KEY = b"sandbox-tvm-signing-key"
SELF_TVM_ID = 2000001
SELF_ALIAS = "recruiting"
DEFAULT_TTL = 3600


def _sign(body: str) -> str:
    return hmac.new(SIGNING_KEY, body.encode(), hashlib.sha256).hexdigest()[:32]


def issue_service_ticket(src: int, *, dst: int = SELF_TVM_ID, expires: int | None = None) -> str:
    """A service ticket from `src` to `dst`, valid until `expires` (default: in an hour)."""
    expires = int(time.time()) + DEFAULT_TTL if expires is None else expires
    body = f"3:serv:{src}:{dst}:{expires}"
    return f"{body}:{_sign(body)}"


def issue_user_ticket(
    default_uid: int, *, uids: list[int] | None = None, expires: int | None = None
) -> str:
    """A user ticket for `default_uid` (0: no default user) and `uids`."""
    uids = uids or ([default_uid] if default_uid else [1])
    expires = int(time.time()) + DEFAULT_TTL if expires is None else expires
    body = f"3:user:{default_uid}:{','.join(str(uid) for uid in uids)}:{expires}"
    return f"{body}:{_sign(body)}"


class BadTicket(Exception):
    pass


def _parse(ticket: str, kind: str) -> list[str]:
    """The ticket's fields between the kind and the signature. Raises BadTicket."""
    parts = ticket.split(":")
    if len(parts) != 6 or parts[0] != "3":
        raise BadTicket("Malformed ticket")
    if parts[1] != kind:
        raise BadTicket("InvalidTicketType")
    body, sig = ":".join(parts[:5]), parts[5]
    if not hmac.compare_digest(sig, _sign(body)):
        raise BadTicket("SignBroken")
    try:
        expires = int(parts[4])
    except ValueError:
        raise BadTicket("Malformed ticket") from None
    if expires < time.time():
        raise BadTicket("Expired ticket")
    return parts[2:4]


def _denied(error: str, ticket: str) -> JsonResponse:
    return JsonResponse(
        {"error": error, "debug_string": f"status={error}", "logging_string": _logging(ticket)},
        status=403,
    )


def _logging(ticket: str) -> str:
    # Like the real daemon: the ticket without its signature.
    return ticket.rsplit(":", 1)[0]


def _unauthorized(request: HttpRequest) -> JsonResponse | None:
    if request.headers.get("Authorization") != LOCAL_AUTH_TOKEN:
        return JsonResponse({"error": "Authorization header is missing or wrong"}, status=401)
    return None


def _self_dst(request: HttpRequest) -> int | None:
    dst = request.GET.get("dst", "")
    if not dst or dst == SELF_ALIAS:
        return SELF_TVM_ID
    return parse_int(dst)


@emulator("tvmtool")
@require_GET
def checksrv(request: HttpRequest) -> JsonResponse:
    if (denied := _unauthorized(request)) is not None:
        return denied
    self_id = _self_dst(request)
    if self_id is None:
        return JsonResponse({"error": "unknown alias in dst"}, status=400)
    ticket = request.headers.get("X-Ya-Service-Ticket", "")
    try:
        src, dst = (int(value) for value in _parse(ticket, "serv"))
    except (BadTicket, ValueError) as exc:
        return _denied(str(exc) or "Malformed ticket", ticket)
    if dst != self_id:
        return _denied("InvalidDst", ticket)
    return JsonResponse(
        {
            "src": src,
            "dst": dst,
            "scopes": None,
            "issuer_uid": None,
            "debug_string": f"ticket_type=service;src={src};dst={dst};scope=;",
            "logging_string": _logging(ticket),
        }
    )


@emulator("tvmtool")
@require_GET
def checkusr(request: HttpRequest) -> JsonResponse:
    if (denied := _unauthorized(request)) is not None:
        return denied
    ticket = request.headers.get("X-Ya-User-Ticket", "")
    try:
        default_uid, uids = _parse(ticket, "user")
        uid_list = [int(uid) for uid in uids.split(",")]
        default = int(default_uid)
    except (BadTicket, ValueError) as exc:
        return _denied(str(exc) or "Malformed ticket", ticket)
    return JsonResponse(
        {
            "default_uid": default,
            "uids": uid_list,
            "scopes": ["bb:sessionid"],
            "debug_string": f"ticket_type=user;default_uid={default};",
            "logging_string": _logging(ticket),
        }
    )


@emulator("tvmtool")
@require_GET
def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "OK"})


@emulator("tvmtool")
@require_GET
def issue(request: HttpRequest) -> JsonResponse:
    """Mint a test ticket: ?kind=serv&src=<id>[&dst=<id>] or ?kind=user&uid=<uid>."""
    try:
        if request.GET.get("kind") == "user":
            ticket = issue_user_ticket(int(request.GET["uid"]))
        else:
            src = int(request.GET["src"])
            ticket = issue_service_ticket(src, dst=int(request.GET.get("dst", SELF_TVM_ID)))
    except (KeyError, ValueError):
        return JsonResponse({"error": "need kind=serv&src=<id> or kind=user&uid=<uid>"}, status=400)
    return JsonResponse({"ticket": ticket})


urlpatterns = [
    path("tvm/checksrv", checksrv, name="tvmtool-checksrv"),
    path("tvm/checkusr", checkusr, name="tvmtool-checkusr"),
    path("tvm/ping", ping, name="tvmtool-ping"),
    path("issue", issue, name="tvmtool-issue"),
]
