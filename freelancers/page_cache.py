"""The catalogue page as anonymous visitors see it, rendered once and cached.

An anonymous visitor's page depends only on the query string, the language
and the day (a freelancer leaves on the day their last certificate expires,
whether or not the sync has run), so it is cached per (day, language,
query string) for FREELANCER_CATALOGUE_CACHE_SECONDS, stamped with the
catalogue version it was rendered from, and served only while that version
is current. The version and the page are read in one round trip to the cache
(with Redis, one MGET): every visitor's request pays it.

Whatever changes what the catalogue shows (moderation publishing a card, the
certificates sync, an edit in the admin) calls `catalogue_changed()` after its
commit: a page stamped with another version is rendered again. The
version lives in the default cache, so with Redis every process sees it at
once; with the per-process memory cache (no Redis) another process sees a
change when its entry expires, which the short TTL bounds.

Only a request with neither a session nor a messages cookie counts as
anonymous here: a signed-in visitor always has a session cookie, and a
pending message must be shown to its reader alone. Each visitor's CSRF token
(the language switcher posts a form) is never cached: the page is cached
with a placeholder that is replaced by the visitor's own token per request.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "freelancers:catalogue:version"
# Stands for the visitor's CSRF token in a cached page; letters only, so it
# survives HTML escaping unchanged.
CSRF_SLOT = "catalogueCsrfTokenSlot"


def is_anonymous_visit(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def catalogue_changed() -> None:
    """Forget every cached catalogue page (call it after the commit)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def catalogue_version() -> str:
    current = cache.get(VERSION_KEY)
    if current is None:
        current = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, current, timeout=None):
            current = cache.get(VERSION_KEY, current)
    return current


def page_key(*, today: date, language: str, query_string: str) -> str:
    digest = hashlib.sha256(query_string.encode()).hexdigest()[:32]
    return f"freelancers:catalogue:page:{today.isoformat()}:{language}:{digest}"


def cached_per_version(name: str, *, today: date, build: Callable[[], object]):
    """`build()` cached for this catalogue version and day under `name` (e.g.
    the regions every page's filter lists, the count of a filter set)."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    key = f"freelancers:catalogue:{catalogue_version()}:{today.isoformat()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.FREELANCER_CATALOGUE_CACHE_SECONDS)
    return value


def anonymous_page(request: HttpRequest, render: Callable[[str], HttpResponse]) -> HttpResponse:
    """The page for an anonymous visitor: from the cache, else `render(csrf_slot)`
    (a 200 is cached; anything else is returned as it is)."""
    key = page_key(
        today=timezone.localdate(),
        language=get_language(),
        query_string=request.META.get("QUERY_STRING", ""),
    )
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or catalogue_version()
    stamped, body = found.get(key, (None, None))
    if stamped != version or body is None:
        rendered = render(CSRF_SLOT)
        if rendered.status_code != 200:
            return rendered
        body = rendered.content
        cache.set(key, (version, body), settings.FREELANCER_CATALOGUE_CACHE_SECONDS)
    response = HttpResponse(body.replace(CSRF_SLOT.encode(), get_token(request).encode()))
    # The browser may keep its own copy briefly; a shared cache may not, as
    # the page carries this visitor's CSRF token.
    patch_cache_control(response, private=True, max_age=settings.FREELANCER_CATALOGUE_CACHE_SECONDS)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response
