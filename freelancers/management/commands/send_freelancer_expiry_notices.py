"""E-mail freelancers whose card leaves the catalogue soon (the job freelancer_expiry_notices)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import errors
from core.models import JobRun
from freelancers import services


class Command(BaseCommand):
    help = (
        "Warn freelancers by e-mail 30 and 7 days before their card leaves the catalogue; "
        "safe to re-run (each notice is sent once)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, send nothing.")

    def handle(self, *args, dry_run=False, **options) -> None:
        try:
            report = services.freelancer_expiry_notices_send(
                dry_run=dry_run, trigger=JobRun.Trigger.COMMAND
            )
        except errors.ServiceError as exc:
            raise CommandError(exc.message) from None
        verb = "would send" if dry_run else "sent"
        for uid, days in report.sent:
            self.stdout.write(f"uid {uid}: {days}-day notice {verb}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.sent)} notices {verb}; {report.no_address} freelancers have no address"
            )
        )
