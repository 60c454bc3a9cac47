"""django-q2 entry points of recruiting jobs (thin: one service each)."""

from core.jobs import job_task
from recruiting.services import job_runs


@job_task("applications_poll")
def applications_poll(*, trigger: str) -> None:
    job_runs.applications_poll_run(trigger=trigger)


@job_task("applications_contacts_pull")
def applications_contacts_pull(*, trigger: str) -> None:
    job_runs.known_contacts_pull_run(trigger=trigger)


@job_task("subsystem_tokens_refresh")
def subsystem_tokens_refresh(*, trigger: str, dry_run: bool = False) -> None:
    job_runs.subsystem_tokens_refresh_run(trigger=trigger, dry_run=dry_run)


@job_task("search_sessions_prune")
def search_sessions_prune(*, trigger: str, dry_run: bool = False) -> None:
    job_runs.search_sessions_prune(trigger=trigger, dry_run=dry_run)


@job_task("currency_rates_refresh")
def currency_rates_refresh(*, trigger: str) -> None:
    job_runs.currency_rates_refresh_run(trigger=trigger)
