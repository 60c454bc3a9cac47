"""Pre-generated search pages for load benchmarks.

With `SANDBOX_MEMO_SEARCH` on (bench/api_load.sh sets it, nothing else
should), a job site's search answer is generated once per distinct request
(path, query string and credentials) and then served as stored bytes, so
a benchmark measures the app calling the emulator, not the emulator
building pages on the same cores. The fault frame around the view
(latency, errors) still runs on every request.

Memoized answers are frozen: contacts opened later, a revoked or expired
token, fresh one-time links are not reflected. Only successful answers are
kept, at most `MAX_ANSWERS` of them (the oldest go first).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MAX_ANSWERS = 512

_answers: OrderedDict[tuple[str, ...], tuple[bytes, str]] = OrderedDict()
_lock = threading.Lock()


def memoized_search(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s answers from memory when SANDBOX_MEMO_SEARCH is on."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.SANDBOX_MEMO_SEARCH:
            return view(request, *args, **kwargs)
        key = (
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.headers.get("Authorization", ""),
            request.headers.get("X-Api-App-Id", ""),  # SuperJob's application key
        )
        with _lock:
            found = _answers.get(key)
            if found is not None:
                _answers.move_to_end(key)
        if found is not None:
            body, content_type = found
            return HttpResponse(body, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            with _lock:
                _answers[key] = (response.content, response["Content-Type"])
                while len(_answers) > MAX_ANSWERS:
                    _answers.popitem(last=False)
        return response

    return wrapped


def memo_clear() -> None:
    """Forget every memoized answer (tests)."""
    with _lock:
        _answers.clear()
