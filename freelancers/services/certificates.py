"""The certificate sync (FreelancerCertificatesUpdateJob).

fetch (batches, in parallel, HTTP only) → plan (pure rules) → guard → apply
(one transaction per chunk). Failures never hide anybody: a batch that fails
after the adapter's retries leaves its freelancers untouched and marks the run
partial; the safety guard refuses a run that would hide too many at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import errors
from core.jobs import RunRecorder, job_run
from core.models import JobRun
from freelancers import page_cache
from freelancers.adapters.base import CertificateInfo, CertificationService, FindResult
from freelancers.adapters.certification import CertificationClient
from freelancers.certificates import FreelancerPlan, Guard, StoredFreelancer, plan_freelancer
from freelancers.jobs import BATCHES_FAILED, NOT_REPORTED
from freelancers.models import Certificate, Freelancer

logger = logging.getLogger(__name__)

__all__ = [
    "JOB_NAME",
    "BatchOutcome",
    "SyncRefused",
    "SyncReport",
    "certification_client",
    "freelancer_certificates_sync",
]

JOB_NAME = "freelancer_certificates"
APPLY_CHUNK = 500
UPDATE_BATCH = 100
DETAIL_LIMIT = 200


class SyncRefused(errors.FailedPrecondition):
    default_message = _("The sync would hide too many freelancers; rerun with --force")


@dataclass(frozen=True)
class BatchOutcome:
    """One `findByUids` call: its uids and either the answer or the error."""

    number: int
    uids: tuple[int, ...]
    result: FindResult | None = None
    error: errors.ServiceError | None = None


@dataclass
class SyncReport:
    counters: dict[str, int] = field(default_factory=dict)
    partial: bool = False
    dry_run: bool = False
    guard: Guard | None = None
    run_id: int | None = None


def certification_client() -> CertificationClient:
    """The adapter configured from settings."""
    return CertificationClient(
        base_url=settings.FREELANCER_CERTIFICATES_API_URL,
        timeout=(settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT),
        max_retries=settings.HTTP_MAX_RETRIES,
    )


def freelancer_certificates_sync(
    *,
    uids: Sequence[int] | None = None,
    dry_run: bool = False,
    force: bool = False,
    trigger: str = JobRun.Trigger.SCHEDULE,
    client: CertificationService | None = None,
    progress: Callable[[BatchOutcome, int], None] | None = None,
    today: date | None = None,
) -> SyncReport:
    """Sync the certificates of every freelancer (or of `uids`) and set visibility.

    `progress(outcome, total_batches)` is called as each batch answers.
    Raises NotFound for a uid that is no freelancer, SyncRefused (without
    `force`) when the hides no stored due date explains exceed both
    FREELANCER_CERTIFICATES_GUARD_ALLOWANCE and FREELANCER_CERTIFICATES_MAX_HIDE_SHARE
    of the freelancers visible today (see `freelancers.certificates.Guard`), JobLocked when another run is in progress.
    """
    if client is None:
        owned = certification_client()
        try:
            return freelancer_certificates_sync(
                uids=uids,
                dry_run=dry_run,
                force=force,
                trigger=trigger,
                client=owned,
                progress=progress,
                today=today,
            )
        finally:
            owned.session.close()
    today = today or timezone.localdate()
    # A run over chosen uids is recorded as scoped: it never counts as the
    # job's success for health.
    with job_run(JOB_NAME, trigger=trigger, dry_run=dry_run, scoped=bool(uids)) as run:
        targets = _targets(uids)
        outcomes = _fetch(client, sorted(targets), progress)
        plans = _plan(targets, outcomes, today=today)
        guard = _guard(plans, today=today)
        _record(run, outcomes, plans, guard)
        if guard.refused and not force and not dry_run:
            raise SyncRefused(
                gettext(
                    "Refused: %(reason)s; check the certification service, then rerun with --force"
                )
                % {"reason": guard.message},
                details={"hidden": guard.hidden, "visible": guard.visible},
            )
        if guard.refused:
            run.note(f"guard: {guard.message}" + ("; forced" if force else ""))
        if not dry_run:
            _apply(run, plans)
        report = SyncReport(dict(run.counters), run.partial, dry_run, guard, run.run.pk)
    return report


# --- fetch ---------------------------------------------------------------------


def _targets(uids: Sequence[int] | None) -> dict[int, StoredFreelancer]:
    rows = Freelancer.objects.all()
    if uids:
        rows = rows.filter(uid__in=set(uids))
    fields = ("id", "uid", "is_searchable", "visible_until", "visibility_reason")
    stored = {
        row["uid"]: row
        for row in rows.values(*fields, "certificates_synced_at").order_by("uid").iterator()
    }
    missing = set(uids or ()) - set(stored)
    if missing:
        raise errors.NotFound(f"No freelancer with uid {sorted(missing)}")
    certificates = _stored_certificates({row["id"] for row in stored.values()}, all_=not uids)
    return {
        uid: StoredFreelancer(
            id=row["id"],
            uid=uid,
            is_searchable=row["is_searchable"],
            visible_until=row["visible_until"],
            reason=row["visibility_reason"],
            synced_at=row["certificates_synced_at"],
            certificates=tuple(certificates.get(row["id"], ())),
        )
        for uid, row in stored.items()
    }


def _stored_certificates(ids: set[int], *, all_: bool) -> dict[int, list[CertificateInfo]]:
    rows = Certificate.objects.all() if all_ else Certificate.objects.filter(freelancer_id__in=ids)
    found: dict[int, list[CertificateInfo]] = {}
    for freelancer_id, ext, kind, confirmed, due in rows.values_list(
        "freelancer_id", "external_id", "kind", "confirmed_on", "due_on"
    ).iterator(chunk_size=5000):
        found.setdefault(freelancer_id, []).append(CertificateInfo(ext, kind, confirmed, due))
    return found


def _fetch(
    client: CertificationService,
    uids: list[int],
    progress: Callable[[BatchOutcome, int], None] | None,
) -> list[BatchOutcome]:
    size = max(1, settings.FREELANCER_CERTIFICATES_BATCH_SIZE)
    batches = [tuple(uids[i : i + size]) for i in range(0, len(uids), size)]
    workers = max(1, min(settings.FREELANCER_CERTIFICATES_CONCURRENCY, len(batches)))

    def call(number: int, batch: tuple[int, ...]) -> BatchOutcome:
        try:
            return BatchOutcome(number, batch, result=client.find_by_uids(batch))
        except errors.ServiceError as exc:
            logger.warning("certificates batch %d (%d uids) failed: %s", number, len(batch), exc)
            return BatchOutcome(number, batch, error=exc)

    outcomes: list[BatchOutcome] = []
    # Worker threads only talk HTTP; every database access stays on this thread.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="certs") as pool:
        futures = [pool.submit(call, n, batch) for n, batch in enumerate(batches, 1)]
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            if progress:
                progress(outcome, len(batches))
    return outcomes


# --- plan and guard ------------------------------------------------------------


def _plan(
    targets: dict[int, StoredFreelancer], outcomes: Iterable[BatchOutcome], *, today: date
) -> list[FreelancerPlan]:
    kinds = frozenset(settings.FREELANCER_CERTIFICATES_ACCEPTED_KINDS)
    return [
        plan_freelancer(targets[uid], answer, accepted_kinds=kinds, today=today)
        for outcome in outcomes
        if outcome.result is not None
        for uid, answer in outcome.result.by_uid.items()
    ]


def _guard(plans: list[FreelancerPlan], *, today: date) -> Guard:
    unexplained = sum(plan.hidden_unexplained for plan in plans)
    return Guard(
        hidden=unexplained,
        visible=Freelancer.objects.filter(is_searchable=True, visible_until__gte=today).count(),
        max_share=settings.FREELANCER_CERTIFICATES_MAX_HIDE_SHARE,
        allowance=settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE,
        expired=sum(plan.hidden for plan in plans) - unexplained,
    )


def _record(
    run: RunRecorder, outcomes: list[BatchOutcome], plans: list[FreelancerPlan], guard: Guard
) -> None:
    failed = [o for o in outcomes if o.error is not None]
    run.set("freelancers", sum(len(o.uids) for o in outcomes))
    run.set("batches", len(outcomes))
    run.set("batches_failed", len(failed))
    run.set("freelancers_not_synced", sum(len(o.uids) for o in failed))
    not_reported = [uid for o in outcomes if o.result for uid in o.result.not_reported]
    run.set("freelancers_not_reported", len(not_reported))
    run.set("certificates_added", sum(len(p.added) for p in plans))
    run.set("certificates_updated", sum(len(p.updated) for p in plans))
    run.set("certificates_removed", sum(len(p.removed) for p in plans))
    run.set("certificates_expired", sum(len(p.expired) for p in plans))
    run.set("certificates_skipped", sum(p.skipped for p in plans))
    run.set("freelancers_shown", sum(p.shown for p in plans))
    run.set("freelancers_hidden", sum(p.hidden for p in plans))
    run.set("freelancers_hidden_unexplained", guard.hidden)
    run.detail("shown", [p.stored.uid for p in plans if p.shown][:DETAIL_LIMIT])
    run.detail("hidden", [p.stored.uid for p in plans if p.hidden][:DETAIL_LIMIT])
    run.detail("added", _certificate_details(plans, "added"))
    run.detail("expired", _certificate_details(plans, "expired"))
    run.detail("removed", _certificate_details(plans, "removed"))
    run.detail("not_reported", not_reported[:DETAIL_LIMIT])
    run.detail(
        "guard",
        {"hidden_unexplained": guard.hidden, "expired": guard.expired, "visible": guard.visible},
    )
    run.detail(
        "failed_batches",
        [{"batch": o.number, "uids": len(o.uids), "error": str(o.error)} for o in failed][
            :DETAIL_LIMIT
        ],
    )
    for plan in plans:
        _log_plan(plan)
    if not_reported:
        logger.warning(
            "certification left %d uids out of its answers; left unchanged: %s",
            len(not_reported),
            not_reported[:DETAIL_LIMIT],
        )
    reasons = []
    if failed:
        reasons.append(
            BATCHES_FAILED(
                failed=len(failed),
                batches=len(outcomes),
                freelancers=sum(len(o.uids) for o in failed),
            )
        )
    if not_reported:
        reasons.append(NOT_REPORTED(freelancers=len(not_reported)))
    for reason in reasons:
        # Some batches answered: the job works, so it stays fresh (health WARN
        # with the reasons), even when the service keeps leaving one uid out.
        run.mark_partial(reason, progressed=len(failed) < len(outcomes))


def _certificate_details(plans: list[FreelancerPlan], attr: str) -> list[dict]:
    return [
        {"uid": p.stored.uid, "id": c.id, "kind": c.kind, "due_on": c.due_on.isoformat()}
        for p in plans
        for c in getattr(p, attr)
    ][:DETAIL_LIMIT]


def _log_plan(plan: FreelancerPlan) -> None:
    uid = plan.stored.uid
    for certificate in plan.added:
        logger.info("freelancer %s: certificate %s added", uid, certificate.id)
    for certificate in plan.expired:
        logger.info("freelancer %s: certificate %s expired", uid, certificate.id)
    for certificate in plan.removed:
        logger.info("freelancer %s: certificate %s no longer reported", uid, certificate.id)
    if plan.shown or plan.hidden:
        logger.info("freelancer %s: %s", uid, "shown" if plan.shown else "hidden")


# --- apply ---------------------------------------------------------------------


def _apply(run: RunRecorder, plans: list[FreelancerPlan]) -> None:
    now = timezone.now()
    for start in range(0, len(plans), APPLY_CHUNK):
        with transaction.atomic():
            _apply_chunk(plans[start : start + APPLY_CHUNK], now=now)
        run.heartbeat()


def _apply_chunk(plans: list[FreelancerPlan], *, now) -> None:
    for_certificates = [p for p in plans if p.added or p.updated or p.removed]
    _apply_certificates(for_certificates)
    changed = [p for p in plans if p.visibility_changed]
    _update_visibility(changed, now=now)
    unchanged = [p.stored.id for p in plans if not p.visibility_changed]
    Freelancer.objects.filter(pk__in=unchanged).update(certificates_synced_at=now)
    if for_certificates or changed:  # badges or visibility the catalogue shows
        transaction.on_commit(page_cache.catalogue_changed)


VISIBILITY_FIELDS = (
    "is_searchable",
    "visible_until",
    "visibility_reason",
    "certificates_synced_at",
    "updated_at",
)


def _column(name: str) -> tuple[Field, str]:
    """The model field `name` and its column (a concrete field, not a relation)."""
    field = Freelancer._meta.get_field(name)
    assert isinstance(field, Field) and field.column, name
    return field, field.column


def _update_visibility(plans: list[FreelancerPlan], *, now) -> None:
    """One parameterised UPDATE per row through executemany.

    `bulk_update` builds a CASE WHEN per field that grows with the batch, which
    costs seconds per thousand rows; executemany of one prepared statement is
    pipelined by psycopg and cheap on SQLite.
    """
    if not plans:
        return
    meta = Freelancer._meta
    quote = connection.ops.quote_name
    fields, columns = zip(*(_column(name) for name in VISIBILITY_FIELDS), strict=True)
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(_column('id')[1])} = %s"
    rows = []
    for plan in plans:
        after = plan.after
        values = (after.is_searchable, after.visible_until, after.reason, now, now)
        rows.append(
            [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
            + [plan.stored.id]
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _apply_certificates(plans: list[FreelancerPlan]) -> None:
    if not plans:
        return
    ids = [p.stored.id for p in plans]
    existing = {
        (freelancer_id, ext): pk
        for pk, freelancer_id, ext in Certificate.objects.filter(freelancer_id__in=ids).values_list(
            "pk", "freelancer_id", "external_id"
        )
    }
    removed = [existing[(p.stored.id, c.id)] for p in plans for c in p.removed]
    Certificate.objects.filter(pk__in=removed).delete()
    Certificate.objects.bulk_create(
        [_certificate_row(p.stored.id, c) for p in plans for c in p.added]
    )
    updated = []
    for plan in plans:
        for c in plan.updated:
            row = _certificate_row(plan.stored.id, c)
            row.pk = existing[(plan.stored.id, c.id)]
            updated.append(row)
    Certificate.objects.bulk_update(
        updated, ["kind", "confirmed_on", "due_on", "updated_at"], batch_size=UPDATE_BATCH
    )


def _certificate_row(freelancer_id: int, c: CertificateInfo) -> Certificate:
    return Certificate(
        freelancer_id=freelancer_id,
        external_id=c.id,
        kind=c.kind,
        confirmed_on=c.confirmed_on,
        due_on=c.due_on,
        updated_at=timezone.now(),
    )
