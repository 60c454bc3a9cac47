"""django-q2 entry points of recruiting jobs (thin: one service each)."""

from core.jobs import job_run, job_task
from recruiting.services import polling, subsystems


@job_task("applications_poll")
def applications_poll(*, trigger: str) -> None:
    with job_run("applications_poll", trigger=trigger) as run:
        polling.applications_poll(run=run)


@job_task("applications_contacts_pull")
def applications_contacts_pull(*, trigger: str) -> None:
    with job_run("applications_contacts_pull", trigger=trigger) as run:
        polling.known_contacts_pull(run=run)


@job_task("subsystem_tokens_refresh")
def subsystem_tokens_refresh(*, trigger: str, dry_run: bool = False) -> None:
    with job_run("subsystem_tokens_refresh", trigger=trigger, dry_run=dry_run) as run:
        subsystems.subsystem_tokens_refresh(run=run, dry_run=dry_run)
