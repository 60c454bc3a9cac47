from core.management.job_command import JobCommand
from core.models import JobRun
from recruiting.services import job_runs


class Command(JobCommand):
    help = (
        "Read the job sites' currency rates into the cache now "
        "(the job currency_rates_refresh; records a JobRun)."
    )

    def run_job(self, **options) -> JobRun:
        return job_runs.currency_rates_refresh_run(trigger=JobRun.Trigger.COMMAND)
