"""Writes shared by every app: properties and schedules."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from core.jobs import all_jobs, get_job
from core.models import JobRun, Property

logger = logging.getLogger(__name__)


def property_set(*, name: str, value: str) -> Property:
    prop, _ = Property.objects.update_or_create(name=name, defaults={"value": value})
    return prop


def schedules_sync() -> list[str]:
    """Create or update the django-q2 schedule of every registered job.

    Idempotent: keyed by the job name. Returns the names it touched. A new
    schedule runs at once (a fresh install is checked and healthy within a
    minute); an existing one keeps its `next_run`, so a deploy does not shift
    or fire jobs.
    """
    names = []
    for job in all_jobs():
        schedule, created = Schedule.objects.update_or_create(
            name=job.name,
            defaults={
                "func": job.task,
                "schedule_type": Schedule.MINUTES,
                "minutes": job.every_minutes,
                "repeats": -1,
                "kwargs": {},
            },
        )
        if created:
            schedule.next_run = timezone.now()
            schedule.save(update_fields=["next_run"])
        names.append(job.name)
    return names


def job_enqueue(*, name: str, trigger: str = JobRun.Trigger.ADMIN, **kwargs) -> str:
    """Queue a run of job `name` on the worker; returns the task id."""
    job = get_job(name)
    return async_task(job.task, trigger=trigger, task_name=f"{name} ({trigger})", **kwargs)


def encrypted_fields_rotate(batch_size: int = 500) -> list[tuple[str, int]]:
    """Re-encrypt every encrypted field value (text and JSON) under the newest key.

    Reading decrypts with whichever key fits; writing encrypts with the first.
    The stored ciphertext is read raw and rotated as it is (a plain legacy
    value is encrypted), so a value read back unchanged cannot be written
    back under its old key. One batch per transaction, so an interrupted run
    can simply be repeated. A row that guards its writes with a `version`
    field (a search session) has it raised: a write prepared from the row as
    read before, which would put ciphertexts under the old key back, finds
    the version moved and is dropped.
    """
    from django.apps import apps
    from django.db.models import F, TextField
    from django.db.models.functions import Cast

    from core.fields import Ciphertext, EncryptedTextField, rotate

    done = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        manager = model._base_manager
        versioned = any(f.name == "version" for f in model._meta.concrete_fields)
        raw = {f"raw_{name}": Cast(name, output_field=TextField()) for name in names}
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                # Lock the batch first: a token refreshed meanwhile would
                # otherwise be overwritten with the value read before it.
                batch = manager.filter(pk__in=pks[start : start + batch_size]).order_by("pk")
                for row in batch.select_for_update().annotate(**raw).values("pk", *raw):
                    values: dict[str, Any] = {
                        name: Ciphertext(rotate(row[f"raw_{name}"]))
                        for name in names
                        if row[f"raw_{name}"]
                    }
                    if values and versioned:
                        values["version"] = F("version") + 1
                    if values:
                        manager.filter(pk=row["pk"]).update(**values)
        done.append((model._meta.label, len(pks)))
    return done


def jobruns_prune(*, trigger: str = JobRun.Trigger.SCHEDULE) -> int:
    """Delete job runs older than settings.JOB_RUN_RETENTION_DAYS; returns how many."""
    from django.conf import settings

    from core.jobs import job_run

    with job_run("jobruns_prune", trigger=trigger) as run:
        cutoff = timezone.now() - timedelta(days=settings.JOB_RUN_RETENTION_DAYS)
        deleted, _ = JobRun.objects.filter(started_at__lt=cutoff).exclude(pk=run.run.pk).delete()
        run.set("deleted", deleted)
        return deleted
