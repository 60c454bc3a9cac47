"""The lease helper: claim, wait up to a deadline, release, take over a stale lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache

from core.leases import CacheLease, RowLease, remaining, wait_for
from core.models import JobLock
from core.tests.clock import ManualClock

TTL = timedelta(seconds=30)


def test_wait_for_returns_the_first_success_without_sleeping():
    clock = ManualClock()
    assert wait_for(lambda: "done", deadline=clock.mono + 5, poll=0.1, clock=clock) == "done"
    assert clock.slept == []


def test_wait_for_gives_up_at_the_deadline_and_never_sleeps_past_it():
    clock = ManualClock()
    deadline = clock.mono + 1.0
    tries: list[float] = []

    def busy() -> None:
        tries.append(clock.monotonic())

    assert wait_for(busy, deadline=deadline, poll=0.3, clock=clock) is None
    assert clock.mono == pytest.approx(deadline)  # slept exactly up to it, not a poll beyond
    assert clock.slept[-1] == pytest.approx(0.1)  # the last sleep cut to what was left
    assert tries[-1] == pytest.approx(deadline)  # one last try at the deadline


def test_wait_for_with_a_passed_deadline_tries_once():
    clock = ManualClock()
    calls: list[int] = []
    assert wait_for(lambda: calls.append(1), deadline=clock.mono - 1, poll=1, clock=clock) is None
    assert calls == [1] and clock.slept == []


def test_wait_for_gets_the_lease_when_its_holder_lets_go():
    clock = ManualClock()
    free_at = clock.mono + 0.5
    got = wait_for(
        lambda: "mine" if clock.monotonic() >= free_at else None,
        deadline=clock.mono + 5,
        poll=0.2,
        clock=clock,
    )
    assert got == "mine" and clock.mono < free_at + 0.2


def test_remaining_counts_down_to_the_deadline():
    clock = ManualClock()
    assert remaining(None, clock) is None
    assert remaining(clock.mono + 2, clock) == pytest.approx(2)


@pytest.mark.django_db
def test_a_held_row_lease_is_not_claimed_until_it_expires():
    clock = ManualClock()
    lease = RowLease("expires_at", TTL, clock)
    row = JobLock.objects.create(job="j", owner="other", expires_at=lease.until())
    assert lease.held(row) and not lease.claim(row)
    clock.advance(TTL.total_seconds())  # the holder died: its lease went stale
    row.owner = "me"
    assert lease.claim(row, also=["owner"])
    row.refresh_from_db()
    assert row.owner == "me" and row.expires_at == clock.now() + TTL


@pytest.mark.django_db
def test_claim_free_takes_only_a_free_lease_and_once():
    clock = ManualClock()
    lease = RowLease("expires_at", TTL, clock)
    JobLock.objects.create(job="j", owner="other", expires_at=lease.until())
    rows = JobLock.objects.filter(job="j")
    assert lease.claim_free(rows, owner="me") == 0
    clock.advance(31)
    assert lease.claim_free(rows, owner="me") == 1
    assert lease.claim_free(rows, owner="third") == 0  # ours now, and live
    assert rows.get().owner == "me"


@pytest.mark.django_db
def test_extend_and_release_of_a_row_lease():
    clock = ManualClock()
    lease = RowLease("expires_at", TTL, clock)
    row = JobLock.objects.create(job="j", owner="me", expires_at=lease.until())
    clock.advance(20)
    assert lease.extend(JobLock.objects.filter(pk=row.pk)) == 1
    row.refresh_from_db()
    assert row.expires_at == clock.now() + TTL
    lease.end(row)
    assert not lease.held(row)
    assert lease.claim_free(JobLock.objects.filter(pk=row.pk)) == 1


def test_a_cache_lease_is_held_until_released():
    cache.clear()
    lease = CacheLease("test:lease", TTL)
    assert lease.claim()
    assert not lease.claim()
    lease.release()
    assert lease.claim()
    lease.release()
