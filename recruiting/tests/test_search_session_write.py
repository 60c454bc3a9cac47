"""The write a next page ends with: the session's new state and page, stored
only if no other request stored its own since this one read the session
(written as SQL: the version guard is checked here)."""

from __future__ import annotations

import pytest
from django.db import connection

from recruiting.adapters.base import JobSite, Order, SearchQuery, make_urn
from recruiting.models import SearchSession
from recruiting.services import search as search_service

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.UPDATED)


def test_a_next_page_stores_its_page_and_state_once(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    session = SearchSession.objects.get()
    assert session.version == 1 and len(session.pages) == 2
    stored = {make_urn(JobSite(c["site"]), c["resume_id"]) for c in session.pages[1]["cards"]}
    assert stored == {u for card in second.cards for u in card.urns}
    served = {u for card in [*first.cards, *second.cards] for u in card.urns}
    assert served <= set(session.state["seen"])
    # Stored as read: the third page goes on from the second's state.
    third = search_service.search_page(recruiter=recruiter, cursor=second.next_cursor)
    assert not {u for card in third.cards for u in card.urns} & served


def test_a_page_another_request_stored_meanwhile_is_shown_not_overwritten(both_sites, recruiter):
    """Two requests for the same next page: the one that writes second finds
    the session's version moved and shows the page the first one stored."""
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    table = SearchSession._meta.db_table
    meanwhile: list = []
    started = []

    def other_request_first(execute, sql, params, many, context):
        # Just before this request's write, another request serves the same
        # page (on the same connection: it runs and commits in between).
        if sql.startswith("UPDATE") and table in sql and not started:
            started.append(True)
            meanwhile.append(
                search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other_request_first):
        shown = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    session = SearchSession.objects.get()
    assert session.version == 1 and len(session.pages) == 2  # stored once
    assert [c.key for c in shown.cards] == [c.key for c in meanwhile[0].cards]
    assert shown.next_cursor == meanwhile[0].next_cursor
