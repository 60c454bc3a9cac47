"""Run messages are stored as codes and read in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.joblock import DEAD_RUN_ERROR, lock_acquire
from core.jobs import DEAD_RUN, Job, JobLocked, job_run, register, run_error_text, run_message_text
from core.models import JobRun
from core.run_messages import message_text, run_message

register(
    Job(
        name="test_messages_job",
        title="Test job",
        task="core.tasks.jobruns_prune",
        every_minutes=30,
        stale_after=timedelta(hours=2),
    )
)
COUNTED = run_message("core.test_counted", "%(n)d things counted")


@pytest.mark.django_db
def test_a_coded_message_keeps_its_code_and_english_words():
    with job_run("test_messages_job") as run:
        run.mark_partial(COUNTED(n=3))
    record = JobRun.objects.get()
    assert record.details["messages"] == [{"code": "core.test_counted", "params": {"n": 3}}]
    assert record.message == "3 things counted" and run_message_text(record) == "3 things counted"


def test_a_code_no_release_knows_shows_the_stored_english_words():
    stored = {"code": "gone.message", "params": {}}
    assert message_text(stored, fallback="old words") == "old words"
    assert message_text("plain text") == "plain text"


def test_the_dead_run_error_is_the_words_joblock_stores():
    with translation.override("en"):
        assert DEAD_RUN().text() == DEAD_RUN_ERROR


@pytest.mark.django_db
def test_a_dead_run_and_a_locked_run_read_in_russian_and_english(client, settings):
    dead = JobRun.objects.create(
        job="test_messages_job", started_at=timezone.now() - timedelta(hours=1)
    )
    assert lock_acquire("test_messages_job", "other", timedelta(minutes=2))
    dead.refresh_from_db()
    with translation.override("ru"):
        assert run_error_text(dead).startswith("Срок аренды блокировки истёк")
    with translation.override("en"):
        assert run_error_text(dead) == DEAD_RUN_ERROR
    with pytest.raises(JobLocked), job_run("test_messages_job"):
        pass  # the lease is held by "other": this run is skipped
    skipped = JobRun.objects.filter(status=JobRun.Status.SKIPPED).get()
    with translation.override("ru"):
        assert run_message_text(skipped) == "Идёт другой запуск этой задачи"
    with translation.override("en"):
        assert run_message_text(skipped) == "Another run of this job is in progress"
