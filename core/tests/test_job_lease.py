"""The job lease: renewed while a run works, taken over from a dead worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.joblock import DEAD_RUN_ERROR
from core.jobs import Job, JobLocked, job_run, register
from core.models import JobLock, JobRun
from core.tests.concurrency import wait_for

register(
    Job(
        name="lease_job",
        title="Lease test job",
        task="core.tasks.jobruns_prune",
        every_minutes=30,
        stale_after=timedelta(hours=2),
        lock_ttl=timedelta(seconds=1),
    )
)

# What a worker runs: a run of `lease_job` that never ends by itself.
WORKER = """
import django, sys, time
django.setup()
from core.jobs import job_run
import core.tests.test_job_lease  # registers lease_job
with job_run("lease_job", trigger="command") as run:
    print(run.run.pk, flush=True)
    time.sleep(120)
"""


@pytest.fixture(autouse=True)
def succeeded_before(db) -> None:
    """A successful run a few minutes ago: health is OK unless a run is stuck."""
    start = timezone.now() - timedelta(minutes=20)
    JobRun.objects.create(
        job="lease_job", started_at=start, finished_at=start, status=JobRun.Status.SUCCESS
    )


def health(client) -> dict:
    return client.get("/health/jobs/lease_job/").json()


def dead_run(*, lease_left: timedelta) -> JobRun:
    """A run left "running" by a killed worker, its lease lapsing after `lease_left`."""
    run = JobRun.objects.create(job="lease_job", started_at=timezone.now() - timedelta(minutes=7))
    JobLock.objects.create(
        job="lease_job", owner=str(run.pk), expires_at=timezone.now() + lease_left
    )
    return run


@pytest.mark.django_db
def test_a_dead_run_blocks_reruns_only_while_its_lease_lasts(client):
    dead = dead_run(lease_left=timedelta(seconds=30))
    with pytest.raises(JobLocked):
        with job_run("lease_job"):
            pytest.fail("a live lease must keep the second run out")
    JobLock.objects.filter(job="lease_job").update(expires_at=timezone.now() - timedelta(seconds=1))
    body = health(client)
    assert body["status"] == "WARN" and "перестал продлевать блокировку" in body["message"]
    with job_run("lease_job"):
        pass
    dead.refresh_from_db()
    assert (dead.status, dead.error) == (JobRun.Status.FAILED, DEAD_RUN_ERROR)
    assert dead.finished_at is not None
    assert health(client)["status"] == "OK"


@pytest.mark.django_db
def test_a_run_left_running_without_any_lock_is_stuck_and_closed_by_the_next(client):
    dead = JobRun.objects.create(job="lease_job", started_at=timezone.now() - timedelta(minutes=10))
    assert health(client)["status"] == "WARN"
    with job_run("lease_job"):
        pass
    dead.refresh_from_db()
    assert dead.status == JobRun.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_in_the_background_while_a_long_run_works(client):
    with job_run("lease_job"):
        time.sleep(1.5)  # longer than the one-second lease
        assert JobLock.objects.get(job="lease_job").expires_at > timezone.now()
        with pytest.raises(JobLocked), job_run("lease_job"):
            pytest.fail("the renewed lease must keep the second run out")
        assert health(client)["status"] == "OK"
    assert not JobLock.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sigkilled_worker_is_detected_and_its_run_taken_over(client):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pk = int(worker.stdout.readline())
        time.sleep(1.2)  # the worker's heartbeat keeps its one-second lease alive
        with pytest.raises(JobLocked), job_run("lease_job"):
            pass
        assert health(client)["status"] == "OK"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert JobRun.objects.get(pk=pk).status == JobRun.Status.RUNNING
    assert wait_for(lambda: health(client)["status"] == "WARN", timeout=5)
    with job_run("lease_job"):
        pass
    dead = JobRun.objects.get(pk=pk)
    assert (dead.status, dead.error) == (JobRun.Status.FAILED, DEAD_RUN_ERROR)
