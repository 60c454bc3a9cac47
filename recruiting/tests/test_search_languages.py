"""A stored search page speaks the language of whoever reads it."""

from __future__ import annotations

import pytest
from django.utils import translation

from recruiting.adapters.base import Order, SearchQuery
from recruiting.services import search as search_service
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.RELEVANCE)


def test_a_sites_failure_on_a_page_served_again_is_said_in_the_readers_language(
    both_sites, recruiter
):
    """The message was stored in the first reader's language and shown as it was."""
    set_faults("superjob", error_rate=1.0, error_status=503)
    with translation.override("ru"):
        first = search_service.search_start(recruiter=recruiter, query=QUERY)
        second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    [failed] = [s for s in first.statuses if s.state != "ok"]
    assert "недоступен" in failed.message
    with translation.override("en"):
        again = search_service.search_page(recruiter=recruiter, cursor=second.prev_cursor)
    [failed] = [s for s in again.statuses if s.state != "ok"]
    assert failed.state == "failed" and "SuperJob" in failed.message
    assert "недоступен" not in failed.message
