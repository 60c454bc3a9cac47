"""Pre-generated search pages for load benchmarks.

With `SANDBOX_MEMO_SEARCH` on (bench/api_load.sh sets it, nothing else
should), a job site's search answer is generated once per distinct request
(method, path, query string and credentials) and then served as stored
bytes, so a benchmark measures the app calling the emulator, not the
emulator building pages on the same cores. The fault frame around the view
(latency, errors) still runs on every request.

`MemoFront` (the ASGI application `sandbox.asgi`, which the bench serves the
emulators with, under uvicorn) answers a memoized request before Django: no
middleware, no view, no query, and no thread: the site's latency is waited
out on the event loop, so a hit costs the emulators a tenth of what a
threaded WSGI server spent on it. It leaves every other fault (errors,
broken bodies, forced failures) to the frame, passing the request to Django
whenever one is set. The knobs it applies are read at most once per
FAULTS_TTL, so a change through the admin or `set_faults` reaches it within
that time; they are the site's own (the search views have no endpoint
knobs). They are read in Django's thread for synchronous code, outside the
request cycle: the database connection stays open with that thread.

Memoized answers are frozen: contacts opened later, a revoked or expired
token, fresh one-time links are not reflected. Only successful answers are
kept, at most `MAX_ANSWERS` of them (the oldest go first).
"""

from __future__ import annotations

import asyncio
import functools
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse

from sandbox.faults import faults_for

MAX_ANSWERS = 512
FAULTS_TTL = 1.0

View = Callable[..., HttpResponse]


class _Answer(NamedTuple):
    body: bytes
    content_type: str
    system: str  # whose fault knobs apply


_answers: OrderedDict[tuple[str, ...], _Answer] = OrderedDict()
# system -> (when read, monotonic; the latency in seconds, or None when other faults are set)
_latencies: dict[str, tuple[float, float | None]] = {}
_lock = threading.Lock()


def _key(environ: Mapping[str, Any]) -> tuple[str, ...]:
    """What makes two requests the same: the WSGI environ (a request's META)."""
    return (
        environ.get("REQUEST_METHOD", ""),
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_AUTHORIZATION", ""),
        environ.get("HTTP_X_API_APP_ID", ""),  # SuperJob's application key
    )


def _found(key: tuple[str, ...]) -> _Answer | None:
    """The answer memoized for `key`, marked as the latest used; None when none is."""
    with _lock:
        found = _answers.get(key)
        if found is not None:
            _answers.move_to_end(key)
    return found


def memoized_search(system: str) -> Callable[[View], View]:
    """Serve the answers of `system`'s view from memory when SANDBOX_MEMO_SEARCH
    is on. Goes inside `@emulator(system)`, whose knobs `MemoFront` applies."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not settings.SANDBOX_MEMO_SEARCH:
                return view(request, *args, **kwargs)
            key = _key(request.META)
            found = _found(key)
            if found is not None:
                return HttpResponse(found.body, content_type=found.content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                with _lock:
                    _answers[key] = _Answer(response.content, response["Content-Type"], system)
                    while len(_answers) > MAX_ANSWERS:
                        _answers.popitem(last=False)
            return response

        return wrapped

    return decorate


class MemoFront:
    """ASGI: memoized search answers served in front of `app` (see the module)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "http" and settings.SANDBOX_MEMO_SEARCH:
            # The request's META as the view reads it (Django's own reading
            # of the scope), so the front finds what the view stored.
            found = _found(_key(ASGIRequest(scope, io.BytesIO()).META))
            if found is not None:
                latency = _latency_kept(found.system)
                if latency is _UNREAD:
                    latency = await sync_to_async(_latency_only)(found.system)
                if latency is not None:
                    if latency:
                        await asyncio.sleep(latency)
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-type", found.content_type.encode("latin-1")),
                                (b"content-length", str(len(found.body)).encode()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": found.body})
                    return
        await self.app(scope, receive, send)


_UNREAD = object()  # `_latency_kept`: the knobs were not read within FAULTS_TTL


def _latency_kept(system: str) -> float | None | object:
    """`_latency_only(system)` as last read, when read within FAULTS_TTL; else `_UNREAD`."""
    with _lock:
        kept = _latencies.get(system)
    if kept is not None and time.monotonic() - kept[0] < FAULTS_TTL:
        return kept[1]
    return _UNREAD


def _latency_only(system: str) -> float | None:
    """`system`'s latency in seconds when it is its only fault, else None
    (read from its knobs, unless read within FAULTS_TTL)."""
    kept = _latency_kept(system)
    if kept is not _UNREAD:
        return cast("float | None", kept)
    faults = faults_for(system)
    latency = (
        faults.latency_ms / 1000
        if not (faults.error_rate or faults.malformed_rate or faults.fail_next)
        else None
    )
    with _lock:
        _latencies[system] = (time.monotonic(), latency)
    return latency


def memo_clear() -> None:
    """Forget every memoized answer and the knobs read (tests)."""
    with _lock:
        _answers.clear()
        _latencies.clear()
