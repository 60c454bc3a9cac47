"""The shape of a management command that runs one job now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core import errors
from core.jobs import JobLocked
from core.models import JobRun


class JobCommand(BaseCommand):
    """Runs `run_job` (a service that records its own `JobRun` and returns
    it) and prints that run: its status, counters and messages. Another run
    in progress exits 1 with the reason; a failing run is a CommandError."""

    def run_job(self, **options: Any) -> JobRun:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = self.run_job(**options)
        except JobLocked as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1) from exc
        except errors.ServiceError as exc:
            raise CommandError(exc.message) from None
        counters = ", ".join(f"{key}={value}" for key, value in run.counters.items())
        style = self.style.SUCCESS if run.status == JobRun.Status.SUCCESS else self.style.WARNING
        self.stdout.write(style(f"{run.job} #{run.pk}: {run.status} {counters}".rstrip()))
        if run.message:
            self.stdout.write(run.message)
