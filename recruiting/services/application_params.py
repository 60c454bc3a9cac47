"""Checks of a take-into-work request before anything is claimed: the resume
URNs of the card, and the target (amoCRM pipeline and stage, Tracker queue)
against the connection's catalogue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core import errors
from recruiting.adapters.base import JobSite
from recruiting.adapters.subsystem_base import CreateParams
from recruiting.domain import QUEUE_KEY_RE
from recruiting.models import Subsystem, SubsystemConnection
from recruiting.services.subsystems import connection_catalogue_refresh, subsystem_error

URN_RE = re.compile(r"^urn:(hh|sj):[A-Za-z0-9_-]{1,100}$")
CATALOGUE_FRESH = timedelta(minutes=10)


def urn_validate(urn: str) -> str:
    """Return `urn` when it is `urn:hh:<id>` or `urn:sj:<id>`; else InvalidArgument."""
    if not isinstance(urn, str) or not URN_RE.match(urn):
        raise errors.InvalidArgument(
            _("Unknown or malformed resume identifier %(urn)s") % {"urn": str(urn)[:120]},
            details={"urn": str(urn)[:120]},
        )
    return urn


def params_validate(
    connection: SubsystemConnection,
    pipeline_id: int | None,
    status_id: int | None,
    queue: str,
) -> CreateParams:
    """Fill defaults from the connection and check the target exists there.

    Checks against the stored catalogue while it is fresh; a target missing
    from it triggers one re-read, so a pipeline or queue added a minute ago
    is found and one deleted is refused.
    """
    if connection.subsystem == Subsystem.TRACKER:
        return _queue_validate(connection, queue)
    pipeline_id = pipeline_id or connection.pipeline_id
    if status_id is None and pipeline_id == connection.pipeline_id:
        status_id = connection.status_id
    pipelines = {p["id"]: p for p in _catalogue(connection, "pipelines", pipeline_id)}
    if pipeline_id is None:
        pipeline_id = next((p["id"] for p in pipelines.values() if p["is_main"]), None)
    if pipeline_id not in pipelines:
        raise errors.NotFound(
            _("Pipeline %(id)s does not exist in amoCRM") % {"id": pipeline_id},
            details={"pipeline_id": pipeline_id},
        )
    stages = {s["id"]: s for s in pipelines[pipeline_id]["stages"]}
    if status_id is not None and (status_id not in stages or stages[status_id]["is_closed"]):
        raise errors.NotFound(
            _("Stage %(id)s does not exist in this amoCRM pipeline") % {"id": status_id},
            details={"pipeline_id": pipeline_id, "status_id": status_id},
        )
    return CreateParams(pipeline_id=pipeline_id, status_id=status_id)


def _queue_validate(connection: SubsystemConnection, queue: str) -> CreateParams:
    """Only a well-formed key among the connection's configured queues.

    Raises FailedPrecondition (no queues configured), InvalidArgument
    (malformed key), NotFound (not configured, or gone from Tracker).
    """
    if not connection.queue_keys:
        raise errors.FailedPrecondition(
            _("No Tracker queues are configured for your organization; ask an administrator"),
            details={"reason": "no_queues"},
        )
    queue = (queue or connection.queue_keys[0]).strip()
    if not QUEUE_KEY_RE.match(queue):
        raise errors.InvalidArgument(
            _("Malformed Tracker queue key %(queue)s") % {"queue": queue[:40]},
            details={"queue": queue[:40]},
        )
    if queue not in connection.queue_keys:
        raise errors.NotFound(
            _("Queue %(queue)s is not enabled for your organization") % {"queue": queue},
            details={"queue": queue},
        )
    if queue not in {q["key"] for q in _catalogue(connection, "queues", queue)}:
        raise errors.NotFound(
            _("Queue %(queue)s does not exist in Tracker") % {"queue": queue},
            details={"queue": queue},
        )
    return CreateParams(queue=queue)


def _catalogue(connection: SubsystemConnection, kind: str, wanted) -> list[dict]:
    """Pipelines or queues from the stored catalogue, re-read when stale or missing `wanted`."""
    key = "key" if kind == "queues" else "id"
    fresh = connection.catalogue_updated_at and (
        connection.catalogue_updated_at > timezone.now() - CATALOGUE_FRESH
    )
    items = connection.catalogue.get(kind, []) if fresh else []
    if fresh and (wanted is None or wanted in {item[key] for item in items}):
        return items
    try:
        return connection_catalogue_refresh(connection=connection).get(kind, [])
    except errors.ServiceError as exc:
        raise subsystem_error(connection.subsystem, exc) from exc


def urn_parse(urn: str) -> tuple[JobSite, str]:
    """(site, resume id) of a valid URN; InvalidArgument otherwise."""
    urn_validate(urn)
    _urn, nid, resume_id = urn.split(":", 2)
    return JobSite(nid), resume_id


def card_urns_check(urns: Sequence[str]) -> list[str]:
    """The URNs of one (merged) card, deduplicated: valid, at most one per job site.

    A card never holds two resumes of one site, so this also caps how many
    URNs one request may carry. Raises InvalidArgument otherwise.
    """
    urns = list(dict.fromkeys(urns))
    most = len(JobSite)
    sites = [u.split(":")[1] for u in urns[: most + 1] if isinstance(u, str) and u.count(":") >= 2]
    if len(urns) > most or len(sites) != len(set(sites)):
        raise errors.InvalidArgument(
            _("A card holds at most one resume per job site"),
            details={"urns": [str(u)[:120] for u in urns[:4]]},
        )
    return [urn_validate(u) for u in urns]


def card_urns_validate(card_urns: Sequence[str], *, urn: str) -> list[str]:
    """The other URNs of `urn`'s card (see `card_urns_check`)."""
    return card_urns_check([urn, *card_urns])[1:]
