"""Emulator of the certification service's `findByUids`.

Shape (defined in docs/jobs/freelancer_certificates.md, "API сервиса сертификации"):
POST /v1/certificates/findByUids {"uids": [int, ...]} →
200 {"result": [{"uid": int, "certificates": [{"id", "kind", "confirmedDate", "dueDate"}]}]};
errors {"error": "<code>", "description": "<text>"}. Certificates live in
`EmulatedCertificate`; `generate()` fills them deterministically.
Knob: settings `SANDBOX_CERTIFICATION_OMIT_UIDS` (a list of uids) makes the
emulator leave those uids out of its answers, like a service that forgets some.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from sandbox.faults import emulator
from sandbox.models import EmulatedCertificate

MAX_UIDS = 1000
KINDS = ["direct", "direct_pro", "metrika", "market"]


def _error(code: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": code, "description": description}, status=status)


@require_POST
@emulator("certification")
def find_by_uids(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body)
    except ValueError:
        return _error("bad_request", "body is not JSON")
    uids = body.get("uids") if isinstance(body, dict) else None
    if not isinstance(uids, list) or not all(
        isinstance(u, int) and not isinstance(u, bool) for u in uids
    ):
        return _error("bad_request", "uids must be a list of integers")
    if len(uids) > MAX_UIDS:
        return _error("too_many_uids", f"at most {MAX_UIDS} uids per call")
    found: dict[int, list[dict]] = {uid: [] for uid in uids}
    for row in EmulatedCertificate.objects.filter(uid__in=uids).order_by("uid", "due_date"):
        found[row.uid].append(
            {
                "id": row.certificate_id,
                "kind": row.kind,
                "confirmedDate": row.confirmed_date.isoformat(),
                "dueDate": row.due_date.isoformat(),
            }
        )
    omit = set(getattr(settings, "SANDBOX_CERTIFICATION_OMIT_UIDS", ()))
    return JsonResponse(
        {
            "result": [
                {"uid": uid, "certificates": certs}
                for uid, certs in found.items()
                if uid not in omit
            ]
        }
    )


def generate(uids: Iterable[int], *, today: date, seed: int = 4) -> int:
    """Replace the certificates of `uids` with a deterministic mix.

    By position: most have a current Direct certificate, some expire within
    30 days, some expired, some hold only a kind that does not make them
    searchable (metrika), some have none. Returns how many were created.
    """
    uids = list(uids)
    rng = random.Random(seed)
    EmulatedCertificate.objects.filter(uid__in=uids).delete()
    rows = []
    for position, uid in enumerate(uids):
        for kind, due_in in _pattern(position, rng):
            due = today + timedelta(days=due_in)
            rows.append(
                EmulatedCertificate(
                    uid=uid,
                    certificate_id=f"{kind}-{uid}-{due:%Y%m%d}",
                    kind=kind,
                    confirmed_date=due - timedelta(days=365),
                    due_date=due,
                )
            )
    EmulatedCertificate.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _pattern(position: int, rng: random.Random) -> list[tuple[str, int]]:
    slot = position % 8
    if slot in (0, 1, 2):  # current
        extra = [("metrika", rng.randint(30, 300))] if slot == 1 else []
        return [(rng.choice(["direct", "direct_pro"]), rng.randint(40, 360)), *extra]
    if slot == 3:  # expiring within 30 days
        return [("direct", rng.randint(1, 29))]
    if slot == 4:  # renewed: an expired one and a current one
        return [("direct", -rng.randint(5, 300)), ("direct", rng.randint(60, 360))]
    if slot == 5:  # expired
        return [("direct", -rng.randint(1, 200))]
    if slot == 6:  # only a kind that does not make a freelancer searchable
        return [("metrika", rng.randint(30, 300))]
    return []  # none


urlpatterns = [path("v1/certificates/findByUids", find_by_uids, name="certification-find")]
