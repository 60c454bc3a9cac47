from django.core.management.base import BaseCommand

from core.jobs import JobLocked
from core.models import JobRun
from recruiting import tasks


class Command(BaseCommand):
    help = "Run the applications_contacts_pull job now (records a JobRun; refuses while another run holds the lock)."

    def handle(self, *args, **options):
        try:
            tasks.applications_contacts_pull.__wrapped__(trigger=JobRun.Trigger.COMMAND)
        except JobLocked as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1) from exc
        run = JobRun.objects.filter(job="applications_contacts_pull").first()
        self.stdout.write(f"{run.job} #{run.pk}: {run.status} {run.counters}")
        if run.message:
            self.stdout.write(run.message)
