"""amoCRM API v4: leads for candidates, their statuses and contacts.

Follows the amoCRM API documentation (amocrm.ru/developers leads-api, filters-api,
oauth; developers.kommo.com complex-leads, leads-list, get-stage).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import requests
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from requests.adapters import HTTPAdapter

from core import errors
from core.http import ApiClient, bearer, error_body
from core.leases import SYSTEM_CLOCK, Clock, remaining
from core.phones import phones_normalised
from recruiting.adapters.subsystem_base import (
    Candidate,
    ContactCard,
    CreateParams,
    ExternalApplication,
    Pipeline,
    Stage,
    TokenGrant,
)

# System statuses present in every pipeline: Closed – Won and Closed – Lost.
WON, LOST = 142, 143
CLOSED_STATUSES = frozenset({WON, LOST})
LIST_LIMIT = 250  # the documented maximum of `limit` on list endpoints
TAG = "recruiting"


class RateLimiter:
    """At most `rate` requests in any one second, across threads and processes.

    amoCRM allows 7 requests per second per integration and blocks the IP of
    callers that keep exceeding it, so every request first takes a slot here.
    Time is cut into slots; a request claims the first free slot from now on
    with an atomic `cache.add` and waits for the slot to begin. Every process
    that shares the cache (Redis or the database in production: the web
    workers and each qcluster) draws from the same slots; with the
    local-memory cache, the threads of one process do. A 429 that still
    comes back is honoured through Retry-After by the base client.

    A caller with a deadline never waits past it: when the first free slot
    begins after the deadline, no slot is taken and the call fails at once
    with UNAVAILABLE and the seconds to wait at least (`details["retry_after"]`).
    Slots are counted in `clock`'s wall time (shared by processes), the
    deadline in its monotonic time (`core.leases.Clock`, injected for tests).
    """

    LOOKAHEAD = 600  # slots searched for a free one before giving up

    # Headroom for network jitter: requests may reach the server closer
    # together than they left, so the guarantee holds over 1.1 seconds.
    MARGIN = 1.1

    def __init__(
        self,
        rate: float,
        *,
        key: str = "",
        cache: BaseCache | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.clock = clock
        # A request may start anywhere inside its slot, so a window touches one
        # slot more than it covers: slots of MARGIN / (rate - 1) seconds keep
        # any MARGIN-second window at `rate` requests at most.
        self.interval = self.MARGIN / max(rate - 1.0, rate / 2.0)
        digest = hashlib.sha256(f"{key}|{rate}".encode()).hexdigest()[:24]
        self.prefix = f"amocrm-rate:{digest}"
        self.cache = cache if cache is not None else caches["default"]

    def acquire(self, *, deadline: float | None = None) -> None:
        """Wait for a request slot. `deadline`: a `monotonic()` value.

        Raises Unavailable (no slot before `deadline`) or ResourceExhausted
        (every slot within LOOKAHEAD is taken).
        """
        now = self._wall()
        budget = remaining(deadline, self.clock)
        first = int(now / self.interval)
        slot, last = first, first + self.LOOKAHEAD
        while slot < last:
            if budget is not None and slot * self.interval - now > budget:
                raise self._too_late(slot * self.interval - now)
            claimed = self.cache.add(f"{self.prefix}:{slot}", 1, timeout=self._ttl(slot, now))
            later = self._wall()
            if claimed and later < (slot + 1) * self.interval:
                wait = slot * self.interval - later
                if wait > 0:
                    self.clock.sleep(wait)  # within the budget: the slot began before it
                return
            # Taken, or over by the time the claim came back (a slow cache, a
            # thread kept waiting): a request sent now in a slot already over
            # would go out together with the next slot's.
            slot = max(slot + 1, int(later / self.interval))
        raise errors.ResourceExhausted(
            "amoCRM request queue is full: too many requests are waiting for the rate limit.",
            details={"system": "amocrm", "reason": "rate_limit_queue_full"},
        )

    def _wall(self) -> float:
        return self.clock.now().timestamp()

    @staticmethod
    def _too_late(wait: float) -> errors.Unavailable:
        return errors.Unavailable(
            "amoCRM rate limit: no request slot before the caller's deadline",
            details={
                "system": "amocrm",
                "reason": "rate_limit_wait",
                "retry_after": max(1, math.ceil(wait)),
            },
        )

    def _ttl(self, slot: int, now: float) -> int:
        # Long enough to outlive the slot itself, so it is never claimed twice.
        return int((slot + 1) * self.interval - now) + 2


def limiter_for(key: str, rate: float) -> RateLimiter:
    return RateLimiter(rate, key=key)


# The deadline of the amoCRM call in progress in this thread (a monotonic
# value): the transport adapter below takes its slot within it.
_CALL_DEADLINE: ContextVar[float | None] = ContextVar("amocrm_call_deadline", default=None)


class _RateLimitedAdapter(HTTPAdapter):
    """Takes a limiter slot before every attempt, retries included, within
    the call's deadline."""

    def __init__(self, limiter: RateLimiter, **kwargs: Any) -> None:
        self.limiter = limiter
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        self.limiter.acquire(deadline=_CALL_DEADLINE.get())
        return super().send(request, **kwargs)


class AmoCrmClient(ApiClient):
    """One amoCRM account, addressed by its own subdomain host.

    `rate_wait`: the longest a call without a deadline of its own waits for
    a rate-limit slot (None: as long as the queue is; jobs). Interactive
    callers set it so that no web request sleeps in the limiter for long.
    """

    system = "amocrm"
    batch_size = LIST_LIMIT

    def __init__(
        self,
        *,
        base_url: str,
        token: str = "",
        rate_limit: float = 7.0,
        link_field_id: int | None = None,
        rate_wait: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self.link_field_id = link_field_id
        self.rate_wait = rate_wait
        if token:
            self.session.headers.update(bearer(token))
        adapter = _RateLimitedAdapter(
            limiter_for(self.base_url, rate_limit), pool_maxsize=self.pool_size, max_retries=0
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        deadline = kwargs.get("deadline")
        if self.rate_wait is not None:
            waited = time.monotonic() + self.rate_wait
            deadline = waited if deadline is None else min(deadline, waited)
        token = _CALL_DEADLINE.set(deadline)
        try:
            return super()._request(method, path, **kwargs)
        finally:
            _CALL_DEADLINE.reset(token)

    # GET /api/v4/leads/pipelines (leads-pipelines-and-statuses)
    def pipelines(self) -> list[Pipeline]:
        data = self._json("GET", "/api/v4/leads/pipelines")
        try:
            return [_pipeline(p) for p in data["_embedded"]["pipelines"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise self._malformed("pipelines") from exc

    # POST /api/v4/leads/complex (developers.kommo.com/reference/complex-leads).
    # Not idempotent: never retried here; the caller reconciles with find().
    def create(
        self, *, candidate: Candidate, params: CreateParams, marker: str
    ) -> ExternalApplication:
        data = self._json(
            "POST", "/api/v4/leads/complex", json=[self._lead_body(candidate, params, marker)]
        )
        try:
            item = data[0]
            lead_id = int(item["id"])
            contact_id = item.get("contact_id")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise self._malformed("complex create") from exc
        if item.get("merged") is True:
            # Duplicate control folded it into an existing lead (complex-leads:
            # same id, `merged: true`): that lead keeps its own stage, so read it.
            existing = self.statuses(ids=[str(lead_id)]).get(str(lead_id))
            if existing is not None:
                return existing
        status = f"{params.pipeline_id or ''}:{params.status_id or ''}"
        return ExternalApplication(
            id=str(lead_id),
            status=status,
            contact_ids=(int(contact_id),) if contact_id else (),
        )

    def _lead_body(self, candidate: Candidate, params: CreateParams, marker: str) -> dict:
        first, last = candidate.first_last
        contact_fields = [
            {"field_code": code, "values": [{"enum_code": "WORK", "value": v} for v in values]}
            # E.164 (the form of the complex-leads example): one number is one
            # value however a site wrote it, for duplicate control to compare.
            for code, values in (
                ("PHONE", phones_normalised(candidate.phones)),
                ("EMAIL", candidate.emails),
            )
            if values
        ]
        contact: dict[str, Any] = {"first_name": first, "last_name": last}
        if contact_fields:
            contact["custom_fields_values"] = contact_fields
        name = f"Кандидат: {candidate.full_name}"
        if candidate.title:
            name += f" — {candidate.title}"
        lead: dict[str, Any] = {
            "name": name[:255],
            "_embedded": {"tags": [{"name": TAG}, {"name": marker}], "contacts": [contact]},
        }
        if params.pipeline_id:
            lead["pipeline_id"] = params.pipeline_id
        if params.status_id:
            lead["status_id"] = params.status_id
        if self.link_field_id:
            lead["custom_fields_values"] = [
                {"field_id": self.link_field_id, "values": [{"value": candidate.resume_url}]}
            ]
        return lead

    # GET /api/v4/leads?query=... (leads-list). (unverified) That `query`
    # searches tag names is not documented; we only trust a lead whose tags
    # really carry the marker, so a wrong guess finds nothing, never a stranger.
    def find(self, *, marker: str) -> ExternalApplication | None:
        leads = self._leads({"query": marker, "with": "contacts", "limit": 50})
        mine = [lead for lead in leads if marker in _tag_names(lead)]
        if not mine:
            return None
        return _application(min(mine, key=lambda lead: int(lead["id"])))

    # GET /api/v4/leads?filter[id][]=..&limit=250 (filters-api): batch polling.
    def statuses(self, *, ids: Iterable[str]) -> dict[str, ExternalApplication]:
        ids = [str(int(i)) for i in ids]
        if len(ids) > LIST_LIMIT:
            raise errors.InvalidArgument(f"amoCRM reads at most {LIST_LIMIT} leads at once")
        if not ids:
            return {}
        leads = self._leads({"filter[id][]": ids, "limit": LIST_LIMIT, "with": "contacts"})
        found = [_application(lead) for lead in leads if not lead.get("is_deleted")]
        return {app.id: app for app in found if app.id in ids}

    # GET /api/v4/contacts?filter[id][]=.. (contacts-api)
    def contacts(self, *, ids: Iterable[int]) -> list[ContactCard]:
        ids = [int(i) for i in ids]
        if not ids:
            return []
        response = self._request(
            "GET", "/api/v4/contacts", params={"filter[id][]": ids, "limit": LIST_LIMIT}
        )
        if response.status_code == 204:  # nothing matched: an empty body, not an error
            return []
        data = self._parse_json(response)
        try:
            return [_contact(c) for c in data["_embedded"]["contacts"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise self._malformed("contacts") from exc

    # POST /oauth2/access_token, grant_type=refresh_token (oauth/step-by-step).
    # The old refresh token dies with this call: persist the new pair at once.
    def refresh(
        self, *, client_id: str, client_secret: str, refresh_token: str, redirect_uri: str
    ) -> TokenGrant:
        data = self._json(
            "POST",
            "/oauth2/access_token",
            json={
                "client_id": client_id,
                "client_secret": client_secret,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "redirect_uri": redirect_uri,
            },
        )
        try:
            return TokenGrant(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_in=int(data["expires_in"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise self._malformed("token") from exc

    def _leads(self, params: dict) -> list[dict]:
        response = self._request("GET", "/api/v4/leads", params=params)
        if response.status_code == 204:  # nothing matched: an empty body, not an error
            return []
        data = self._parse_json(response)
        try:
            leads = data["_embedded"]["leads"]
            for lead in leads:
                int(lead["id"]), int(lead["status_id"]), int(lead["pipeline_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise self._malformed("leads") from exc
        return leads

    def _malformed(self, what: str) -> errors.InvalidResponse:
        return errors.InvalidResponse(
            f"amoCRM: unexpected {what} answer", details={"system": self.system}
        )

    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        status = response.status_code
        detail = _problem_detail(response)
        if status == 400:
            return errors.InvalidArgument(
                f"amoCRM rejected the request: {detail}", details={"system": self.system}
            )
        if status == 401:
            return errors.Unauthenticated(
                "amoCRM rejected the token; check the connection in the admin",
                details={"system": self.system},
            )
        if status == 402:  # (unverified) payment required for the account
            return errors.FailedPrecondition(
                "The amoCRM account is not paid", details={"system": self.system}
            )
        if status == 403:
            return errors.PermissionDenied(
                "amoCRM denied access (no rights, or the IP is blocked for too many requests)",
                details={"system": self.system},
            )
        if status == 429:
            return errors.ResourceExhausted(
                "amoCRM rate limit (7 requests per second) exceeded",
                details={"system": self.system},
            )
        return super()._error_for(response)


def _problem_detail(response: requests.Response) -> str:
    body = error_body(response)
    parts = [str(body.get("detail") or body.get("title") or f"HTTP {response.status_code}")]
    for item in body.get("validation-errors") or []:
        for err in item.get("errors") or []:
            parts.append(f"{err.get('path')}: {err.get('detail')}")
    return "; ".join(parts)


def _pipeline(raw: dict) -> Pipeline:
    stages = tuple(
        Stage(id=int(s["id"]), name=str(s["name"]), is_closed=int(s["id"]) in CLOSED_STATUSES)
        for s in raw.get("_embedded", {}).get("statuses", [])
    )
    return Pipeline(
        id=int(raw["id"]), name=str(raw["name"]), is_main=bool(raw.get("is_main")), stages=stages
    )


def _tag_names(lead: dict) -> set[str]:
    tags = (lead.get("_embedded") or {}).get("tags") or []
    return {str(t.get("name")) for t in tags if isinstance(t, dict)}


def _application(lead: dict) -> ExternalApplication:
    status_id = int(lead["status_id"])
    contacts = (lead.get("_embedded") or {}).get("contacts") or []
    return ExternalApplication(
        id=str(int(lead["id"])),
        status=f"{int(lead['pipeline_id'])}:{status_id}",
        is_closed=status_id in CLOSED_STATUSES,
        contact_ids=tuple(int(c["id"]) for c in contacts if isinstance(c, dict) and "id" in c),
    )


def _contact(raw: dict) -> ContactCard:
    values: dict[str, list[str]] = {"PHONE": [], "EMAIL": []}
    for field in raw.get("custom_fields_values") or []:
        code = field.get("field_code")
        if code in values:
            values[code].extend(str(v["value"]) for v in field.get("values") or [] if "value" in v)
    name = raw.get("name") or " ".join(
        p for p in (raw.get("first_name"), raw.get("last_name")) if p
    )
    return ContactCard(
        id=int(raw["id"]),
        name=str(name) if name else None,
        phones=tuple(values["PHONE"]),
        emails=tuple(values["EMAIL"]),
    )
