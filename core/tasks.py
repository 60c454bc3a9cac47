"""django-q2 entry points of core's own jobs."""

from core import services
from core.jobs import job_task


@job_task("jobruns_prune")
def jobruns_prune(*, trigger: str) -> None:
    services.jobruns_prune(trigger=trigger)
