"""TVM 2 ticket checking through the local tvmtool daemon's HTTP API.

tvmtool runs next to the service and checks tickets locally; we call it over
HTTP (`/tvm/checksrv`, `/tvm/checkusr`) with the raw local auth token in
`Authorization` (tvmtool's documentation: authorization and endpoints).

Contract for callers (the API's TVM authentication):
- a valid ticket → a frozen dataclass (`ServiceTicket`, `UserTicket`);
- tvmtool says the ticket is bad (403: malformed, expired, forged, another
  dst or Blackbox env) → `errors.Unauthenticated`;
- tvmtool unreachable, slow, 5xx, rejecting our local token or its alias
  configuration, or answering a body we cannot parse → `errors.Unavailable`
  (or `DeadlineExceeded`): "cannot authenticate", never "forbidden".

Tickets are secrets: they are never logged and never used as cache keys
(`ticket_digest()` is). The allow-list of sources and the uid → recruiter
mapping are the caller's job: a valid service ticket is not a permission.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from core import errors
from core.http import ApiClient, error_body

logger = logging.getLogger("core.tvm")

SERVICE_TICKET_HEADER = "X-Ya-Service-Ticket"
USER_TICKET_HEADER = "X-Ya-User-Ticket"


@dataclass(frozen=True)
class ServiceTicket:
    """A checked service ticket: `src` is the caller's TVM client id."""

    src: int
    dst: int | None
    scopes: tuple[str, ...]
    logging_string: str | None  # None when tvmtool sends none


@dataclass(frozen=True)
class UserTicket:
    """A checked user ticket. `default_uid` may be 0 (no default user)."""

    default_uid: int
    uids: tuple[int, ...]
    scopes: tuple[str, ...]
    logging_string: str | None  # None when tvmtool sends none


class TvmToolClient(ApiClient):
    """Adapter to tvmtool's HTTP API (tvmtool's documentation)."""

    system = "tvmtool"

    def __init__(self, *, base_url: str, auth_token: str, self_alias: str = "", **kwargs: Any):
        # The raw token, no scheme word (tvmtool's documentation).
        super().__init__(base_url=base_url, headers={"Authorization": auth_token}, **kwargs)
        self.self_alias = self_alias

    # tvmtool endpoints: GET /tvm/checksrv with X-Ya-Service-Ticket, optional ?dst=<alias>;
    # "Response shapes": 200 {"src", "dst", "scopes", ...}, 403 {"error", ...}.
    def check_service_ticket(self, ticket: str) -> ServiceTicket:
        """Check an incoming service ticket. Raises Unauthenticated, Unavailable."""
        params = {"dst": self.self_alias} if self.self_alias else None
        body = self._json(
            "GET", "/tvm/checksrv", headers={SERVICE_TICKET_HEADER: ticket}, params=params
        )
        return parse_service_ticket(body)

    # tvmtool endpoints: GET /tvm/checkusr with X-Ya-User-Ticket;
    # "Response shapes": 200 {"default_uid", "uids", "scopes", ...}, 403 {"error"}.
    def check_user_ticket(self, ticket: str) -> UserTicket:
        """Check an incoming user ticket. Raises Unauthenticated, Unavailable."""
        body = self._json("GET", "/tvm/checkusr", headers={USER_TICKET_HEADER: ticket})
        return parse_user_ticket(body)

    # tvmtool endpoints: GET /tvm/ping: 200 OK, 206 warning, 500 error.
    def ping(self) -> bool:
        """True when tvmtool is healthy, False when it warns. Raises Unavailable."""
        return self._request("GET", "/tvm/ping").status_code == 200

    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        status = response.status_code
        if status == 403:
            # The ticket itself is bad. tvmtool's error text names the reason
            # (expired, malformed, ...) and contains no ticket.
            return errors.Unauthenticated(
                _("The TVM ticket is not valid."),
                details={"reason": "ticket_invalid", "error": _error_text(response)},
            )
        if status in (400, 401):
            # Our local token or alias configuration is wrong: an operations
            # problem the caller cannot fix, so "cannot authenticate" (503).
            # tvmtool explains these in plain text ("can't find in config ...").
            logger.error(
                "tvmtool rejected our request: HTTP %s %r (check TVM_TOOL_* settings)",
                status,
                response.text[:200],
            )
            return errors.Unavailable(
                "Authentication service is misconfigured", details={"system": self.system}
            )
        return super()._error_for(response)


def _error_text(response: requests.Response) -> str | None:
    # 403 is JSON with a sentence in `error`; 400/401/500 are plain text.
    error = error_body(response).get("error")
    return str(error)[:200] if error is not None else None


def _invalid(what: str) -> errors.InvalidResponse:
    return errors.InvalidResponse(
        f"tvmtool: unexpected {what} in the answer", details={"system": "tvmtool"}
    )


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(what)
    return value


def _str_or_none(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _invalid(what)
    return value


def _scopes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise _invalid("scopes")
    return tuple(value)


def parse_service_ticket(body: Any) -> ServiceTicket:
    """Strictly parse a /tvm/checksrv 200 body. Raises InvalidResponse."""
    if not isinstance(body, dict):
        raise _invalid("body")
    dst = body.get("dst")
    return ServiceTicket(
        src=_int(body.get("src"), "src"),
        dst=None if dst is None else _int(dst, "dst"),
        scopes=_scopes(body.get("scopes")),
        logging_string=_str_or_none(body.get("logging_string"), "logging_string"),
    )


def parse_user_ticket(body: Any) -> UserTicket:
    """Strictly parse a /tvm/checkusr 200 body. Raises InvalidResponse."""
    if not isinstance(body, dict):
        raise _invalid("body")
    uids = body.get("uids")
    if not isinstance(uids, list) or not uids:
        raise _invalid("uids")  # tvmtool: `uids` is never empty
    return UserTicket(
        default_uid=_int(body.get("default_uid"), "default_uid"),
        uids=tuple(_int(uid, "uids") for uid in uids),
        scopes=_scopes(body.get("scopes")),
        logging_string=_str_or_none(body.get("logging_string"), "logging_string"),
    )


# --- process-wide client and the short cache ------------------------------------


@functools.lru_cache(maxsize=4)
def _client(base_url: str, auth_token: str, self_alias: str, timeout: float) -> TvmToolClient:
    # One client (one keep-alive connection pool) per configuration and process;
    # tvmtool is on localhost, so one quick retry is all a request can afford.
    return TvmToolClient(
        base_url=base_url,
        auth_token=auth_token,
        self_alias=self_alias,
        timeout=(timeout, timeout),
        max_retries=settings.TVM_TOOL_MAX_RETRIES,
        backoff_max=0.1,
    )


def tvmtool_client() -> TvmToolClient:
    """The tvmtool adapter configured by the TVM_TOOL_* settings."""
    return _client(
        settings.TVM_TOOL_URL,
        settings.TVM_TOOL_AUTH_TOKEN,
        settings.TVM_SELF_ALIAS,
        settings.TVM_TOOL_TIMEOUT,
    )


def ticket_digest(ticket: str) -> str:
    """A cache key part for `ticket` that does not reveal it."""
    return hashlib.sha256(ticket.encode("utf-8", "surrogatepass")).hexdigest()


def check_service_ticket(ticket: str) -> ServiceTicket:
    """Check a service ticket, remembering a valid one for TVM_CACHE_SECONDS.

    Only valid tickets are cached (a bad one is re-checked and rejected every
    time); the allow-list is applied by the caller on every request, so a
    change to it takes effect at once. Raises Unauthenticated, Unavailable.
    """
    client = tvmtool_client()
    key = f"tvm:srv:{client.self_alias}:{ticket_digest(ticket)}"
    return _cached(key, lambda: client.check_service_ticket(ticket))


def check_user_ticket(ticket: str) -> UserTicket:
    """Check a user ticket with the same short cache. Raises Unauthenticated, Unavailable."""
    return _cached(
        f"tvm:usr:{ticket_digest(ticket)}", lambda: tvmtool_client().check_user_ticket(ticket)
    )


def _cached(key: str, check):
    ttl = settings.TVM_CACHE_SECONDS
    if ttl > 0:
        hit = cache.get(key)
        if hit is not None:
            return hit
    result = check()
    if ttl > 0:
        cache.set(key, result, ttl)
    return result
