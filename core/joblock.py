"""The lease that keeps two runs of one job apart, and its heartbeat.

A run holds its job's `JobLock` row for `ttl` and a background thread renews
it every `ttl / 4` while the run works, so the lease can be short: a worker
that dies (SIGKILL, OOM, a lost machine) stops renewing, and after `ttl` the
next run takes the lease over and marks the dead run failed. A run that is
alive keeps its lease however long it takes. The run's own `heartbeat()`
calls (`RunRecorder.heartbeat`) check that it still holds the lease before
each commit; the thread only renews.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from core.leases import RowLease
from core.models import JobLock, JobRun
from core.numbers import BIGINT_MAX, parse_int

logger = logging.getLogger("core.jobs")

DEAD_RUN_ERROR = "Lock lease expired: the run died or was killed before it finished"


def lock_acquire(name: str, owner: str, ttl: timedelta) -> bool:
    """Take job `name`'s lease for `owner`; False when a live run holds it.

    An expired lease is taken over, and every other run of the job still
    marked running is closed as failed: its worker died.
    """
    lease = _lease(ttl)
    # Take over an expired lease (one taker wins), else create the row.
    if not lease.claim_free(JobLock.objects.filter(job=name), owner=owner):
        try:
            with transaction.atomic():
                JobLock.objects.create(job=name, owner=owner, expires_at=lease.until())
        except IntegrityError:
            return False
    _fail_dead_runs(name, owner, before=timezone.now() - ttl)
    return True


def lock_extend(name: str, owner: str, ttl: timedelta) -> bool:
    """Renew `owner`'s lease; False when it lost it (expired and taken over)."""
    return bool(_lease(ttl).extend(JobLock.objects.filter(job=name, owner=owner)))


def lock_release(name: str, owner: str) -> None:
    # The row goes (not only its time): the table lists the jobs running.
    JobLock.objects.filter(job=name, owner=owner).delete()


def _lease(ttl: timedelta) -> RowLease:
    return RowLease("expires_at", ttl)


def _fail_dead_runs(name: str, owner: str, *, before: datetime) -> None:
    """Close the runs left "running" by a dead worker.

    The lease is ours now, so a run started more than a lease ago that is
    still marked running holds none: a live run takes the lease (or is
    recorded as skipped) right after it starts.
    """
    others = JobRun.objects.filter(job=name, status=JobRun.Status.RUNNING, started_at__lt=before)
    if (pk := parse_int(owner, max_value=BIGINT_MAX)) is not None:
        others = others.exclude(pk=pk)
    closed = others.update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(), error=DEAD_RUN_ERROR
    )
    if closed:
        logger.error("job %s: %d dead run(s) marked failed on lease takeover", name, closed)


def stuck_run(name: str, *, now: datetime) -> JobRun | None:
    """The run of job `name` still marked running whose lease lapsed: its
    worker stopped renewing it (died or hangs). None when there is none."""
    running = JobRun.objects.filter(job=name, status=JobRun.Status.RUNNING).order_by("-started_at")
    live = set(JobLock.objects.filter(job=name, expires_at__gt=now).values_list("owner", flat=True))
    for run in running:
        if str(run.pk) not in live:
            return run
    return None


class Heartbeat:
    """A daemon thread renewing one run's lease every `ttl / 4` until stopped.

    Use as a context manager around the run's body. A renewal that fails on
    the database is logged and tried again at the next beat; one that finds
    the lease lost stops the thread (the run's own `heartbeat()` then stops
    the run before its next commit).
    """

    def __init__(self, name: str, owner: str, ttl: timedelta) -> None:
        self.name, self.owner, self.ttl = name, owner, ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-heartbeat-{name}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.ttl.total_seconds())

    def _beat(self) -> None:
        every = self.ttl.total_seconds() / 4
        try:
            while not self._stop.wait(every):
                try:
                    if not lock_extend(self.name, self.owner, self.ttl):
                        logger.warning("job %s run %s lost its lease", self.name, self.owner)
                        return
                except DatabaseError as exc:
                    logger.warning("job %s: lease renewal failed: %s", self.name, exc)
        finally:
            connections.close_all()
