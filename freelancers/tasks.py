"""django-q2 entry points of the freelancers app."""

from core.jobs import job_task
from freelancers import services


@job_task("freelancer_certificates")
def freelancer_certificates_sync(*, trigger: str) -> None:
    services.freelancer_certificates_sync(trigger=trigger)


@job_task("freelancer_expiry_notices")
def freelancer_expiry_notices_send(*, trigger: str) -> None:
    services.freelancer_expiry_notices_send(trigger=trigger)
