"""Sync freelancer certificates from the certification service now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import errors
from core.models import JobRun
from freelancers import services


class Command(BaseCommand):
    help = (
        "Ask the certification service for freelancers' certificates and set who is "
        "shown in the catalogue (the job freelancer_certificates)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--uid",
            type=int,
            nargs="+",
            action="extend",
            dest="uids",
            metavar="UID",
            help="Only these uids (--uid 1 2, or repeated).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Fetch and plan, change nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Apply even when the run would hide more than the safety share.",
        )

    def handle(self, *args, uids=None, dry_run=False, force=False, **options) -> None:
        try:
            report = services.freelancer_certificates_sync(
                uids=uids,
                dry_run=dry_run,
                force=force,
                trigger=JobRun.Trigger.COMMAND,
                progress=self._progress,
            )
        except errors.ServiceError as exc:
            raise CommandError(exc.message) from None
        self._summary(report)

    def _progress(self, outcome: services.BatchOutcome, total: int) -> None:
        if outcome.error is None:
            self.stdout.write(f"batch {outcome.number}/{total}: {len(outcome.uids)} freelancers")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"batch {outcome.number}/{total}: FAILED ({outcome.error.message}); "
                    f"{len(outcome.uids)} freelancers left unchanged"
                )
            )

    def _summary(self, report: services.SyncReport) -> None:
        counters = ", ".join(f"{key}={value}" for key, value in report.counters.items())
        prefix = "dry run (nothing changed): " if report.dry_run else ""
        if report.guard is not None and report.guard.refused:
            self.stdout.write(self.style.WARNING(f"guard: {report.guard.message}"))
        style = self.style.WARNING if report.partial else self.style.SUCCESS
        status = "partial" if report.partial else "done"
        self.stdout.write(style(f"{prefix}{status} (run #{report.run_id}): {counters}"))
