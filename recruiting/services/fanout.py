"""Calling every job site at once, under one deadline.

Each site call runs in a thread of one fixed pool (a burst of searches
against a hanging site cannot grow threads), with a usable access token
first (`tokens.with_access`). The page waits until its deadline and no
longer; a call still running then is reported as DeadlineExceeded and goes
on to its end: a site call within its read timeout, which never passes the
deadline, a token refresh within its own, storing the new pair.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.conf import settings
from django.db import connection as db_connection

from core import errors
from recruiting.adapters.base import JobSite, SearchPage, SearchQuery
from recruiting.models import Token
from recruiting.services.sites import site_adapter
from recruiting.services.tokens import with_access

logger = logging.getLogger(__name__)

_EXECUTOR = ThreadPoolExecutor(
    max_workers=settings.JOBSITE_SEARCH_THREADS, thread_name_prefix="jobsite-search"
)


def site_fetch(
    site: JobSite,
    page: int,
    tokens: dict[JobSite, Token],
    query: SearchQuery,
    deadline: float,
) -> SearchPage:
    """Page `page` of `site`'s results for `query`.

    Runs in a pool thread (`fan_out`). A token refresh runs to its own
    timeout even past `deadline` and stores the new pair: the page stops
    waiting, the next search uses the pair.
    """
    token = tokens.get(site)
    if token is None:  # disconnected mid-search
        raise errors.Unauthenticated(details={"reason": "reconnect"})

    def search(access_token: str) -> SearchPage:
        if time.monotonic() >= deadline:
            raise errors.DeadlineExceeded(f"{site.value}: deadline passed")
        return site_adapter(site).search(
            access_token=access_token, query=query, page=page, deadline=deadline
        )

    return with_access(token=token, call=search, deadline=deadline)


def fan_out(
    calls: dict[Any, Callable[[], Any]],
    deadline: float,
    elapsed: dict[Any, float] | None = None,
) -> dict[Any, Any]:
    """Run `calls` in parallel; each result or its ServiceError, by key.

    Calls not done by `deadline` give DeadlineExceeded (see the module's
    docstring for what becomes of them). `elapsed`, when given, receives
    each call's wall time in seconds, added to what it holds for the key
    (up to the deadline for a call that did not finish).
    """
    started = time.monotonic()
    spent: dict[Any, float] = {}

    def timed(key: Any, fn: Callable[[], Any]) -> Any:
        try:
            return _closing_db(fn)
        finally:
            spent[key] = time.monotonic() - started

    futures: dict[Any, Future] = {
        key: _EXECUTOR.submit(timed, key, fn) for key, fn in calls.items()
    }
    wait(futures.values(), timeout=max(0.0, deadline - started))
    if elapsed is not None:
        for key in futures:
            elapsed[key] = elapsed.get(key, 0.0) + spent.get(key, max(0.0, deadline - started))
    out: dict[Any, Any] = {}
    for key, future in futures.items():
        if not future.done():
            future.cancel()
            out[key] = errors.DeadlineExceeded(f"{key}: no answer before the deadline")
            continue
        exc = future.exception()
        if exc is None:
            out[key] = future.result()
        elif isinstance(exc, errors.ServiceError):
            out[key] = exc
        else:
            # A bug in one site's handling must not fail the other sites.
            logger.error("search call %s crashed", key, exc_info=exc)
            out[key] = errors.Internal(f"{key}: unexpected failure")
    return out


def _closing_db(fn: Callable[[], Any]) -> Any:
    """Run `fn` in a pool thread, closing the database connection it opened
    (a token refresh writes) before the thread goes back to the pool."""
    try:
        return fn()
    finally:
        db_connection.close()
