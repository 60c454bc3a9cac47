"""Per-recruiter rate limits (DRF throttling) answering RESOURCE_EXHAUSTED.

An API view names its budget with `throttle_scope = "search"` (rates are the
`API_THROTTLE_*` settings, in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]);
views without a scope share the "api" budget. The counter is per user, so a
recruiter using both the browser and a TVM-calling front end has one budget.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class RecruiterRateThrottle(SimpleRateThrottle):
    default_scope = "api"

    def __init__(self) -> None:
        # Scope and rate are resolved per request in allow_request().
        pass

    def allow_request(self, request: Request, view) -> bool:
        self.scope = getattr(view, "throttle_scope", None) or self.default_scope
        # Read at call time (not import time) so settings changes apply.
        try:
            self.rate = cast("str | None", api_settings.DEFAULT_THROTTLE_RATES[self.scope])
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate for scope {self.scope!r}") from None
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view) -> str:
        user = request.user
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
