"""Shards: the router, `migrate` on every shard, the job's task entry point."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connections

from core.models import JobRun
from supportchat import tasks
from supportchat.shards import ShardRouter
from supportchat.tests.conftest import two_shards

pytestmark = two_shards


def test_router_keeps_only_client_features_on_a_non_default_shard(shard_aliases):
    router = ShardRouter()
    assert router.allow_migrate(shard_aliases[2], "supportchat", "clientfeature") is True
    assert router.allow_migrate(shard_aliases[2], "supportchat", "clientshard") is False
    assert router.allow_migrate(shard_aliases[2], "core", "jobrun") is False
    assert router.allow_migrate("default", "supportchat", "clientshard") is None


def test_migrate_without_database_brings_every_shard_up_to_date(shard_aliases):
    out = StringIO()
    call_command("migrate", stdout=out)
    assert f"Database {shard_aliases[2]}:" in out.getvalue()
    tables = connections[shard_aliases[2]].introspection.table_names()
    assert "supportchat_clientfeature" in tables
    assert "supportchat_clientshard" not in tables and "core_jobrun" not in tables


def test_scheduled_task_does_nothing_when_switched_off(settings):
    settings.SUPPORT_CHAT_SYNC_ENABLED = False
    tasks.support_chat_sync(trigger=JobRun.Trigger.SCHEDULE)
    assert not JobRun.objects.filter(job="support_chat_sync").exists()


def test_task_records_a_failure_without_raising_for_a_queue_redelivery(settings, tmp_path):
    settings.SUPPORT_CHAT_EXCLUSION_SOURCE = str(tmp_path / "missing.csv")
    tasks.support_chat_sync(trigger=JobRun.Trigger.SCHEDULE)
    run = JobRun.objects.get(job="support_chat_sync")
    assert run.status == JobRun.Status.FAILED and "does not exist" in run.error
