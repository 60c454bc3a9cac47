from core.management.job_command import JobCommand
from core.models import JobRun
from recruiting.services import job_runs


class Command(JobCommand):
    help = "Delete expired search sessions now (the job search_sessions_prune; records a JobRun)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the expired sessions; delete nothing."
        )

    def run_job(self, *, dry_run: bool = False, **options) -> JobRun:
        return job_runs.search_sessions_prune(trigger=JobRun.Trigger.COMMAND, dry_run=dry_run)
