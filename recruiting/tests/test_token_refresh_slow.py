"""A token refresh outlives any page deadline: slow sites, lost answers and
concurrent searches on an expired token, end to end against the emulators."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from core import errors
from core.tests.concurrency import at_once, wait_for
from recruiting.adapters.base import JobSite, Order, SearchQuery, TokenPair
from recruiting.models import Token
from recruiting.services import search as search_service
from recruiting.services.tokens import token_access, token_store
from sandbox.faults import set_faults
from sandbox.models import OAuthToken

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.RELEVANCE)
SYSTEMS = {"hh": "hh", "sj": "superjob"}  # our job-site value → emulator system


def expire(*sites: str) -> None:
    past = timezone.now() - timedelta(minutes=1)
    for site in sites:
        OAuthToken.objects.filter(system=SYSTEMS[site]).update(expires_at=past)
        Token.objects.filter(job_site=site).update(valid_until=past)


def statuses(result) -> dict[str, str]:
    return {s.site.value: s.state for s in result.statuses}


def test_refresh_slower_than_the_search_timeout_is_stored_and_the_site_stays_connected(
    both_sites, recruiter, settings
):
    # The scenario: the token endpoint answers after 5 s, longer than
    # both the page deadline and the search read timeout (3 s here).
    settings.JOBSITE_SEARCH_DEADLINE = 1.0
    expire("hh")
    set_faults("hh-token", latency_ms=5000)
    started = time.monotonic()
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert time.monotonic() - started < 1.0 + 0.5  # the page stopped waiting
    assert statuses(first) == {"hh": "timeout", "sj": "ok"}
    assert wait_for(lambda: Token.objects.get(job_site="hh").valid_until > timezone.now(), 10)
    set_faults("hh-token", latency_ms=0)
    second = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(second) == {"hh": "ok", "sj": "ok"}
    token = Token.objects.get(job_site="hh")
    assert token.status == Token.Status.ACTIVE
    assert OAuthToken.objects.filter(system="hh").count() == 2  # refreshed exactly once
    assert token.access_token == OAuthToken.objects.filter(system="hh").latest("pk").access_token


def test_refresh_whose_answer_is_lost_marks_reconnect_and_never_resends(
    both_sites, recruiter, settings
):
    settings.JOBSITE_TOKEN_TIMEOUT = 0.5
    expire("hh")
    set_faults("hh-token", latency_ms=1500)
    token = Token.objects.get(job_site="hh")
    with pytest.raises(errors.Unauthenticated):
        token_access(token=token)
    token.refresh_from_db()
    assert token.status == Token.Status.RECONNECT
    assert token.refreshing_until is None
    # The site spent the refresh token meanwhile: sending it again would be
    # refused, so the next caller is told to reconnect without a site call.
    assert wait_for(lambda: OAuthToken.objects.filter(system="hh").count() == 2)
    set_faults("hh-token", latency_ms=0)
    with pytest.raises(errors.Unauthenticated):
        token_access(token=Token.objects.get(job_site="hh"))
    assert OAuthToken.objects.filter(system="hh").count() == 2


@pytest.mark.postgres
def test_ten_concurrent_searches_on_expired_tokens_refresh_each_site_once(
    both_sites, recruiter, settings
):
    settings.JOBSITE_SEARCH_DEADLINE = 8.0
    expire("hh", "sj")
    results, failures = at_once(
        [partial(search_service.search_start, recruiter=recruiter, query=QUERY)] * 10
    )
    assert failures == []
    assert all("reconnect" not in statuses(r).values() for r in results)
    for site, system in SYSTEMS.items():
        assert OAuthToken.objects.filter(system=system).count() == 2  # one refresh call
        token = Token.objects.get(job_site=site)
        assert token.status == Token.Status.ACTIVE
        newest = OAuthToken.objects.filter(system=system).latest("pk")
        assert token.access_token == newest.access_token
    again = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert statuses(again) == {"hh": "ok", "sj": "ok"}


def reconnect_during_refresh(recruiter, outcome: dict) -> Token:
    """Run token_access in a thread while the site's token call is slow, and
    reconnect (a fresh pair stored) once its refresh holds the lease; the
    row as the reconnect left it."""
    token = Token.objects.get(job_site="hh")

    def refresh() -> None:
        try:
            outcome["access"] = token_access(token=token)
        except errors.ServiceError as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=refresh)
    thread.start()
    assert wait_for(lambda: Token.objects.get(job_site="hh").refreshing_until is not None, 5)
    pair = TokenPair("new-access", "new-refresh", timezone.now() + timedelta(days=14))
    token_store(recruiter=recruiter, site=JobSite.HH, pair=pair)
    thread.join(timeout=10)
    return Token.objects.get(job_site="hh")


def test_a_reconnect_while_a_refresh_runs_keeps_the_new_connection(both_sites, recruiter):
    """The refreshed old pair never overwrites the pair the recruiter just connected."""
    expire("hh")
    set_faults("hh-token", latency_ms=1500)
    outcome: dict = {}
    row = reconnect_during_refresh(recruiter, outcome)
    assert (row.access_token, row.status) == ("new-access", Token.Status.ACTIVE)
    assert outcome["access"] == "new-access"


def test_a_refresh_lost_during_a_reconnect_leaves_the_new_connection_active(
    both_sites, recruiter, settings
):
    """Its answer lost (the old refresh token may be spent): only the old
    connection needed a reconnect, and it is gone."""
    settings.JOBSITE_TOKEN_TIMEOUT = 1.0
    expire("hh")
    set_faults("hh-token", latency_ms=3000)
    outcome: dict = {}
    row = reconnect_during_refresh(recruiter, outcome)
    assert (row.access_token, row.status) == ("new-access", Token.Status.ACTIVE)
    assert isinstance(outcome["error"], errors.Unavailable)
