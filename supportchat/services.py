"""The support chat job: sync `checked_support_chat` on every shard from the exclusion list.

One run: stop while the watermark property lies in the future (the pause
knob: nothing is read); read the table's version and stop when it equals the
watermark; read the listed client ids and the clients with the feature off on
every shard; plan; refuse plans that look like a lost source unless forced;
apply per shard in batches, one transaction each; only then move the
watermark, unless some listed clients are missing from the shard map (the run
ends PARTIAL, and the next one plans again). A run that dies half-way leaves
every committed batch consistent, and since the watermark did not move the
next run plans again from the shards' state and finishes the job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import errors
from core.jobs import RunRecorder, job_run
from core.models import JobRun, Property
from core.selectors import property_get
from core.services import property_set
from supportchat import selectors
from supportchat.adapters.base import ExclusionSource, TableVersion
from supportchat.adapters.csv_file import CsvExclusionSource
from supportchat.adapters.yt import YtClient, YtExclusionSource
from supportchat.jobs import TABLE_UNREADABLE, UNKNOWN_CLIENTS
from supportchat.models import CHECKED_SUPPORT_CHAT, ClientFeature
from supportchat.plan import Limits, Plan, plan_sync, safety_violations
from supportchat.shards import shards

logger = logging.getLogger(__name__)

T = TypeVar("T")

# on_batch(shard, action, done, total): progress of the apply phase.
BatchCallback = Callable[[int, str, int, int], None]


class SafetyRefused(errors.FailedPrecondition):
    default_message = "The plan looks like a lost or broken exclusion list; refused"


@dataclass(frozen=True)
class SyncResult:
    """Outcome of one run. `outcome`: synced | unchanged | paused | dry_run;
    `version` is the table's, None when paused (the table is not read)."""

    run_id: int
    outcome: str
    version: TableVersion | None = None
    plan: Plan | None = None
    applied: int = 0
    refusals: tuple[str, ...] = ()


def exclusion_source() -> ExclusionSource:
    """The source the settings name: a local CSV file, else the YT table."""
    if settings.SUPPORT_CHAT_EXCLUSION_SOURCE:
        return CsvExclusionSource(settings.SUPPORT_CHAT_EXCLUSION_SOURCE)
    client = YtClient(
        base_url=settings.YT_PROXY_URL,
        token=settings.YT_TOKEN,
        max_retries=settings.YT_MAX_RETRIES,
        backoff_base=settings.YT_BACKOFF_SECONDS,
        backoff_max=max(30.0, settings.YT_BACKOFF_SECONDS),
    )
    return YtExclusionSource(
        client,
        table=settings.SUPPORT_CHAT_YT_TABLE,
        column=settings.SUPPORT_CHAT_YT_CLIENT_ID_COLUMN,
    )


def support_chat_sync(
    *,
    trigger: str = JobRun.Trigger.SCHEDULE,
    dry_run: bool = False,
    force: bool = False,
    source: ExclusionSource | None = None,
    on_batch: BatchCallback | None = None,
) -> SyncResult:
    """Run the job once (see the module docstring).

    `dry_run` plans and records the plan but changes nothing (and plans even
    when the table is unchanged or the job paused); `force` applies a plan the
    safety guards refuse.

    Raises JobLocked (another run in progress), SafetyRefused, NotFound (table
    missing), Unavailable / DeadlineExceeded / InvalidResponse (source
    failing), InvalidArgument (bad watermark property or CSV row). Every
    failure is recorded as a failed JobRun and changes nothing not committed.
    """
    source = source or exclusion_source()
    with job_run(selectors.JOB, trigger=trigger, dry_run=dry_run) as run:
        stored = property_get(selectors.WATERMARK)
        watermark = selectors.watermark_time(stored)
        # A pause reads nothing: the table may be lost or YT down meanwhile.
        if not dry_run and _paused(watermark, run):
            return SyncResult(run_id=run.run.pk, outcome="paused")
        version = _read(run, source.version)
        run.detail("table", {"location": version.location, "modified_at": _iso(version)})
        if not dry_run and _unchanged(watermark, version, run):
            return SyncResult(run_id=run.run.pk, outcome="unchanged", version=version)
        plan = _plan(source, version, run)
        refusals = _check_safety(plan, run, force=force or dry_run)
        if dry_run:
            run.note(f"Dry run: would disable {plan.to_disable}, enable {plan.to_enable}.")
            return SyncResult(
                run_id=run.run.pk,
                outcome="dry_run",
                version=version,
                plan=plan,
                refusals=() if force else tuple(refusals),
            )
        applied = _apply(plan, version, run, on_batch=on_batch)
        if plan.unknown:  # health reads the first message
            run.mark_partial(
                UNKNOWN_CLIENTS(clients=len(plan.unknown), first=_first(plan.unknown)),
                progressed=True,
            )
        run.note(
            f"Synced table version {_iso(version)}: disabled {plan.to_disable}, "
            f"enabled {plan.to_enable}."
        )
        # With clients unknown, not this version's watermark: the next run
        # plans again, so they are synced once the shard map has them.
        if not plan.unknown:
            _store_watermark(version, expected=stored, run=run)
        return SyncResult(
            run_id=run.run.pk, outcome="synced", version=version, plan=plan, applied=applied
        )


# A table that is gone or that we may not read does not heal by itself, unlike
# a source failing for a while (Unavailable, DeadlineExceeded: retried, and the
# next run tries again): these failures turn health CRIT at once.
UNREADABLE = (
    errors.NotFound,
    errors.PermissionDenied,
    errors.Unauthenticated,
    errors.InvalidResponse,
    errors.InvalidArgument,
)


def _read(run: RunRecorder, read: Callable[[], T]) -> T:
    """`read()`; a missing or unreadable table marks the run critical and re-raises."""
    try:
        return read()
    except UNREADABLE as exc:
        run.mark_critical(TABLE_UNREADABLE(error=exc.message))
        raise


def _iso(version: TableVersion) -> str:
    return version.modified_at.astimezone(UTC).isoformat()


def _paused(watermark: datetime | None, run: RunRecorder) -> bool:
    """Whether the watermark lies in the future (the pause knob). Any other
    value syncs: table edits made during a pause are applied once the pause
    ends or is set back to a past time."""
    if watermark is None or watermark <= timezone.now():
        return False
    run.mark_paused(
        watermark,
        f"Paused until {watermark.isoformat()} ({selectors.WATERMARK} is in the future): "
        "nothing changed.",
    )
    run.detail("skipped", "paused")  # shown as "skipped", never as a plain success
    return True


def _unchanged(watermark: datetime | None, version: TableVersion, run: RunRecorder) -> bool:
    """Whether the table's modification time equals the watermark."""
    if watermark is None or version.modified_at != watermark:
        return False
    run.note(f"The table has not changed since {watermark.isoformat()}: nothing to do.")
    run.detail("skipped", "unchanged")
    return True


def _first(ids: Sequence[int]) -> str:
    return ", ".join(map(str, ids[:20]))


def _store_watermark(version: TableVersion, *, expected: str | None, run: RunRecorder) -> bool:
    """Move the watermark to `version`, as a compare-and-set; True when stored.

    Stored only while this run still holds the lease (checked in the same
    transaction) and the property still holds the value this run read at its
    start, or a time older than `version` (a stale value). A property changed
    during the run (another run stored a newer version; an operator set a
    pause) is kept. Raises JobLocked when the lease was lost.
    """
    with transaction.atomic():
        run.heartbeat()
        current = (
            Property.objects.select_for_update()
            .filter(name=selectors.WATERMARK)
            .values_list("value", flat=True)
            .first()
        )
        if (current or "") != (expected or "") and not _older(current, version):
            run.note(
                f"{selectors.WATERMARK} changed during the run (now {current!r}): "
                "the watermark was not stored."
            )
            return False
        property_set(name=selectors.WATERMARK, value=_iso(version))
    return True


def _older(value: str | None, version: TableVersion) -> bool:
    """True when the property `value` is a time older than `version`."""
    try:
        moment = selectors.parse_moment(value) if value else None
    except errors.InvalidArgument:
        return False
    return moment is not None and moment < version.modified_at


def _plan(source: ExclusionSource, version: TableVersion, run: RunRecorder) -> Plan:
    # Heartbeats through the read phase: a run whose lease ran out while it
    # read stops here instead of applying a stale plan.
    listed = _read(run, lambda: source.client_ids(version))
    run.heartbeat()
    shard_of = selectors.client_shards(client_ids=listed)
    disabled = {}
    for shard, alias in shards().items():
        run.heartbeat()
        disabled[shard] = selectors.disabled_clients(alias=alias)
    run.heartbeat()
    plan = plan_sync(listed=listed, shard_of=shard_of, disabled=disabled)
    for key, value in plan.counters().items():
        run.set(key, value)
    run.set("applied", 0)
    run.detail("plan", plan.summary(cap=settings.SUPPORT_CHAT_PLAN_ID_CAP))
    if plan.unknown:
        logger.warning(
            "%d listed clients are not in the shard map: %s",
            len(plan.unknown),
            _first(plan.unknown),
        )
    return plan


def _limits() -> Limits:
    return Limits(
        max_share=settings.SUPPORT_CHAT_MAX_CHANGE_SHARE,
        max_changes=settings.SUPPORT_CHAT_MAX_CHANGES,
        floor=settings.SUPPORT_CHAT_SAFETY_FLOOR,
    )


def _check_safety(plan: Plan, run: RunRecorder, *, force: bool) -> list[str]:
    """The safety guards' reasons; raises SafetyRefused when there are any and not `force`."""
    reasons = safety_violations(plan, _limits())
    if not reasons:
        return reasons
    run.detail("safety", {"reasons": reasons, "forced": force})
    if force:
        run.note("Safety guards overridden (or dry run): " + "; ".join(reasons) + ".")
        return reasons
    raise SafetyRefused(
        "Refused: " + "; ".join(reasons) + ". Check the exclusion table; "
        "if the change is intended, run `manage.py sync_support_chat --force`.",
        details={"reasons": reasons},
    )


def _apply(
    plan: Plan, version: TableVersion, run: RunRecorder, *, on_batch: BatchCallback | None
) -> int:
    now, stamp, applied = timezone.now(), _iso(version), 0
    size = settings.SUPPORT_CHAT_BATCH_SIZE
    for shard, shard_plan in sorted(plan.shards.items()):
        alias = shards()[shard]
        for action, ids in (("disable", shard_plan.to_disable), ("enable", shard_plan.to_enable)):
            for start in range(0, len(ids), size):
                batch = ids[start : start + size]
                write = _disable if action == "disable" else _enable
                with transaction.atomic(using=alias):
                    write(alias, batch, now=now, run_id=run.run.pk, source_version=stamp)
                    # Last check before the commit: a lost lease rolls this
                    # batch back (on the default database the lock row stays
                    # locked until the commit, so no one can take it over).
                    run.heartbeat()
                applied += len(batch)
                run.set("applied", applied)
                if on_batch:
                    on_batch(shard, action, start + len(batch), len(ids))
    return applied


def _disable(
    alias: str, ids: Sequence[int], *, now: datetime, run_id: int, source_version: str
) -> None:
    # One INSERT ... ON CONFLICT DO UPDATE per batch (PostgreSQL and SQLite):
    # a missing row means "on", so switching off may need a new row.
    ClientFeature.objects.using(alias).bulk_create(
        [
            ClientFeature(
                client_id=client_id,
                feature=CHECKED_SUPPORT_CHAT,
                is_enabled=False,
                updated_at=now,
                changed_by_run=run_id,
                source_version=source_version,
            )
            for client_id in ids
        ],
        update_conflicts=True,
        unique_fields=["client_id", "feature"],
        update_fields=["is_enabled", "updated_at", "changed_by_run", "source_version"],
    )


def _enable(
    alias: str, ids: Sequence[int], *, now: datetime, run_id: int, source_version: str
) -> None:
    # One UPDATE ... WHERE client_id IN (...) per batch; the row stays, with
    # its provenance.
    ClientFeature.objects.using(alias).filter(
        feature=CHECKED_SUPPORT_CHAT, client_id__in=ids, is_enabled=False
    ).update(is_enabled=True, updated_at=now, changed_by_run=run_id, source_version=source_version)
