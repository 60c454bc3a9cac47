"""Currency rates for ranking salaries, never waited for by a search.

hh.ru's currency dictionary gives the rouble rates; they change slowly, so a
search takes what the cache holds at once: fresh rates, else the last known
ones, else roubles only. A search that finds no fresh rates starts one
background refresh (a lease in the cache keeps it to one at a time). A failed
refresh caches the last known rates for a minute, so a slow or broken
dictionary is asked at most once a minute, never on every search.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from django.core.cache import cache

from core import errors
from recruiting.ranking import SITE_ORDER
from recruiting.services.sites import site_adapter

logger = logging.getLogger(__name__)

RATES_CACHE_KEY = "recruiting:currency-rates"
LAST_KNOWN_KEY = "recruiting:currency-rates:last-known"
REFRESHING_KEY = "recruiting:currency-rates:refreshing"
RATES_TTL = 3600
FALLBACK_TTL = 60
# Longer than one refresh can take (the adapter's timeouts, one retry): a
# refresh that died without releasing it is retried after this.
REFRESH_LEASE = 60
FALLBACK_RATES = {"RUB": 1.0}
# One thread: refreshes are one at a time and never take a site search's slot.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="currency-rates")


def currency_rates() -> tuple[dict[str, float], bool]:
    """(RUB per unit of each currency, whether they are fresh), from the cache.

    Never calls a site: when the cached rates are not fresh, it starts a
    background refresh and returns the last known rates (or roubles only).
    """
    rates = cache.get(RATES_CACHE_KEY)
    if rates is not None:
        return rates, True
    if cache.add(REFRESHING_KEY, True, REFRESH_LEASE):
        _EXECUTOR.submit(currency_rates_refresh).add_done_callback(_log_crash)
    return cache.get(LAST_KNOWN_KEY) or dict(FALLBACK_RATES), False


def currency_rates_fresh() -> dict[str, float] | None:
    """The fresh cached rates, if a refresh has stored them meanwhile."""
    return cache.get(RATES_CACHE_KEY)


def currency_rates_refresh() -> dict[str, float]:
    """Ask the sites for their rates and cache them; returns what was cached.

    When a site fails, the last known rates (or roubles only) are cached for
    FALLBACK_TTL instead. Raises nothing for a site's failure.
    """
    try:
        rates: dict[str, float] = {}
        for site in reversed(SITE_ORDER):
            rates.update(site_adapter(site).currency_rates())
    except errors.ServiceError as exc:
        logger.warning("currency rates unavailable, the last known are used: %s", exc.message)
        rates = cache.get(LAST_KNOWN_KEY) or dict(FALLBACK_RATES)
        cache.set(RATES_CACHE_KEY, rates, FALLBACK_TTL)
    else:
        cache.set(RATES_CACHE_KEY, rates, RATES_TTL)
        cache.set(LAST_KNOWN_KEY, rates, None)
    finally:
        cache.delete(REFRESHING_KEY)
    return rates


def _log_crash(future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        logger.error("currency rates refresh crashed", exc_info=exc)
