"""Currency rates never hold a search: the hh.ru dictionary is read by the
rates job (queued by a search that finds no fresh rates), its answer cached
and stored, its failure cached briefly (real adapters over HTTP against the
emulators)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from core.models import JobRun, Property
from core.tests.queue import run_queued
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


def refreshed() -> bool:
    """The worker ran the queued rates job, and it cached what it read."""
    return run_queued() == ["recruiting.tasks.currency_rates_refresh"] and (
        cache.get(rates.RATES_CACHE_KEY) is not None
    )


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
    assert refreshed()  # the search queued the rates job
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert rates_used(recruiter)["USD"] > 1  # the next search has the dictionary's rates


def test_failed_dictionary_is_asked_once_not_on_every_search(
    emulators, recruiter_client, recruiter
):
    connect(recruiter_client, "sj")
    set_faults(DICTIONARY, fail_next=20, error_status=500)
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert refreshed()  # the failure is cached (briefly) as the fallback
    asked = 20 - FaultConfig.objects.get(system=DICTIONARY).fail_next
    assert asked >= 1
    for _ in range(3):
        search_service.search_start(recruiter=recruiter, query=QUERY)
        assert rates_used(recruiter) == {"RUB": 1.0}
    assert run_queued() == []  # those searches queued no refresh
    assert 20 - FaultConfig.objects.get(system=DICTIONARY).fail_next == asked


def test_last_known_rates_serve_while_the_dictionary_fails(emulators, recruiter_client, recruiter):
    connect(recruiter_client, "sj")
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert refreshed()
    known = cache.get(rates.RATES_CACHE_KEY)
    assert known["USD"] > 1
    an_hour_ago()  # the fresh rates expired
    set_faults(DICTIONARY, error_rate=1.0, error_status=500)
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert rates_used(recruiter) == known
    assert refreshed()  # the refresh failed: the last known stay for a while
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert rates_used(recruiter) == known


def an_hour_ago() -> None:
    """Age the rates the job read by RATES_TTL: gone from the cache, stale in the database."""
    cache.delete(rates.RATES_CACHE_KEY)
    stored = json.loads(Property.objects.get(name=rates.STORED_AS).value)
    read_at = datetime.fromisoformat(stored["read_at"]) - timedelta(seconds=rates.RATES_TTL)
    stored["read_at"] = read_at.isoformat()
    Property.objects.filter(name=rates.STORED_AS).update(value=json.dumps(stored))


def test_a_search_begun_on_a_cold_cache_shows_foreign_salaries_in_roubles_once_rates_come(
    emulators, recruiter_client, recruiter
):
    """The first search of a fresh install ranks by roubles only (nothing is
    known yet) and queues the rates job; once the worker ran it, the pages of
    that same search show a USD salary's "≈ ₽" (they froze roubles only before)."""
    connect(recruiter_client, "hh")
    result = search_service.search_start(recruiter=recruiter, query=SearchQuery(text="разработчик"))
    assert rates_used(recruiter) == {"RUB": 1.0}
    assert refreshed()
    usd = []
    for _ in range(8):  # about one hh.ru salary in 12 is in USD
        again = search_service.search_page(recruiter=recruiter, cursor=result.cursor)
        usd = [
            rub
            for card, _app, rub in again.items()
            if card.salary and card.salary.currency == "USD"
        ]
        if usd or not result.next_cursor:
            break
        result = search_service.search_page(recruiter=recruiter, cursor=result.next_cursor)
    assert usd and all(rub and rub > 0 for rub in usd)
    assert rates_used(recruiter) == {"RUB": 1.0}  # the ranking's rates stay as they were


def test_the_rates_job_switched_off_is_never_queued_by_a_search(
    emulators, recruiter_client, recruiter, settings
):
    settings.CURRENCY_RATES_REFRESH_ENABLED = False
    connect(recruiter_client, "sj")
    search_service.search_start(recruiter=recruiter, query=QUERY)
    assert run_queued() == []
    assert rates_used(recruiter) == {"RUB": 1.0}


def test_the_rates_command_records_its_run_and_stores_the_rates(emulators):
    out = StringIO()
    call_command("currency_rates_refresh", stdout=out)
    run = JobRun.objects.get(job="currency_rates_refresh")
    assert out.getvalue().startswith(f"currency_rates_refresh #{run.pk}: success currencies=")
    assert run.trigger == JobRun.Trigger.COMMAND and run.counters["currencies"] > 1
    cache.clear()  # another process, or a restart: the database still has them
    fresh, is_fresh = rates.currency_rates()
    assert is_fresh and fresh["USD"] > 1 and run_queued() == []


def test_setup_schedules_schedules_the_rates_job_every_half_hour():
    from django_q.models import Schedule

    call_command("setup_schedules", stdout=StringIO())
    schedule = Schedule.objects.get(name="currency_rates_refresh")
    assert schedule.func == "recruiting.tasks.currency_rates_refresh" and schedule.minutes == 30
    assert schedule.next_run <= timezone.now()  # a fresh install reads the rates at once


def test_a_failed_rates_run_reads_in_the_readers_language(emulators, admin_client, settings):
    set_faults(DICTIONARY, fail_next=20, error_status=500)
    call_command("currency_rates_refresh", stdout=StringIO())
    run = JobRun.objects.get(job="currency_rates_refresh")
    assert run.status == JobRun.Status.PARTIAL
    assert run.details["messages"][0]["code"] == "recruiting.rates_unavailable"
    for language, words in (("ru", "курсы валют недоступны"), ("en", "currency rates unavailable")):
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = admin_client.get(f"/admin/core/jobrun/{run.pk}/change/").content.decode()
        assert words in page
