"""Recruiting's jobs as use cases: each opens its own run under the job's
lock (`core.jobs.job_run`) and returns the finished `JobRun`, so a task, a
command and the admin all start the same thing and read their own run."""

from __future__ import annotations

from django.utils import timezone

from core.jobs import job_run
from core.models import JobRun
from recruiting.models import SearchSession
from recruiting.services import polling, rates, subsystems


def applications_poll_run(*, trigger: str) -> JobRun:
    with job_run("applications_poll", trigger=trigger) as run:
        polling.applications_poll(run=run)
    return run.run


def known_contacts_pull_run(*, trigger: str) -> JobRun:
    with job_run("applications_contacts_pull", trigger=trigger) as run:
        polling.known_contacts_pull(run=run)
    return run.run


def subsystem_tokens_refresh_run(*, trigger: str, dry_run: bool = False) -> JobRun:
    with job_run("subsystem_tokens_refresh", trigger=trigger, dry_run=dry_run) as run:
        subsystems.subsystem_tokens_refresh(run=run, dry_run=dry_run)
    return run.run


def search_sessions_prune(*, trigger: str, dry_run: bool = False) -> JobRun:
    """Delete expired search sessions (they hold candidates' names and
    contacts, encrypted, and nobody can page them any more: their cursors
    expired with them). `dry_run` counts them and deletes nothing."""
    with job_run("search_sessions_prune", trigger=trigger, dry_run=dry_run) as run:
        expired = SearchSession.objects.filter(expires_at__lte=timezone.now())
        if dry_run:
            run.set("expired", expired.count())
        else:
            deleted, _by_model = expired.delete()
            run.set("deleted", deleted)
    return run.run


def currency_rates_refresh_run(*, trigger: str) -> JobRun:
    """Read the sites' currency rates into the cache (`services.rates`)."""
    with job_run(rates.JOB, trigger=trigger) as run:
        rates.currency_rates_refresh(run=run)
    return run.run
