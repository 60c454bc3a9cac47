"""django-q2 entry points of the support chat job."""

from core.jobs import job_task
from supportchat import services


@job_task("support_chat_sync")
def support_chat_sync(*, trigger: str, dry_run: bool = False) -> None:
    services.support_chat_sync(trigger=trigger, dry_run=dry_run)
