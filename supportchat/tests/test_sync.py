"""The sync job end to end: the real YT adapter over HTTP against the emulator, two shards."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, connections
from django.utils import timezone

from core.jobs import JobLocked, get_job, register
from core.models import JobLock, JobRun, Property
from core.services import property_set
from sandbox.faults import set_faults
from supportchat import selectors, services
from supportchat.models import ClientFeature
from supportchat.tests.conftest import disabled, place, switch_off, two_shards

pytestmark = two_shards


def last_run() -> JobRun:
    return JobRun.objects.filter(job="support_chat_sync").latest("started_at")


def world(shard_aliases) -> tuple[str, str]:
    """Clients 1-10 on shard 1, 11-20 on shard 2; 1, 2 and 11 off."""
    s1, s2 = shard_aliases[1], shard_aliases[2]
    place(s1=range(1, 11), s2=range(11, 21))
    switch_off(s1, [1, 2])
    switch_off(s2, [11])
    return s1, s2


def test_run_disables_listed_clients_and_enables_the_rest_on_every_shard(yt, shard_aliases):
    s1, s2 = world(shard_aliases)
    table = yt.put([2, 3, 12, 13])
    result = services.support_chat_sync()
    assert result.outcome == "synced"
    assert disabled(s1) == {2, 3} and disabled(s2) == {12, 13}
    run = last_run()
    assert run.status == JobRun.Status.SUCCESS
    assert run.counters == {
        "listed": 4,
        "disabled_before": 3,
        "to_disable": 3,
        "to_enable": 2,
        "unknown": 0,
        "applied": 5,
    }
    assert run.details["plan"]["shards"]["1"]["to_enable_ids"] == [1]
    assert run.details["plan"]["shards"]["2"]["to_disable_ids"] == [12, 13]
    # provenance on every changed row, and the watermark moved
    row = ClientFeature.objects.using(s2).get(client_id=13)
    assert row.changed_by_run == run.pk
    assert row.source_version == table.modification_time.isoformat()
    assert selectors.last_synced_mod_time() == table.modification_time
    untouched = ClientFeature.objects.using(s1).get(client_id=2)
    assert untouched.changed_by_run is None


def test_a_second_run_with_the_same_table_changes_nothing(yt, shard_aliases):
    world(shard_aliases)
    yt.put([2, 3, 12])
    services.support_chat_sync()
    second = services.support_chat_sync()
    assert second.outcome == "unchanged"
    assert "has not changed" in last_run().message
    assert last_run().status == JobRun.Status.SUCCESS


def test_watermark_in_the_future_pauses_the_job(yt, shard_aliases, client):
    s1, _ = world(shard_aliases)
    yt.put([5])
    until = timezone.now() + timedelta(days=3)
    property_set(name=selectors.WATERMARK, value=until.isoformat())
    result = services.support_chat_sync()
    assert result.outcome == "paused"
    assert disabled(s1) == {1, 2}
    assert "Paused until" in last_run().message
    assert selectors.paused_until(now=timezone.now()) == until
    client.cookies["django_language"] = "en"
    health = client.get("/health/jobs/support_chat_sync/").json()
    assert health["status"] == "WARN" and health["message"].startswith("paused until")
    client.cookies["django_language"] = "ru"
    health = client.get("/health/jobs/support_chat_sync/").json()
    assert health["message"].startswith("приостановлена до")  # in the reader's language


def test_a_paused_job_reads_nothing_so_a_lost_table_stays_a_pause(yt, shard_aliases, client):
    """Pausing is how the job is switched off while the table is restored."""
    world(shard_aliases)
    yt.put([1, 2])
    services.support_chat_sync()
    until = timezone.now() + timedelta(days=3)
    property_set(name=selectors.WATERMARK, value=until.isoformat())
    yt.put([5], present=False)
    result = services.support_chat_sync()
    assert (result.outcome, result.version) == ("paused", None)
    assert client.get("/health/jobs/support_chat_sync/").json()["status"] == "WARN"


def test_a_dry_run_while_paused_plans_and_is_not_shown_as_skipped(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([1, 2, 3])
    property_set(name=selectors.WATERMARK, value=(timezone.now() + timedelta(days=3)).isoformat())
    result = services.support_chat_sync(dry_run=True)
    assert result.outcome == "dry_run" and result.plan is not None
    assert "skipped" not in last_run().details
    assert disabled(s1) == {1, 2}


def test_missing_table_fails_the_run_changes_nothing_and_health_goes_crit(
    yt, shard_aliases, client
):
    s1, s2 = world(shard_aliases)
    yt.put([1, 2, 11])
    assert services.support_chat_sync().outcome == "synced"
    assert client.get("/health/jobs/support_chat_sync/").status_code == 200
    yt.put([5], present=False)
    with pytest.raises(services.errors.NotFound):
        services.support_chat_sync()
    assert disabled(s1) == {1, 2} and disabled(s2) == {11}
    assert last_run().status == JobRun.Status.FAILED
    assert "Error resolving path" in last_run().error
    assert last_run().details["critical"]["code"] == "supportchat.table_unreadable"
    assert selectors.last_synced_mod_time() is not None  # kept from the last success
    health = client.get("/health/jobs/support_chat_sync/")
    assert health.status_code == 503
    assert health.json()["status"] == "CRIT"
    for language, words in (
        ("ru", "Таблица исключений отсутствует или не читается"),
        ("en", "The exclusion table is missing or unreadable"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert words in client.get("/health/jobs/support_chat_sync/").json()["message"]


def test_yt_failing_a_few_times_in_a_row_is_retried_within_the_run(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([1, 2, 3])
    set_faults("yt", fail_next=3, error_status=502)
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {1, 2, 3}


def test_yt_failing_past_the_retries_fails_the_run_and_the_next_run_recovers(
    yt, shard_aliases, settings, client
):
    s1, _ = world(shard_aliases)
    yt.put([1, 2, 3])
    settings.YT_MAX_RETRIES = 1
    set_faults("yt", fail_next=2, error_status=502)
    with pytest.raises(services.errors.Unavailable):
        services.support_chat_sync()
    assert disabled(s1) == {1, 2}
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {1, 2, 3}
    assert client.get("/health/jobs/support_chat_sync/").status_code == 200


def test_unknown_clients_are_counted_logged_and_skipped(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([1, 2, 999, 998])
    result = services.support_chat_sync()
    assert result.outcome == "synced"
    assert last_run().counters["unknown"] == 2
    assert last_run().details["plan"]["unknown_ids"] == [998, 999]
    assert "2 listed clients are unknown" in last_run().message
    assert disabled(s1) == {1, 2}


def test_clients_added_to_the_shard_map_later_are_synced_by_the_next_run(yt, shard_aliases, client):
    """The run that met unknown clients keeps the old watermark and warns:
    once the map has them, the next run plans again, the table unchanged."""
    s1, _ = world(shard_aliases)
    yt.put([1, 2, 99])
    assert services.support_chat_sync().outcome == "synced"
    assert last_run().status == JobRun.Status.PARTIAL
    assert selectors.last_synced_mod_time() is None
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    health = client.get("/health/jobs/support_chat_sync/").json()
    assert health["status"] == "WARN" and "add them to the shard map" in health["message"]

    place(s1=[99])
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {1, 2, 99}
    assert last_run().status == JobRun.Status.SUCCESS
    assert services.support_chat_sync().outcome == "unchanged"


def test_a_plan_past_the_safety_limits_is_refused_then_applied_with_force(
    yt, shard_aliases, settings
):
    s1, s2 = world(shard_aliases)
    settings.SUPPORT_CHAT_SAFETY_FLOOR = 2
    yt.put(range(1, 21))  # 17 new switches against 3 disabled
    with pytest.raises(CommandError, match="Refused"):
        call_command("sync_support_chat", stdout=StringIO(), stderr=StringIO())
    assert disabled(s1) == {1, 2}
    refused = last_run()
    assert refused.status == JobRun.Status.FAILED
    assert refused.details["safety"]["forced"] is False
    assert refused.counters["to_disable"] == 17
    out = StringIO()
    call_command("sync_support_chat", "--force", stdout=out, stderr=StringIO())
    assert "applied 17 changes" in out.getvalue()
    assert disabled(s1) == set(range(1, 11)) and disabled(s2) == set(range(11, 21))


def test_an_empty_table_while_clients_are_disabled_is_refused(yt, shard_aliases):
    s1, s2 = world(shard_aliases)
    yt.put([])
    with pytest.raises(services.SafetyRefused, match="empty"):
        services.support_chat_sync()
    assert disabled(s1) == {1, 2} and disabled(s2) == {11}


def test_a_crash_mid_apply_keeps_committed_batches_and_the_next_run_finishes(
    yt, shard_aliases, settings
):
    s1, s2 = world(shard_aliases)
    settings.SUPPORT_CHAT_BATCH_SIZE = 2
    yt.put([3, 4, 5, 6, 12, 13])

    def crash_after_first_batch(shard, action, done, total):
        raise ConnectionError("lost the database connection")

    with pytest.raises(ConnectionError):
        services.support_chat_sync(on_batch=crash_after_first_batch)
    assert last_run().status == JobRun.Status.FAILED
    assert disabled(s1) == {1, 2, 3, 4}  # one batch committed, whole
    assert disabled(s2) == {11}
    assert not Property.objects.filter(name=selectors.WATERMARK).exists()
    assert not JobLock.objects.exists()
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {3, 4, 5, 6} and disabled(s2) == {12, 13}


def test_dry_run_prints_and_records_the_plan_and_changes_nothing(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([3])
    out = StringIO()
    call_command("sync_support_chat", "--dry-run", stdout=out, stderr=StringIO())
    assert (
        "dry_run" in out.getvalue() and "shard 1: disable 1 [3], enable 2 [1, 2]" in out.getvalue()
    )
    assert disabled(s1) == {1, 2}
    run = last_run()
    assert run.dry_run and run.status == JobRun.Status.SUCCESS
    assert run.details["plan"]["shards"]["1"]["to_disable_ids"] == [3]
    assert not Property.objects.filter(name=selectors.WATERMARK).exists()


def test_a_run_while_another_holds_the_lock_is_skipped(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([3])
    JobLock.objects.create(
        job="support_chat_sync", owner="other", expires_at=timezone.now() + timedelta(minutes=5)
    )
    with pytest.raises(JobLocked):
        services.support_chat_sync()
    assert last_run().status == JobRun.Status.SKIPPED
    assert disabled(s1) == {1, 2}


def test_a_local_csv_file_replaces_yt_when_configured(settings, shard_aliases, tmp_path):
    s1, s2 = world(shard_aliases)
    path = tmp_path / "exclusion.csv"
    path.write_text("client_id\n1\n15\n")
    settings.SUPPORT_CHAT_EXCLUSION_SOURCE = str(path)
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {1} and disabled(s2) == {15}


def test_a_dry_run_of_an_unsafe_plan_succeeds_and_says_it_would_be_refused(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([])
    out = StringIO()
    call_command("sync_support_chat", "--dry-run", stdout=out, stderr=StringIO())
    assert "a real run would be refused: the exclusion table is empty" in out.getvalue()
    assert last_run().status == JobRun.Status.SUCCESS
    assert disabled(s1) == {1, 2}


class HookedSource:
    """The configured source, with a hook run after the client ids are read."""

    def __init__(self, hook, ids=None) -> None:
        self.inner = services.exclusion_source()
        self.hook = hook
        self.ids = ids

    def version(self):
        return self.inner.version()

    def client_ids(self, version):
        ids = self.inner.client_ids(version) if self.ids is None else list(self.ids)
        self.hook()
        return ids


def take_over_the_lock() -> None:
    """Another worker takes the lease, as when this run's lease expired."""
    JobLock.objects.filter(job="support_chat_sync").update(
        owner="newer-run", expires_at=timezone.now() + timedelta(minutes=30)
    )


def test_a_run_that_lost_its_lease_while_reading_commits_nothing(yt, shard_aliases):
    s1, s2 = world(shard_aliases)
    yt.put([3, 12])
    with pytest.raises(JobLocked):
        services.support_chat_sync(source=HookedSource(take_over_the_lock))
    assert disabled(s1) == {1, 2} and disabled(s2) == {11}
    assert not Property.objects.filter(name=selectors.WATERMARK).exists()
    assert last_run().status == JobRun.Status.FAILED
    assert JobLock.objects.get(job="support_chat_sync").owner == "newer-run"


def test_a_run_that_lost_its_lease_between_batches_commits_no_further_batch(
    yt, shard_aliases, settings
):
    s1, s2 = world(shard_aliases)
    settings.SUPPORT_CHAT_BATCH_SIZE = 2
    yt.put([3, 4, 5, 6, 12, 13])
    batches = []

    def lose_the_lease(shard, action, done, total):
        batches.append((shard, action, done))
        take_over_the_lock()

    with pytest.raises(JobLocked):
        services.support_chat_sync(on_batch=lose_the_lease)
    assert len(batches) == 1
    assert disabled(s1) == {1, 2, 3, 4}  # the batch committed before the lease was lost
    assert disabled(s2) == {11}
    assert not Property.objects.filter(name=selectors.WATERMARK).exists()


def test_the_watermark_is_not_overwritten_when_it_changed_during_the_run(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([3])
    newer = (timezone.now() + timedelta(hours=1)).isoformat()

    def newer_run_stores_its_watermark() -> None:
        property_set(name=selectors.WATERMARK, value=newer)

    services.support_chat_sync(source=HookedSource(newer_run_stores_its_watermark))
    assert Property.objects.get(name=selectors.WATERMARK).value == newer
    assert "not stored" in last_run().message


@pytest.fixture
def short_lease():
    """The job's lock lease cut to one second and not renewed in the
    background (a frozen worker), restored afterwards."""
    job = get_job("support_chat_sync")
    register(dataclasses.replace(job, lock_ttl=timedelta(seconds=1), auto_heartbeat=False))
    yield
    register(job)


@pytest.mark.postgres
def test_two_concurrent_runs_never_interleave_even_when_a_lease_expires(
    yt, shard_aliases, short_lease
):
    s1, s2 = world(shard_aliases)
    yt.put([3, 12])
    reading, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def stall() -> None:
        reading.set()
        release.wait(timeout=30)

    def run(name: str, source) -> None:
        try:
            outcomes[name] = services.support_chat_sync(source=source).outcome
        except Exception as exc:  # noqa: BLE001 - recorded for the assertions
            outcomes[name] = exc
        finally:
            connections.close_all()

    # The slow run plans from a stale list ([5]) and stalls past its lease.
    slow = threading.Thread(target=run, args=("slow", HookedSource(stall, ids=[5])))
    slow.start()
    assert reading.wait(timeout=30)
    time.sleep(1.2)
    fast = threading.Thread(target=run, args=("fast", None))
    fast.start()
    fast.join(timeout=60)
    release.set()
    slow.join(timeout=60)
    assert outcomes["fast"] == "synced"
    assert isinstance(outcomes["slow"], JobLocked)
    assert disabled(s1) == {3} and disabled(s2) == {12}
    assert not ClientFeature.objects.using(s1).filter(client_id=5, is_enabled=False).exists()


def test_table_changes_made_during_a_pause_are_applied_once_the_pause_ends(yt, shard_aliases):
    s1, _ = world(shard_aliases)
    yt.put([1, 2], modified=timezone.now() - timedelta(hours=2))
    assert services.support_chat_sync().outcome == "synced"
    property_set(name=selectors.WATERMARK, value=(timezone.now() + timedelta(days=1)).isoformat())
    changed = yt.put([1, 2, 3], modified=timezone.now() - timedelta(hours=1))
    assert services.support_chat_sync().outcome == "paused"
    # The operator ends the pause by setting a past time (newer than the table).
    property_set(name=selectors.WATERMARK, value=timezone.now().isoformat())
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {1, 2, 3}
    assert selectors.last_synced_mod_time() == changed.modification_time
    assert services.support_chat_sync().outcome == "unchanged"


def test_a_database_error_inside_a_batch_rolls_that_batch_back_and_the_next_run_finishes(
    yt, shard_aliases, settings
):
    s1, s2 = world(shard_aliases)
    settings.SUPPORT_CHAT_BATCH_SIZE = 2
    yt.put([3, 4, 5, 6, 12, 13])
    feature, lock = ClientFeature._meta.db_table, JobLock._meta.db_table
    inserts = []

    def break_in_the_second_batch(execute, sql, params, many, context):
        # Shard 1's second batch has written its rows ([5, 6]); the next
        # statement of that batch (the lease check) loses the connection.
        statement = sql.lstrip().upper()
        if statement.startswith("INSERT") and feature in sql:
            inserts.append(params)
        elif statement.startswith("UPDATE") and lock in sql and len(inserts) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with contextlib.ExitStack() as stack:
        for alias in {s1, "default"}:
            stack.enter_context(connections[alias].execute_wrapper(break_in_the_second_batch))
        with pytest.raises(OperationalError):
            services.support_chat_sync()
    assert len(inserts) == 2
    assert last_run().status == JobRun.Status.FAILED
    assert disabled(s1) == {1, 2, 3, 4}  # batch 1 kept, batch 2 ([5, 6]) rolled back
    assert not ClientFeature.objects.using(s1).filter(client_id__in=[5, 6]).exists()
    assert disabled(s2) == {11}
    assert not Property.objects.filter(name=selectors.WATERMARK).exists()
    assert services.support_chat_sync().outcome == "synced"
    assert disabled(s1) == {3, 4, 5, 6} and disabled(s2) == {12, 13}
    assert selectors.last_synced_mod_time() is not None
