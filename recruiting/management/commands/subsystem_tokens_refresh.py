from core.management.job_command import JobCommand
from core.models import JobRun
from recruiting.services import job_runs


class Command(JobCommand):
    help = "Run the subsystem_tokens_refresh job now (records a JobRun; refuses while another run holds the lock)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")

    def run_job(self, *, dry_run: bool = False, **options) -> JobRun:
        return job_runs.subsystem_tokens_refresh_run(
            trigger=JobRun.Trigger.COMMAND, dry_run=dry_run
        )
