"""Currency rates for ranking salaries, never waited for by a search.

hh.ru's currency dictionary gives the rouble rates; they change slowly, so
the job `currency_rates_refresh` (a django-q2 schedule, every 30 minutes,
well inside RATES_TTL) reads them, caches them and keeps them in the
database (the `Property` STORED_AS, with when they were read): the worker
and the web processes need not share a cache (locally each process has its
own memory cache). A search never calls a site: it takes the cached rates,
else the stored ones (one indexed read, then cached), fresh when read within
RATES_TTL, else the last known, else roubles only. A search that finds no
fresh rates queues one run of the job; a lease in the cache keeps that to
one per REFRESHING lease however many searches come meanwhile. A failed
refresh caches the last known rates for a minute, so a slow or broken
dictionary is asked at most once a minute, never on every search.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from core import errors, jsontext
from core.jobs import RunRecorder, get_job
from core.leases import CacheLease
from core.models import JobRun
from core.selectors import property_get
from core.services import job_enqueue, property_set
from recruiting.jobs import RATES_UNAVAILABLE
from recruiting.ranking import SITE_ORDER
from recruiting.services.sites import site_adapter

logger = logging.getLogger(__name__)

JOB = "currency_rates_refresh"
RATES_CACHE_KEY = "recruiting:currency-rates"
# The database read of the stored rates, kept FALLBACK_TTL (absent ones too):
# a search on a cold cache reads the row once a minute, not on every call.
STORED_CACHE_KEY = "recruiting:currency-rates:stored"
STORED_AS = "recruiting.currency_rates"
RATES_TTL = 3600
FALLBACK_TTL = 60
# Longer than one refresh can take (the adapter's timeouts, one retry) plus
# the worker picking it up: at most one queued run per lease.
REFRESHING = CacheLease("recruiting:currency-rates:refreshing", timedelta(seconds=60))
FALLBACK_RATES = {"RUB": 1.0}


def currency_rates() -> tuple[dict[str, float], bool]:
    """(RUB per unit of each currency, whether they are fresh).

    Never calls a site: when no fresh rates are cached or stored, it queues
    a run of the refresh job (at most one per lease) and returns the last
    known rates (or roubles only).
    """
    if (fresh := currency_rates_fresh()) is not None:
        return fresh, True
    if get_job(JOB).enabled and REFRESHING.claim():
        # Recorded as scheduled: an early run of the schedule, not an operator's.
        job_enqueue(name=JOB, trigger=JobRun.Trigger.SCHEDULE)
    stored = _stored()
    return (stored[0] if stored else dict(FALLBACK_RATES)), False


def currency_rates_fresh() -> dict[str, float] | None:
    """The fresh rates from the cache, or from the database (then cached for
    the rest of their life); None when there are none."""
    rates = cache.get(RATES_CACHE_KEY)
    if rates is not None:
        return rates
    stored = _stored()
    if stored is None:
        return None
    rates, read_at = stored
    left = RATES_TTL - (timezone.now() - read_at).total_seconds()
    if left <= 0:
        return None
    cache.set(RATES_CACHE_KEY, rates, left)
    return rates


def _stored() -> tuple[dict[str, float], datetime] | None:
    """The last rates the job read, and when; None when there are none (or
    the stored value does not parse: the job writes it again). Read from
    the database at most once per FALLBACK_TTL."""
    kept = cache.get(STORED_CACHE_KEY)
    if kept is None:
        kept = {"stored": _stored_read()}
        cache.set(STORED_CACHE_KEY, kept, FALLBACK_TTL)
    return kept["stored"]


def _stored_read() -> tuple[dict[str, float], datetime] | None:
    value = property_get(STORED_AS)
    if not value:
        return None
    try:
        data = jsontext.loads(value)
        rates = {str(code): float(rate) for code, rate in data["rates"].items()}
        return rates, datetime.fromisoformat(data["read_at"])
    except (TypeError, ValueError, KeyError, AttributeError):
        logger.warning("stored currency rates do not parse: %r", value)
        return None


def rates_for(ranked: Mapping[str, float], currencies: Iterable[str]) -> dict[str, float]:
    """`ranked` (the rates a search ranked by) with the fresh cached rates
    filling in the `currencies` it lacks.

    A search that started on a cold cache ranked by roubles only; the rates
    it ranked by stay as they are (the order across pages must not change),
    but a foreign salary it could not convert is shown in roubles as soon as
    the refresh has stored the rates.
    """
    if all(c in ranked for c in currencies):
        return dict(ranked)
    return {**(currency_rates_fresh() or {}), **ranked}


def currency_rates_refresh(*, run: RunRecorder | None = None) -> dict[str, float]:
    """Ask the sites for their rates and cache them; returns what was cached.

    When a site fails, the last known rates (or roubles only) are cached for
    FALLBACK_TTL instead, and `run` ends partial. Raises nothing for a
    site's failure.
    """
    try:
        rates: dict[str, float] = {}
        for site in reversed(SITE_ORDER):
            rates.update(site_adapter(site).currency_rates())
    except errors.ServiceError as exc:
        logger.warning("currency rates unavailable, the last known are used: %s", exc.message)
        stored = _stored()
        rates = stored[0] if stored else dict(FALLBACK_RATES)
        cache.set(RATES_CACHE_KEY, rates, FALLBACK_TTL)
        if run is not None:
            run.mark_partial(RATES_UNAVAILABLE(error=exc.message))
    else:
        cache.set(RATES_CACHE_KEY, rates, RATES_TTL)
        read_at = timezone.now().isoformat()
        property_set(name=STORED_AS, value=jsontext.dumps({"rates": rates, "read_at": read_at}))
        cache.delete(STORED_CACHE_KEY)
        REFRESHING.release()  # fresh rates now; a failure keeps it: one try a lease
    if run is not None:
        run.set("currencies", len(rates))
    return rates
