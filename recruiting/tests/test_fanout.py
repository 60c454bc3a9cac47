"""The fan-out's pool: calls left running past their page's deadline never
hold up the site calls of the searches after them."""

from __future__ import annotations

import threading
import time

from recruiting.services.fanout import fan_out


def test_calls_running_past_their_deadline_leave_room_for_the_next_searches():
    # Every request thread of a worker (GUNICORN_THREADS: 8 here, 5 by default) had a
    # search whose slow site call (a token refresh) outlived the page's deadline.
    release = threading.Event()
    stuck = {f"slow-{n}": release.wait for n in range(8)}
    try:
        outcome = fan_out(stuck, time.monotonic() + 0.05)
        assert all(isinstance(r, Exception) for r in outcome.values())  # timed out
        # The next search's two sites answer at once and must not queue.
        started = time.monotonic()
        answers = fan_out(
            {"hh": lambda: "hh page", "sj": lambda: "sj page"}, time.monotonic() + 1.0
        )
        assert answers == {"hh": "hh page", "sj": "sj page"}
        assert time.monotonic() - started < 0.5
    finally:
        release.set()
