"""Leases: one process at a time does a thing, and the others wait or give up.

A lease is held until a time; an expired one is free again, so a holder that
died blocks the next one for at most the lease's TTL (a stale lease is taken
over, never waited for). Three kinds of store carry one:

- `RowLease`: a datetime column of a row (`refreshing_until`, `opening_until`,
  `claimed_until`, the job lock's `expires_at`);
- `CacheLease`: a cache key added with a timeout (`cache.add` is atomic);
- a caller's own slots (the amoCRM rate limiter), which use only the clock
  and the deadline.

Waiting is `wait_for`: try, sleep a poll interval, try again, never sleeping
past the caller's deadline. Every clock reading goes through a `Clock`, so
tests move time by hand instead of sleeping or patching.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from django.core.cache import BaseCache, caches
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

T = TypeVar("T")


class Clock(Protocol):
    """Wall time (aware datetimes, shared by processes), a monotonic clock
    for deadlines (this process only), and sleeping."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class SystemClock:
    def now(self) -> datetime:
        return timezone.now()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()


def remaining(deadline: float | None, clock: Clock = SYSTEM_CLOCK) -> float | None:
    """Seconds left until `deadline` (a `clock.monotonic()` value; may be
    negative once passed); None when there is no deadline."""
    return None if deadline is None else deadline - clock.monotonic()


def wait_for(
    attempt: Callable[[], T | None],
    *,
    deadline: float,
    poll: float,
    clock: Clock = SYSTEM_CLOCK,
) -> T | None:
    """`attempt()` until it returns something other than None, `poll` seconds apart.

    Never sleeps past `deadline` (a `clock.monotonic()` value): the last try
    comes at the deadline. Returns None when it passed without success; the
    caller raises its own error (it knows what the wait was for).
    """
    while True:
        result = attempt()
        if result is not None:
            return result
        left = deadline - clock.monotonic()
        if left <= 0:
            return None
        clock.sleep(min(poll, left))


@dataclass(frozen=True)
class RowLease:
    """A lease kept in the datetime column `field` of a row: held while that
    time is in the future; empty (None) or past means free.

    `claim` judges a row the caller read under `select_for_update` in its own
    transaction (the caller decides what else the row says first);
    `claim_free` takes free rows in one conditional UPDATE instead, needing
    no row lock: PostgreSQL re-checks the WHERE clause after a concurrent
    UPDATE, so only one taker wins.
    """

    field: str
    ttl: timedelta
    clock: Clock = SYSTEM_CLOCK

    def until(self) -> datetime:
        """When a lease taken now ends."""
        return self.clock.now() + self.ttl

    def held(self, row: Model) -> bool:
        until = getattr(row, self.field)
        return until is not None and until > self.clock.now()

    def claim(self, row: Model, *, also: Sequence[str] = ()) -> bool:
        """Take the lease on the locked `row` unless a live one holds it (a
        stale one is taken over); saves `field` and the fields in `also`."""
        if self.held(row):
            return False
        setattr(row, self.field, self.until())
        row.save(update_fields=[self.field, *also])
        return True

    def claim_free(self, rows: QuerySet[Any], **values: Any) -> int:
        """Take the lease on those of `rows` that are free, setting `values`
        too; returns how many were taken."""
        now = self.clock.now()
        free = Q(**{f"{self.field}__isnull": True}) | Q(**{f"{self.field}__lte": now})
        return rows.filter(free).update(**{self.field: now + self.ttl}, **values)

    def extend(self, rows: QuerySet[Any]) -> int:
        """Renew the lease on `rows` for another TTL; returns how many."""
        return rows.update(**{self.field: self.until()})

    def release(self, rows: QuerySet[Any], **values: Any) -> int:
        """Free the lease on `rows` (the column emptied), setting `values` too."""
        return rows.update(**{self.field: None}, **values)

    def end(self, row: Model, *, also: Sequence[str] = ()) -> None:
        """Free the lease on `row`, keeping when it ended (readers that look
        for ended leases, such as a poller, see it at once)."""
        setattr(row, self.field, self.clock.now())
        row.save(update_fields=[self.field, *also])


@dataclass(frozen=True)
class CacheLease:
    """A lease kept as a cache key: `cache.add` takes it only when absent, and
    the key's timeout (`ttl`) frees a lease whose holder never released it.
    Shared by the processes that share the cache."""

    key: str
    ttl: timedelta
    cache_alias: str = "default"

    @property
    def _cache(self) -> BaseCache:
        return caches[self.cache_alias]

    def claim(self) -> bool:
        return bool(self._cache.add(self.key, True, timeout=self.ttl.total_seconds()))

    def release(self) -> None:
        self._cache.delete(self.key)
