"""Job runs, the job lock and health verdicts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from core import errors, services
from core.jobs import Job, JobLocked, evaluate_health, job_run, register
from core.models import JobLock, JobRun
from core.tests.concurrency import at_once

JOB = register(
    Job(
        name="test_job",
        title="Test job",
        task="core.tasks.jobruns_prune",
        every_minutes=30,
        stale_after=timedelta(hours=2),
        enabled_setting="TEST_JOB_ENABLED",
    )
)


@pytest.mark.django_db
def test_successful_run_records_counters_details_and_releases_the_lock():
    with job_run("test_job", trigger="command") as run:
        run.incr("seen", 3)
        run.set("changed", 2)
        run.detail("plan", {"ids": [1, 2]})
        run.note("all good")
    record = JobRun.objects.get()
    assert record.status == JobRun.Status.SUCCESS
    assert record.counters == {"seen": 3, "changed": 2}
    assert record.details == {"plan": {"ids": [1, 2]}}
    assert record.message == "all good"
    assert record.trigger == "command"
    assert record.finished_at >= record.started_at
    assert not JobLock.objects.exists()


@pytest.mark.django_db
def test_failing_run_is_recorded_failed_and_the_error_propagates():
    with pytest.raises(RuntimeError), job_run("test_job") as run:
        run.incr("seen")
        raise RuntimeError("table lost")
    record = JobRun.objects.get()
    assert record.status == JobRun.Status.FAILED
    assert record.error == "RuntimeError: table lost"
    assert record.counters == {"seen": 1}
    assert not JobLock.objects.exists()


@pytest.mark.django_db
def test_partial_run_is_recorded_partial():
    with job_run("test_job") as run:
        run.mark_partial("batch 3 failed")
    assert JobRun.objects.get().status == JobRun.Status.PARTIAL


@pytest.mark.django_db
def test_partial_run_with_progress_keeps_the_job_fresh_but_warns(client):
    with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
        with job_run("test_job"):
            pass
    with job_run("test_job") as run:
        run.mark_partial("record 7 not reported", progressed=True)

    body = client.get("/health/jobs/test_job/").json()
    assert body["status"] == "WARN"
    assert body["message"] == "last run partial: record 7 not reported"
    assert body["last_success"] == JobRun.objects.latest("started_at").started_at.isoformat()


@pytest.mark.django_db
def test_partial_run_without_progress_does_not_keep_the_job_fresh(client):
    with job_run("test_job") as run:
        run.mark_partial("every batch failed")
    body = client.get("/health/jobs/test_job/").json()
    assert (body["status"], body["message"]) == ("CRIT", "no successful run yet")


@pytest.mark.django_db
def test_second_run_while_the_first_holds_the_lock_is_skipped():
    with job_run("test_job"):
        with pytest.raises(JobLocked):
            with job_run("test_job"):
                pytest.fail("the body of a locked-out run must not execute")
    statuses = sorted(JobRun.objects.values_list("status", flat=True))
    assert statuses == [JobRun.Status.SKIPPED, JobRun.Status.SUCCESS]


@pytest.mark.django_db
def test_an_expired_lock_of_a_crashed_run_is_taken_over():
    JobLock.objects.create(
        job="test_job", owner="dead", expires_at=timezone.now() - timedelta(seconds=1)
    )
    with job_run("test_job"):
        pass
    assert JobRun.objects.get().status == JobRun.Status.SUCCESS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_overlap_on_postgres():
    import time

    guard = threading.Lock()
    inside = {"now": 0, "max": 0}

    def run() -> str:
        with job_run("test_job"):
            with guard:
                inside["now"] += 1
                inside["max"] = max(inside["max"], inside["now"])
            time.sleep(0.2)
            with guard:
                inside["now"] -= 1
        return "ran"

    ran, locked = at_once([run] * 6, expected=JobLocked)
    outcomes = ran + ["locked" for _ in locked]
    assert inside["max"] == 1
    assert outcomes.count("ran") >= 1 and len(outcomes) == 6
    assert JobRun.objects.filter(status=JobRun.Status.SKIPPED).count() == outcomes.count("locked")


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages in English: the page client by its language cookie, the rest
    by the active language (the default language is Russian)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _run(status: str, started_at) -> JobRun:
    return JobRun(
        job="test_job",
        status=status,
        started_at=started_at,
        error="boom" if status == "failed" else "",
    )


def test_health_is_crit_without_any_success():
    now = timezone.now()
    assert evaluate_health(JOB, now=now, last_success=None, last_run=None).status == "CRIT"


def test_health_is_crit_when_the_last_success_is_older_than_the_window():
    now = timezone.now()
    verdict = evaluate_health(JOB, now=now, last_success=now - timedelta(hours=3), last_run=None)
    assert verdict.status == "CRIT"
    assert verdict.message == "no successful run for 3 h (limit 2 h)"


def test_health_warns_when_the_last_run_failed_but_success_is_recent(settings):
    now = timezone.now()
    last = _run("failed", now)
    verdict = evaluate_health(JOB, now=now, last_success=now - timedelta(minutes=30), last_run=last)
    assert (verdict.status, verdict.message) == ("WARN", "last run failed: boom")


def test_health_warns_not_crits_when_the_job_is_switched_off(settings):
    settings.TEST_JOB_ENABLED = False
    now = timezone.now()
    verdict = evaluate_health(JOB, now=now, last_success=now - timedelta(days=9), last_run=None)
    assert (verdict.status, verdict.message) == ("WARN", "switched off by TEST_JOB_ENABLED")


def test_health_is_ok_after_a_recent_success():
    now = timezone.now()
    verdict = evaluate_health(
        JOB, now=now, last_success=now - timedelta(minutes=5), last_run=_run("success", now)
    )
    assert verdict.status == "OK"


@pytest.mark.django_db
def test_health_endpoint_answers_the_monitoring_json(client):
    with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
        with job_run("test_job"):
            pass
    response = client.get("/health/jobs/test_job/")
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"job", "status", "last_success", "last_run", "message"}
    assert body["job"] == "test_job" and body["status"] == "CRIT"
    with job_run("test_job"):
        pass
    response = client.get("/health/jobs/test_job/")
    assert response.status_code == 200 and response.json()["status"] == "OK"


@pytest.mark.django_db
def test_dry_runs_do_not_count_as_success(client):
    with job_run("test_job", dry_run=True):
        pass
    assert client.get("/health/jobs/test_job/").json()["status"] == "CRIT"


@pytest.mark.django_db
def test_scoped_runs_do_not_count_as_success(client):
    with job_run("test_job", scoped=True):
        pass
    assert client.get("/health/jobs/test_job/").json()["status"] == "CRIT"


@pytest.mark.django_db
def test_health_of_an_unknown_job_is_404(client):
    response = client.get("/health/jobs/nope/")
    assert response.status_code == 404
    assert response.json()["code"] == errors.Code.NOT_FOUND.name


@pytest.mark.django_db
def test_setup_schedules_is_idempotent_and_keeps_next_run():
    from django_q.models import Schedule

    services.schedules_sync()
    first = Schedule.objects.get(name="jobruns_prune")
    services.schedules_sync()
    again = Schedule.objects.get(name="jobruns_prune")
    assert Schedule.objects.filter(name="jobruns_prune").count() == 1
    assert again.next_run == first.next_run
    assert first.next_run <= timezone.now()  # a fresh install runs every job at once
    assert again.func == "core.tasks.jobruns_prune" and again.minutes == 24 * 60


@pytest.mark.django_db
def test_prune_deletes_only_old_runs(settings):
    settings.JOB_RUN_RETENTION_DAYS = 30
    old = JobRun.objects.create(
        job="x", status="success", started_at=timezone.now() - timedelta(days=31)
    )
    recent = JobRun.objects.create(
        job="x", status="success", started_at=timezone.now() - timedelta(days=29)
    )
    from core.tasks import jobruns_prune

    jobruns_prune(trigger="command")
    remaining = set(JobRun.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and recent.pk in remaining


@pytest.mark.django_db
def test_scheduled_run_of_a_switched_off_job_does_nothing(settings):
    settings.JOBRUNS_PRUNE_ENABLED = False
    from core.tasks import jobruns_prune

    jobruns_prune(trigger="schedule")
    assert not JobRun.objects.exists()
    jobruns_prune(trigger="admin")
    assert JobRun.objects.get().status == "success"


def test_health_warns_while_the_job_is_paused_on_purpose():
    now = timezone.now()
    paused = JobRun(
        job="test_job", status="success", started_at=now, details={"paused": "Paused until 2030"}
    )
    verdict = evaluate_health(JOB, now=now, last_success=now, last_run=paused)
    assert (verdict.status, verdict.message) == ("WARN", "Paused until 2030")


def test_health_is_crit_at_once_when_the_last_run_failed_critically():
    now = timezone.now()
    last = _run("failed", now)
    last.details = {"critical": "source table missing"}
    verdict = evaluate_health(JOB, now=now, last_success=now - timedelta(minutes=5), last_run=last)
    assert (verdict.status, verdict.message) == ("CRIT", "last run failed: source table missing")


@pytest.mark.django_db
def test_a_run_marked_critical_records_the_reason_and_health_goes_crit(client):
    with job_run("test_job"):
        pass
    with pytest.raises(RuntimeError), job_run("test_job") as run:
        run.mark_critical("source table missing")
        raise RuntimeError("table lost")
    failed = JobRun.objects.latest("started_at")
    assert failed.details == {"critical": "source table missing"}
    response = client.get("/health/jobs/test_job/")
    assert response.status_code == 503
    assert response.json()["status"] == "CRIT"


@pytest.mark.django_db
def test_a_task_that_fails_with_a_service_error_is_recorded_and_not_redelivered():
    from core.jobs import job_task

    @job_task("test_job")
    def task(*, trigger: str) -> None:
        with job_run("test_job", trigger=trigger):
            raise errors.Unavailable("table unreadable")

    assert task(trigger="schedule") is None  # no exception: the queue does not retry it
    assert JobRun.objects.get().status == JobRun.Status.FAILED


@pytest.mark.django_db
def test_health_message_is_in_the_visitor_language(client, settings, russian_catalogue):
    russian_catalogue({"no successful run yet": "ещё не было успешного запуска"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    body = client.get("/health/jobs/test_job/").json()
    assert body["message"] == "ещё не было успешного запуска"


@pytest.mark.django_db
def test_job_locked_message_is_translated(russian_catalogue):
    msgid = "Another run of this job is in progress"
    russian_catalogue({msgid: "Другой запуск этой задачи ещё идёт"})
    with translation.override("ru"), job_run("test_job"):
        with pytest.raises(JobLocked) as locked, job_run("test_job"):
            pass
    assert locked.value.message == "Другой запуск этой задачи ещё идёт"
