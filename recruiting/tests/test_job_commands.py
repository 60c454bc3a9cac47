"""Recruiting's jobs started by hand: each command runs the job's service,
which records its own run, and prints that run (never "the latest run")."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.joblock import lock_acquire, lock_release
from core.models import JobRun
from recruiting import tasks
from recruiting.models import SearchSession

pytestmark = pytest.mark.django_db


def _session(recruiter, *, expires_in: timedelta) -> SearchSession:
    return SearchSession.objects.create(
        recruiter=recruiter,
        query={"text": "python"},
        state={"streams": []},
        pages=[{"cards": [{"name": "Анна", "phones": ["+79990000000"]}]}],
        expires_at=timezone.now() + expires_in,
    )


def _call(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_prune_deletes_only_expired_sessions_and_reports_its_own_run(recruiter):
    gone = _session(recruiter, expires_in=timedelta(seconds=-1))
    kept = _session(recruiter, expires_in=timedelta(minutes=30))
    out = _call("prune_search_sessions")
    run = JobRun.objects.get(job="search_sessions_prune")
    assert out.startswith(f"search_sessions_prune #{run.pk}: success deleted=1")
    assert run.trigger == JobRun.Trigger.COMMAND and run.counters == {"deleted": 1}
    assert list(SearchSession.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SearchSession.objects.filter(pk=gone.pk).exists()
    # Re-run: idempotent, nothing left to delete.
    assert "deleted=0" in _call("prune_search_sessions")


def test_prune_dry_run_counts_and_deletes_nothing(recruiter):
    _session(recruiter, expires_in=timedelta(seconds=-1))
    out = _call("prune_search_sessions", "--dry-run")
    assert "expired=1" in out
    assert SearchSession.objects.count() == 1
    assert JobRun.objects.get(job="search_sessions_prune").dry_run


def test_scheduled_prune_runs_from_the_task(recruiter):
    _session(recruiter, expires_in=timedelta(seconds=-1))
    tasks.search_sessions_prune(trigger=JobRun.Trigger.SCHEDULE)
    assert SearchSession.objects.count() == 0
    assert JobRun.objects.get(job="search_sessions_prune").status == JobRun.Status.SUCCESS


def test_scheduled_prune_switched_off_does_nothing(recruiter, settings):
    settings.SEARCH_SESSIONS_PRUNE_ENABLED = False
    _session(recruiter, expires_in=timedelta(seconds=-1))
    tasks.search_sessions_prune(trigger=JobRun.Trigger.SCHEDULE)
    assert SearchSession.objects.count() == 1


def test_a_command_while_another_run_holds_the_lock_exits_1_and_changes_nothing(recruiter):
    _session(recruiter, expires_in=timedelta(seconds=-1))
    assert lock_acquire("search_sessions_prune", "other", timedelta(minutes=2))
    try:
        err = StringIO()
        with pytest.raises(SystemExit) as exit_:
            call_command("prune_search_sessions", stdout=StringIO(), stderr=err)
    finally:
        lock_release("search_sessions_prune", "other")
    assert exit_.value.code == 1
    assert err.getvalue().strip()
    assert SearchSession.objects.count() == 1
    assert JobRun.objects.get(job="search_sessions_prune").status == JobRun.Status.SKIPPED


def test_each_recruiting_command_prints_the_run_it_made(recruiter):
    for command, job in [
        ("applications_poll", "applications_poll"),
        ("applications_contacts_pull", "applications_contacts_pull"),
        ("subsystem_tokens_refresh", "subsystem_tokens_refresh"),
    ]:
        out = _call(command)
        run = JobRun.objects.filter(job=job).get()
        assert out.startswith(f"{job} #{run.pk}: {run.status}")
        assert run.trigger == JobRun.Trigger.COMMAND
