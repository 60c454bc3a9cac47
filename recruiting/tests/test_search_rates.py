"""Currency rates never hold a search: the hh.ru dictionary is read in the
background, its answer cached, its failure cached briefly (real adapters
over HTTP against the emulators)."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from core.tests.concurrency import wait_for
from recruiting.adapters.base import Order, SearchQuery
from recruiting.models import SearchSession
from recruiting.services import rates
from recruiting.services import search as search_service
from recruiting.tests.conftest import connect
from sandbox.faults import set_faults
from sandbox.models import FaultConfig

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.SALARY)
DICTIONARY = "hh-dictionaries"  # the fault knobs of hh.ru's /dictionaries alone


@pytest.fixture(autouse=True)
def _no_refresh_left_from_other_tests():
    rates._EXECUTOR.submit(lambda: None).result()  # one thread: all before it are done
    cache.clear()


def refreshed() -> bool:
    return cache.get(rates.RATES_CACHE_KEY) is not None


def rates_used(recruiter) -> dict[str, float]:
    return SearchSession.objects.filter(recruiter=recruiter).latest("pk").state["rates"]


@pytest.mark.parametrize("sites", [["sj"], ["hh", "sj"]])
def test_slow_currency_dictionary_never_holds_the_search(
    emulators, recruiter_client, recruiter, sites
):
    for site in sites:
        connect(recruiter_client, site)
    set_faults(DICTIONARY, latency_ms=2500)
    started = time.monotonic()
    result = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert time.monotonic() - started < 1.5
    assert {s.state for s in result.statuses} == {"ok"} and result.cards
    assert rates_used(recruiter) == {"RUB": 1.0}  # nothing known yet: roubles only
    assert wait_for(refreshed)  # the background refresh ends before the server stops
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert rates_used(recruiter)["USD"] > 1  # the next search has the dictionary's rates


def test_failed_dictionary_is_asked_once_not_on_every_search(
    emulators, recruiter_client, recruiter
):
    connect(recruiter_client, "sj")
    set_faults(DICTIONARY, fail_next=20, error_status=500)
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert wait_for(refreshed)  # the failure is cached (briefly) as the fallback
    asked = 20 - FaultConfig.objects.get(system=DICTIONARY).fail_next
    assert asked >= 1
    for _ in range(3):
        search_service.search_start(recruiter=recruiter, query=QUERY)
        assert rates_used(recruiter) == {"RUB": 1.0}
    time.sleep(0.3)  # a refresh started by those searches would have asked by now
    assert 20 - FaultConfig.objects.get(system=DICTIONARY).fail_next == asked


def test_last_known_rates_serve_while_the_dictionary_fails(emulators, recruiter_client, recruiter):
    connect(recruiter_client, "sj")
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert wait_for(refreshed)
    known = cache.get(rates.RATES_CACHE_KEY)
    assert known["USD"] > 1
    cache.delete(rates.RATES_CACHE_KEY)  # an hour later: the fresh rates expired
    set_faults(DICTIONARY, error_rate=1.0, error_status=500)
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert rates_used(recruiter) == known
    assert wait_for(refreshed)  # the refresh failed: the last known stay for a while
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert rates_used(recruiter) == known
