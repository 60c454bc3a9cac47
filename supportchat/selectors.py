"""Reads of the support chat job: the watermark property, the shards' state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django_q.models import Schedule

from core import errors
from core.jobs import Health
from core.models import JobRun
from core.selectors import job_health, property_get
from supportchat.models import CHECKED_SUPPORT_CHAT, ClientFeature, ClientShard, SupportChatRun

JOB = "support_chat_sync"
WATERMARK = "CHECKED_SUPPORT_CHAT_FEATURE_LAST_SYNCED_MOD_TIME"
LOOKUP_CHUNK = 10_000


def parse_moment(value: str) -> datetime:
    """An ISO 8601 time (`Z` allowed; without offset: the site's time zone).

    Raises InvalidArgument for anything else.
    """
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise errors.InvalidArgument(
            f"{WATERMARK} = {value[:60]!r} is not an ISO 8601 time", details={"value": value}
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def last_synced_mod_time() -> datetime | None:
    """The table version the last full run applied (the watermark), or None.

    Raises InvalidArgument when an operator set the property to a non-time.
    """
    return watermark_time(property_get(WATERMARK))


def watermark_time(value: str | None) -> datetime | None:
    """The time the watermark property's `value` holds, or None when it is
    empty. Raises InvalidArgument for a non-time."""
    return parse_moment(value) if value and value.strip() else None


def paused_until(*, now: datetime) -> datetime | None:
    """The watermark when it lies in the future (the pause knob), else None."""
    try:
        watermark = last_synced_mod_time()
    except errors.InvalidArgument:
        return None
    return watermark if watermark is not None and watermark > now else None


def disabled_clients(*, alias: str) -> set[int]:
    """Client ids with the support chat off on the shard behind `alias`."""
    rows = (
        ClientFeature.objects.using(alias)
        .filter(feature=CHECKED_SUPPORT_CHAT, is_enabled=False)
        .values_list("client_id", flat=True)
    )
    return set(rows.iterator(chunk_size=LOOKUP_CHUNK))


def client_shards(*, client_ids: Iterable[int]) -> dict[int, int]:
    """Shard number of each of `client_ids` the shard map knows."""
    ids = sorted(set(client_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        found.update(
            ClientShard.objects.filter(client_id__in=chunk).values_list("client_id", "shard")
        )
    return found


@dataclass(frozen=True)
class JobStatus:
    """What the job's admin page shows."""

    health: Health
    next_run: datetime | None
    watermark: datetime | None
    watermark_error: str
    paused_until: datetime | None
    last_run: SupportChatRun | None
    # The table version the last applying run synced: while paused the
    # property holds the pause time, so the version comes from the runs.
    synced_version: str | None = None


def job_status(*, now: datetime) -> JobStatus:
    try:
        watermark, watermark_error = last_synced_mod_time(), ""
    except errors.InvalidArgument as exc:
        watermark, watermark_error = None, exc.message
    return JobStatus(
        health=job_health(JOB),
        next_run=Schedule.objects.filter(name=JOB).values_list("next_run", flat=True).first(),
        watermark=watermark,
        watermark_error=watermark_error,
        paused_until=watermark if watermark is not None and watermark > now else None,
        last_run=SupportChatRun.objects.filter(job=JOB).order_by("-started_at").first(),
        synced_version=_synced_version(),
    )


def _synced_version() -> str | None:
    """The modification time of the table the latest applying run synced."""
    runs = (
        SupportChatRun.objects.filter(job=JOB, dry_run=False, status=JobRun.Status.SUCCESS)
        .order_by("-started_at")
        .values_list("details", flat=True)[:50]
    )
    for details in runs:
        if isinstance(details, dict) and "skipped" not in details and details.get("table"):
            return details["table"].get("modified_at")
    return None
