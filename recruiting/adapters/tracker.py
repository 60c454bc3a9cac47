"""Yandex Tracker API v2: issues for candidates and their statuses.

Follows the Yandex Tracker API documentation (yandex-cloud/docs tracker concepts
create-issue, search-issues, get-issue, common-format; answer-error-409).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import requests

from core import errors
from core.http import ApiClient, error_body
from core.phones import phones_normalised
from recruiting.adapters.subsystem_base import (
    Candidate,
    CreateParams,
    ExternalApplication,
    Queue,
)
from recruiting.domain import QUEUE_KEY_RE

logger = logging.getLogger(__name__)

SEARCH_PAGE = 50  # the documented default of perPage; a keys batch fits one page


class TrackerClient(ApiClient):
    """One Tracker organization, seen through one user's OAuth token."""

    system = "tracker"
    batch_size = SEARCH_PAGE

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        org_id: str,
        org_header: str = "X-Org-ID",
        closed_statuses: Iterable[str] = ("closed",),
        **kwargs: Any,
    ) -> None:
        if org_header not in ("X-Org-ID", "X-Cloud-Org-ID"):
            raise errors.InvalidArgument(f"Unknown Tracker organization header {org_header!r}")
        super().__init__(base_url=base_url, **kwargs)
        # The scheme is OAuth, not Bearer (Bearer is for Yandex Cloud IAM tokens).
        self.session.headers["Authorization"] = f"OAuth {token}"
        self.session.headers[org_header] = org_id
        self.closed_statuses = frozenset(closed_statuses)

    # GET /v2/queues/{key} (the reference's gotchas: read keys from the queue)
    def queue(self, key: str) -> Queue:
        """Raises InvalidArgument for a malformed key: it never reaches the URL."""
        if not isinstance(key, str) or not QUEUE_KEY_RE.match(key):
            raise errors.InvalidArgument(
                f"Malformed Tracker queue key {str(key)[:40]!r}", details={"queue": str(key)[:40]}
            )
        data = self._json("GET", f"/v2/queues/{key}")
        try:
            return Queue(key=str(data["key"]), name=str(data.get("name") or data["key"]))
        except (KeyError, TypeError) as exc:
            raise self._malformed("queue") from exc

    # POST /v2/issues/ with `unique` (create-issue). The unique value makes the
    # call idempotent, so a timed-out create may be sent again; a 409 means it
    # already exists and is answered with the existing issue. When the search
    # cannot find it (yet), the issue still exists: that is Unavailable (an
    # unclear outcome to reconcile later by the marker), never a refusal. The
    # 409 body is not read: the vendor's documentation gives it no shape.
    def create(
        self, *, candidate: Candidate, params: CreateParams, marker: str
    ) -> ExternalApplication:
        if not params.queue:
            raise errors.InvalidArgument("A Tracker queue is required")
        body = {
            "queue": params.queue,
            "summary": _summary(candidate),
            "description": _description(candidate),
            "unique": marker,
        }
        response = self._request("POST", "/v2/issues/", json=body, idempotent=True, ok=(409,))
        if response.status_code == 409:
            existing = self.find(marker=marker)
            if existing is None:
                raise errors.Unavailable(
                    "Tracker reports the issue exists but it cannot be read back yet",
                    details={"system": self.system, "status": 409, "reason": "exists_unread"},
                )
            return existing
        return self._issue(self._parse_json(response))

    # POST /v2/issues/_findByUnique?unique=<value>, as the official client
    # (yandex_tracker_client, Issues.create on a conflict) reads the issue a
    # 409 refers to: 200 with the issue, 404 when there is none. A `_search`
    # filter on `unique` is not in the vendor's documentation, so it is not used.
    # The answer is adopted only when its `unique` is our marker: an issue
    # without it, or with another one, is somebody else's.
    def find(self, *, marker: str) -> ExternalApplication | None:
        response = self._request(
            "POST",
            "/v2/issues/_findByUnique",
            params={"unique": marker},
            idempotent=True,
            ok=(404,),
        )
        if response.status_code == 404:
            return None
        raw = self._parse_json(response)
        if not isinstance(raw, dict) or raw.get("unique") != marker:
            logger.warning(
                "Tracker _findByUnique answered an issue whose unique is not ours",
                extra={
                    "system": self.system,
                    "key": raw.get("key") if isinstance(raw, dict) else None,
                },
            )
            return None
        return self._issue(raw)

    # POST /v2/issues/_search {"keys": [...]} (search-issues): batch polling.
    # Searching is a read, so it is retried like a GET.
    def statuses(self, *, ids: Iterable[str]) -> dict[str, ExternalApplication]:
        keys = list(ids)
        if len(keys) > SEARCH_PAGE:
            raise errors.InvalidArgument(f"Tracker reads at most {SEARCH_PAGE} issues at once")
        if not keys:
            return {}
        found = [self._issue(raw) for raw in self._search({"keys": keys}, per_page=SEARCH_PAGE)]
        return {issue.id: issue for issue in found if issue.id in keys}

    def _search(self, body: dict, *, per_page: int) -> list[dict]:
        data = self._json(
            "POST",
            "/v2/issues/_search",
            params={"perPage": per_page, "page": 1},
            json=body,
            idempotent=True,
        )
        if not isinstance(data, list):
            raise self._malformed("search")
        return data

    def _issue(self, raw: Any) -> ExternalApplication:
        try:
            status = raw["status"]
            key = str(status["key"])
            return ExternalApplication(
                id=str(raw["key"]),
                status=key,
                status_display=str(status.get("display") or key),
                is_closed=bool(raw.get("resolution")) or key in self.closed_statuses,
            )
        except (KeyError, TypeError) as exc:
            raise self._malformed("issue") from exc

    def _malformed(self, what: str) -> errors.InvalidResponse:
        return errors.InvalidResponse(
            f"Tracker: unexpected {what} answer", details={"system": self.system}
        )

    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        status = response.status_code
        message = _error_message(response)
        details = {"system": self.system, "status": status}
        if status == 401:
            return errors.Unauthenticated(
                f"Tracker rejected the token or organization id: {message}", details=details
            )
        if status == 403:
            return errors.PermissionDenied(f"Tracker denied access: {message}", details=details)
        if status == 404:
            return errors.NotFound(f"Tracker: {message}", details=details)
        if status in (400, 422):
            return errors.InvalidArgument(
                f"Tracker rejected the request: {message}", details=details
            )
        if status == 429:
            return errors.ResourceExhausted("Tracker: too many requests", details=details)
        return super()._error_for(response)


def _error_message(response: requests.Response) -> str:
    """`{"errors": {field: msg}, "errorMessages": [...]}` as the official client reads it."""
    body = error_body(response)
    parts = [str(m) for m in body.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(parts) or f"HTTP {response.status_code}"


def _summary(candidate: Candidate) -> str:
    summary = f"Кандидат {candidate.full_name}"
    return f"{summary} — {candidate.title}" if candidate.title else summary


def _description(candidate: Candidate) -> str:
    lines = [f"Резюме: {candidate.resume_url}", f"URN: {candidate.urn}"]
    lines += [f"Телефон: {p}" for p in phones_normalised(candidate.phones)]
    lines += [f"Email: {e}" for e in candidate.emails]
    return "\n".join(lines)
