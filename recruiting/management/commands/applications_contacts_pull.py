from core.management.job_command import JobCommand
from core.models import JobRun
from recruiting.services import job_runs


class Command(JobCommand):
    help = "Run the applications_contacts_pull job now (records a JobRun; refuses while another run holds the lock)."

    def run_job(self, **options) -> JobRun:
        return job_runs.known_contacts_pull_run(trigger=JobRun.Trigger.COMMAND)
