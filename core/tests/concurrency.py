"""Real races for the concurrency tests: threads released together.

Run them under `@pytest.mark.postgres`: SQLite serialises every write
transaction, so a race there proves nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import connections

from core import errors

T = TypeVar("T")


def at_once(
    calls: Sequence[Callable[[], T]],
    *,
    expected: type[BaseException] | tuple[type[BaseException], ...] = errors.ServiceError,
    timeout: float = 60,
) -> tuple[list[T], list[BaseException]]:
    """Run each call in its own thread, all released by one barrier.

    Returns what the calls returned and the `expected` exceptions they
    raised; anything else fails the test when it is raised in its thread.
    Every thread closes its own database connections.
    """
    barrier = threading.Barrier(len(calls))
    results: list[T] = []
    failures: list[BaseException] = []

    def run(call: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results.append(call())
        except expected as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return results, failures


def wait_for(condition: Callable[[], bool], timeout: float = 8.0) -> bool:
    """Poll `condition` until true or `timeout` seconds pass (a call left
    running in the background ending)."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.05)
    return False
