from core.management.job_command import JobCommand
from core.models import JobRun
from recruiting.services import job_runs


class Command(JobCommand):
    help = "Run the applications_poll job now (records a JobRun; refuses while another run holds the lock)."

    def run_job(self, **options) -> JobRun:
        return job_runs.applications_poll_run(trigger=JobRun.Trigger.COMMAND)
