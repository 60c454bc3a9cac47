"""`manage.py sync_freelancer_certificates`, the job registration and health."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.jobs import get_job
from core.models import JobRun
from freelancers import tasks
from freelancers.models import Freelancer
from freelancers.tests.conftest import emulate, make_freelancer
from sandbox.faults import set_faults


@pytest.mark.django_db(transaction=True)
def test_command_prints_progress_per_batch_and_applies(certification_url, today, settings):
    settings.HTTP_MAX_RETRIES = 0
    for uid in (1, 2, 3):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=50))
    out = StringIO()
    call_command("sync_freelancer_certificates", stdout=out)
    text = out.getvalue()
    assert "batch 1/2: 2 freelancers" in text and "batch 2/2: 1 freelancers" in text
    assert "freelancers_shown=3" in text
    assert Freelancer.objects.filter(is_searchable=True).count() == 3
    assert JobRun.objects.get(job="freelancer_certificates").trigger == JobRun.Trigger.COMMAND


@pytest.mark.django_db(transaction=True)
def test_command_dry_run_and_uid_selection(certification_url, today):
    make_freelancer(1)
    make_freelancer(2)
    emulate(1, due=today + timedelta(days=50))
    out = StringIO()
    call_command("sync_freelancer_certificates", "--uid", "1", "--dry-run", stdout=out)
    assert "dry run (nothing changed)" in out.getvalue()
    assert "freelancers=1," in out.getvalue()
    assert not Freelancer.objects.filter(is_searchable=True).exists()


@pytest.mark.django_db(transaction=True)
def test_command_takes_several_uids_after_one_option(certification_url, today):
    for uid in (1, 2, 3):
        make_freelancer(uid)
        emulate(uid, due=today + timedelta(days=50))
    call_command("sync_freelancer_certificates", "--uid", "1", "2", stdout=StringIO())
    assert set(Freelancer.objects.filter(is_searchable=True).values_list("uid", flat=True)) == {
        1,
        2,
    }


@pytest.mark.django_db(transaction=True)
def test_command_reports_failed_batches(certification_url, settings):
    settings.HTTP_MAX_RETRIES = 0
    make_freelancer(1)
    set_faults("certification", error_rate=1.0, error_status=500)
    out = StringIO()
    call_command("sync_freelancer_certificates", stdout=out)
    assert "batch 1/1: FAILED" in out.getvalue() and "partial" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_command_refusal_is_a_clear_error(certification_url, settings, today):
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 0
    make_freelancer(1, is_searchable=True, visible_until=today)
    with pytest.raises(CommandError, match="--force"):
        call_command("sync_freelancer_certificates", stdout=StringIO())
    assert Freelancer.objects.get(uid=1).is_searchable is True
    call_command("sync_freelancer_certificates", "--force", stdout=StringIO())
    assert Freelancer.objects.get(uid=1).is_searchable is False


@pytest.mark.django_db
def test_unknown_uid_is_a_clear_error():
    with pytest.raises(CommandError, match="No freelancer with uid"):
        call_command("sync_freelancer_certificates", "--uid", "42", stdout=StringIO())


def test_job_is_hourly_and_crit_after_two_days():
    job = get_job("freelancer_certificates")
    assert job.every_minutes == 60
    assert job.stale_after == timedelta(days=2)
    assert job.task == "freelancers.tasks.freelancer_certificates_sync"


@pytest.mark.django_db
def test_health_goes_crit_after_two_days_without_success(client):
    def run(days_ago: float) -> None:
        JobRun.objects.create(
            job="freelancer_certificates",
            started_at=timezone.now() - timedelta(days=days_ago),
            status=JobRun.Status.SUCCESS,
        )

    run(2.1)
    assert client.get("/health/jobs/freelancer_certificates/").json()["status"] == "CRIT"
    run(1.9)
    assert client.get("/health/jobs/freelancer_certificates/").json()["status"] == "OK"


@pytest.mark.django_db
def test_switched_off_job_does_nothing_on_schedule(settings):
    settings.FREELANCER_CERTIFICATES_SYNC_ENABLED = False
    tasks.freelancer_certificates_sync(trigger=JobRun.Trigger.SCHEDULE)
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_task_of_a_refused_run_returns_normally_and_the_run_says_refused(
    certification_url, settings, today
):
    settings.FREELANCER_CERTIFICATES_GUARD_ALLOWANCE = 0
    make_freelancer(1, is_searchable=True, visible_until=today)  # the service knows no certificate

    assert tasks.freelancer_certificates_sync(trigger=JobRun.Trigger.SCHEDULE) is None

    run = JobRun.objects.get(job="freelancer_certificates")
    assert run.status == JobRun.Status.FAILED and "Refused" in run.error
    assert Freelancer.objects.get(uid=1).is_searchable is True
