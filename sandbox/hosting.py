"""Each emulator at the root of its own port, as the vendors' official clients need.

The official clients keep only the host of the URL they are given (yt.wrapper
asks for `http://host:port/api/v4/...`, yandex_tracker_client for
`http://host:port/v2/...`), so an emulator mounted under /sandbox/<system>/ is
never reached by them. `EmulatorHandler(system)` is the project's WSGI
application with that one emulator's URLs at the root: the same views, the
same database, the same fault knobs.
"""

from __future__ import annotations

import importlib

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponseNotFound
from django.urls import include, path

SYSTEMS = ("tracker", "yt", "tvmtool")


class _RootURLconf:
    """A URLconf with one emulator at `/` (hashable, so Django caches its resolver)."""

    def __init__(self, system: str) -> None:
        module = importlib.import_module(f"sandbox.emulators.{system}")
        self.urlpatterns = [path("", include(module))]
        # The project's 404 page links to project URLs this URLconf lacks: an
        # emulator answers unknown paths in its vendor's shape, else plain text.
        self.handler404 = getattr(module, "not_found", _plain_not_found)


def _plain_not_found(request, exception=None) -> HttpResponseNotFound:
    return HttpResponseNotFound(b"Not found", content_type="text/plain")


_URLCONFS = {system: _RootURLconf(system) for system in SYSTEMS}


class EmulatorHandler(WSGIHandler):
    """Serves the emulator of `system` at the root of whatever port it listens on."""

    def __init__(self, system: str) -> None:
        if system not in _URLCONFS:
            raise ValueError(f"No emulator to serve at a root: {system!r}")
        super().__init__()
        self.urlconf = _URLCONFS[system]

    def get_response(self, request):
        request.urlconf = self.urlconf
        return super().get_response(request)
