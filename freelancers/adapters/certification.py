"""Adapter of the certification service's `findByUids`.

Wire format (the product's own; docs/jobs/freelancer_certificates.md):

    POST {base}/v1/certificates/findByUids
    {"uids": [123, 456]}

    200 {"result": [
          {"uid": 123, "certificates": [
             {"id": "c-1", "kind": "direct", "confirmedDate": "2025-01-20",
              "dueDate": "2026-01-20"}]},
          {"uid": 456, "certificates": []}]}

    4xx/5xx {"error": "<code>", "description": "<text>"}

Only a uid the answer names is answered (an empty list there means "no
certificates"); a uid the answer leaves out is reported in `not_reported` and
must not be read as "no certificates". A certificate with an unknown field or a malformed value is
logged and skipped; it never fails the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

import requests

from core import errors
from core.http import ApiClient, error_body
from freelancers.adapters.base import CertificateInfo, FindResult, UidCertificates

logger = logging.getLogger(__name__)

CERTIFICATE_FIELDS = frozenset({"id", "kind", "confirmedDate", "dueDate"})


class CertificationClient(ApiClient):
    system = "certification"

    # Follows: docs/jobs/freelancer_certificates.md, "API сервиса сертификации"
    # (the shape of the service's `findByUids` endpoint).
    def find_by_uids(self, uids: Sequence[int]) -> FindResult:
        """Certificates of every uid in `uids` (one call).

        The call only reads, so it is retried like a GET (idempotent=True).
        Raises Unavailable, DeadlineExceeded, ResourceExhausted, InvalidResponse.
        """
        asked = [int(uid) for uid in uids]
        body = self._json(
            "POST", "/v1/certificates/findByUids", json={"uids": asked}, idempotent=True
        )
        return parse_find_result(body, asked)

    def _error_for(self, response: requests.Response) -> errors.ServiceError:
        error = super()._error_for(response)
        body = error_body(response)
        if isinstance(body.get("description"), str):
            error.message = f"certification: {body['description'][:200]}"
            error.details["error"] = str(body.get("error", ""))[:100]
        return error


def parse_find_result(body: Any, asked: Sequence[int]) -> FindResult:
    """Parse a `findByUids` body strictly. Raises InvalidResponse when its frame
    (the `result` list, each entry's uid and list) is broken; a broken single
    certificate is skipped and reported in `problems`."""
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        raise errors.InvalidResponse(
            "certification: the answer has no result list", details={"system": "certification"}
        )
    wanted = set(asked)
    by_uid: dict[int, UidCertificates] = {}
    problems: list[str] = []
    for entry in result:
        uid, certificates = _entry(entry)
        if uid not in wanted:
            problems.append(f"uid {uid}: not asked for, ignored")
            continue
        parsed, skipped = _certificates(uid, certificates, problems)
        by_uid[uid] = UidCertificates(uid=uid, certificates=parsed, skipped=skipped)
    not_reported = tuple(uid for uid in dict.fromkeys(asked) if uid not in by_uid)
    if not_reported:
        problems.append(
            f"{len(not_reported)} uids left out of the answer: {list(not_reported)[:20]}"
        )
    for problem in problems:
        logger.warning("certification answer: %s", problem)
    return FindResult(by_uid=by_uid, problems=tuple(problems), not_reported=not_reported)


def _entry(entry: Any) -> tuple[int, list]:
    if not isinstance(entry, dict):
        raise errors.InvalidResponse("certification: a result entry is not an object")
    uid, certificates = entry.get("uid"), entry.get("certificates")
    if isinstance(uid, bool) or not isinstance(uid, int) or not isinstance(certificates, list):
        raise errors.InvalidResponse("certification: a result entry has no uid or list")
    return uid, certificates


def _certificates(
    uid: int, raw: list, problems: list[str]
) -> tuple[tuple[CertificateInfo, ...], int]:
    parsed: list[CertificateInfo] = []
    for item in raw:
        try:
            parsed.append(parse_certificate(item))
        except ValueError as exc:
            problems.append(f"uid {uid}: certificate skipped ({exc})")
    return tuple(parsed), len(raw) - len(parsed)


def parse_certificate(item: Any) -> CertificateInfo:
    """One certificate object; ValueError names what is wrong with it."""
    if not isinstance(item, dict):
        raise ValueError("not an object")
    unknown = set(item) - CERTIFICATE_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    missing = CERTIFICATE_FIELDS - set(item)
    if missing:
        raise ValueError(f"missing fields {sorted(missing)}")
    cert_id, kind = item["id"], item["kind"]
    if isinstance(cert_id, bool) or not isinstance(cert_id, str | int) or str(cert_id) == "":
        raise ValueError("bad id")
    if not isinstance(kind, str) or not kind or len(kind) > 50:
        raise ValueError("bad kind")
    confirmed, due = _date(item["confirmedDate"]), _date(item["dueDate"])
    if due < confirmed:
        raise ValueError("dueDate before confirmedDate")
    return CertificateInfo(id=str(cert_id)[:64], kind=kind, confirmed_on=confirmed, due_on=due)


def _date(value: Any) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"malformed date {str(value)[:20]!r}") from None
