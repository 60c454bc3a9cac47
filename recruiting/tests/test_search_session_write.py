"""The write a next page ends with: the session's new state and page, stored
only if no other request stored its own since this one read the session
(written as SQL: the version guard is checked here)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from core import errors, sqlnames
from core.services import encrypted_fields_rotate
from recruiting import cursor as cursors
from recruiting.adapters.base import JobSite, Order, SearchQuery, card_from_dict, make_urn
from recruiting.models import SearchSession
from recruiting.services import search as search_service
from sandbox.faults import set_faults

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


def stored_buffers(session_id: int) -> str:
    return SearchSession.objects.filter(pk=session_id).values_list("buffers", flat=True).get()


def test_a_page_served_from_the_buffers_stores_them_as_they_were(both_sites, recruiter):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    session = SearchSession.objects.get()
    before = stored_buffers(session.pk)
    search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    # The same ciphertext: nothing was encrypted again.
    assert stored_buffers(session.pk) == before


def test_a_session_an_older_release_stored_goes_on_from_its_buffers(both_sites, recruiter):
    """Buffers inside the state, without strong fields: read, then stored apart."""
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    session = SearchSession.objects.get()
    state = session.state
    for stream, buffer in zip(state["streams"], session.buffers, strict=True):
        stream["buffer"] = buffer["cards"]
    del state["has_more"]  # said by the last page alone
    session.state, session.buffers = state, []
    session.save(update_fields=["state", "buffers"])
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    served = {u for card in first.cards for u in card.urns}
    assert second.cards and not {u for card in second.cards for u in card.urns} & served
    session.refresh_from_db()
    assert len(session.buffers) == len(state["streams"])
    assert not any(stream["buffer"] for stream in session.state["streams"])  # moved out


@pytest.mark.parametrize("older_state", [False, True])
def test_no_page_follows_a_page_that_said_so(both_sites, recruiter, older_state):
    set_faults("hh", error_rate=1.0, error_status=503)
    set_faults("superjob", error_rate=1.0, error_status=503)
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    assert first.next_cursor is None  # no site answered: no next page
    session = SearchSession.objects.get()
    if older_state:
        del session.state["has_more"]
        session.save(update_fields=["state"])
    set_faults("hh", error_rate=0.0)
    set_faults("superjob", error_rate=0.0)
    for page in (1, 2):  # the next page, and one past it
        forged = cursors.pack(cursors.Cursor(session.pk, page, recruiter.pk))
        with pytest.raises(errors.InvalidArgument):
            search_service.search_page(recruiter=recruiter, cursor=forged)


def test_a_session_inserted_without_the_buffers_column_reads_as_having_none(recruiter):
    """An older release inserts its sessions without the column (rolling deploy)."""
    names = ["recruiter", "query", "state", "pages", "version", "created_at", "expires_at"]
    now = timezone.now()
    values = [recruiter.pk, "{}", "{}", "[]", 0, now, now + timedelta(minutes=5)]
    columns = ", ".join(sqlnames.column(SearchSession, name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sqlnames.table(SearchSession)} ({columns})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(values))})",
            values,
        )
    session = SearchSession.objects.get()
    assert list(session.buffers) == [] and session.state == {}


@pytest.mark.parametrize("inside", [False, True])
def test_buffers_are_also_in_the_state_while_an_older_release_runs(
    both_sites, recruiter, settings, inside
):
    settings.JOBSITE_SEARCH_BUFFERS_IN_STATE = inside
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    session = SearchSession.objects.get()
    served = {u for page in (first, second) for card in page.cards for u in card.urns}
    for stream in session.state["streams"]:
        # Where an older release reads a stream's buffer: its cards' stored form.
        buffered = [card_from_dict(data) for data in stream["buffer"]]
        assert bool(buffered) is inside
        assert all(card.site.value == stream["site"] for card in buffered)
    third = search_service.search_page(recruiter=recruiter, cursor=second.next_cursor)
    assert third.cards and not {u for card in third.cards for u in card.urns} & served


def test_a_page_prepared_before_a_key_rotation_puts_no_old_key_back(
    both_sites, recruiter, settings
):
    """The buffers a page writes back as read are ciphertexts: written after
    a rotation, they would be under the old key, unreadable once it is dropped."""
    old = settings.FIELD_ENCRYPTION_KEYS  # the connections' too
    new = Fernet.generate_key().decode()
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    table = SearchSession._meta.db_table
    rotated = []

    def rotation_first(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and table in sql and not rotated:
            rotated.append(True)
            settings.FIELD_ENCRYPTION_KEYS = [new, *old]
            encrypted_fields_rotate()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(rotation_first), pytest.raises(errors.Unavailable):
        search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key dropped
    again = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    assert again.cards
    session = SearchSession.objects.get()
    assert len(session.pages) == 2 and len(list(session.buffers)) == 2


def test_the_buffers_an_older_release_wrote_last_are_read_not_the_column(both_sites, recruiter):
    """An older release paged last: its buffers are in the state, and the
    column still holds what this release wrote before (stale)."""
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    session = SearchSession.objects.get()
    state, stale = session.state, list(session.buffers)
    for stream, buffer in zip(state["streams"], stale, strict=True):
        stream["buffer"] = buffer["cards"][-3:]  # it served the others (not recorded here)
    session.state = state
    session.save(update_fields=["state"])
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    kept = {_urn(c) for stream in state["streams"] for c in stream["buffer"]}
    left_out = {_urn(c) for buffer in stale for c in buffer["cards"]} - kept
    served = {u for card in second.cards for u in card.urns}
    assert served & kept and not served & left_out


def _urn(stored: dict) -> str:
    return make_urn(JobSite(stored["site"]), stored["resume_id"])
