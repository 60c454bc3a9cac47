"""Reads shared by every app: properties and job health."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.joblock import stuck_run
from core.jobs import PROGRESSED, Health, Job, all_jobs, evaluate_health, get_job
from core.models import JobRun, Property


def property_get(name: str, default: str | None = None) -> str | None:
    """The value of property `name`, or `default` when it is not set."""
    value = Property.objects.filter(name=name).values_list("value", flat=True).first()
    return default if value is None else value


def job_health(name: str) -> Health:
    """The health verdict of job `name`. Raises NotFound for an unknown job."""
    job = get_job(name)
    return _health(job)


def jobs_overview() -> list[Health]:
    return [_health(job) for job in all_jobs()]


def _health(job: Job) -> Health:
    runs = JobRun.objects.filter(job=job.name, dry_run=False, scoped=False)
    # A partial run that made progress keeps the job fresh (health WARN, not CRIT).
    progressed = Q(status=JobRun.Status.PARTIAL, **{f"details__{PROGRESSED}": True})
    last_success = (
        runs.filter(Q(status=JobRun.Status.SUCCESS) | progressed)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    last_run = runs.exclude(status=JobRun.Status.RUNNING).order_by("-started_at").first()
    now = timezone.now()
    return evaluate_health(
        job,
        now=now,
        last_success=last_success,
        last_run=last_run,
        stuck=stuck_run(job.name, now=now),
    )
