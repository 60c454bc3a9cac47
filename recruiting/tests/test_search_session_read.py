"""The read a search page starts with: the session a cursor points at, only
the recruiter's own and unexpired, and what exists of the rows the page reads
next (written as SQL: each guard is checked here on its own); and what a
next page does with a connection that needs a reconnect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import User
from recruiting import selectors
from recruiting.adapters.base import JobSite, Order, SearchQuery
from recruiting.models import (
    Application,
    KnownContact,
    MergeSplit,
    SearchSession,
    SubsystemConnection,
    Token,
)
from recruiting.services import search as search_service

pytestmark = pytest.mark.django_db


def session_of(recruiter: User, *, expires_in: timedelta = timedelta(minutes=30)) -> SearchSession:
    return SearchSession.objects.create(
        recruiter=recruiter,
        query={"text": "разработчик"},
        state={"streams": []},
        pages=[{"cards": [], "statuses": [], "has_more": False}],
        expires_at=timezone.now() + expires_in,
    )


def token_of(recruiter: User, site: JobSite, status: str = Token.Status.ACTIVE) -> Token:
    return Token.objects.create(
        recruiter=recruiter,
        job_site=site.value,
        access_token="a",
        refresh_token="r",
        valid_until=timezone.now() + timedelta(days=1),
        status=status,
    )


def test_the_recruiters_live_session_is_read_with_its_documents(recruiter):
    session = session_of(recruiter)
    found, reads = selectors.search_session(recruiter=recruiter, session_id=session.pk)
    assert found.pk == session.pk and found.recruiter_id == recruiter.pk
    assert found.query == {"text": "разработчик"} and found.state == {"streams": []}
    assert list(found.pages) == [{"cards": [], "statuses": [], "has_more": False}]
    assert reads == selectors.SearchReads(None, False, False, False)


def test_another_recruiters_or_an_expired_session_is_not_read(recruiter, organization):
    colleague = User.objects.create_user(username="boris", organization=organization)
    mine = session_of(recruiter)
    assert selectors.search_session(recruiter=colleague, session_id=mine.pk) is None
    expired = session_of(recruiter, expires_in=timedelta(seconds=-1))
    assert selectors.search_session(recruiter=recruiter, session_id=expired.pk) is None
    assert selectors.search_session(recruiter=recruiter, session_id=mine.pk + 1000) is None


def test_the_flags_say_which_rows_exist_for_this_recruiter_and_organization(
    recruiter, organization, other_organization
):
    session = session_of(recruiter)
    stranger = User.objects.create_user(username="olga", organization=other_organization)
    # Rows of another recruiter and another organization count for nothing.
    MergeSplit.objects.create(recruiter=stranger, urn_a="urn:hh:1", urn_b="urn:sj:1")
    KnownContact.objects.create(
        organization=other_organization, resume_urn="urn:hh:1", source="amocrm", contacts={}
    )
    token_of(stranger, JobSite.HH, Token.Status.RECONNECT)
    _, reads = selectors.search_session(recruiter=recruiter, session_id=session.pk)
    assert reads == selectors.SearchReads(None, False, False, False)

    MergeSplit.objects.create(recruiter=recruiter, urn_a="urn:hh:1", urn_b="urn:sj:1")
    KnownContact.objects.create(
        organization=organization, resume_urn="urn:hh:1", source="amocrm", contacts={}
    )
    connection = SubsystemConnection.objects.create(
        organization=organization, subsystem="tracker", account="o", access_token="t"
    )
    Application.objects.create(
        organization=organization,
        connection=connection,
        subsystem="tracker",
        resume_urn="urn:hh:1",
        recruiter=recruiter,
        idempotency_key="k1",
        status="open",
    )
    _, reads = selectors.search_session(recruiter=recruiter, session_id=session.pk)
    assert reads == selectors.SearchReads(None, True, True, True)


def test_the_connections_come_along_only_when_one_needs_a_reconnect(recruiter):
    session = session_of(recruiter)
    token_of(recruiter, JobSite.HH)
    _, reads = selectors.search_session(recruiter=recruiter, session_id=session.pk)
    assert reads.tokens is None  # a page from the buffers needs none
    token_of(recruiter, JobSite.SUPERJOB, Token.Status.RECONNECT)
    _, reads = selectors.search_session(recruiter=recruiter, session_id=session.pk)
    assert set(reads.tokens) == {JobSite.HH, JobSite.SUPERJOB}
    assert reads.tokens[JobSite.SUPERJOB].status == Token.Status.RECONNECT


def test_a_recruiter_without_an_organization_reads_no_organization_rows(db):
    loner = User.objects.create_user(username="loner", is_staff=True)
    session = session_of(loner)
    _, reads = selectors.search_session(recruiter=loner, session_id=session.pk)
    assert reads == selectors.SearchReads(None, False, False, False)


def test_a_first_page_reads_the_recruiters_own_connections_with_the_same_flags(
    recruiter, organization, other_organization
):
    assert selectors.search_reads(recruiter=recruiter) == selectors.SearchReads({})
    stranger = User.objects.create_user(username="olga", organization=other_organization)
    token_of(stranger, JobSite.SUPERJOB)
    mine = token_of(recruiter, JobSite.HH)
    reads = selectors.search_reads(recruiter=recruiter)
    assert reads.tokens == {JobSite.HH: mine}
    assert reads.tokens[JobSite.HH].access_token == "a"  # decrypted as the ORM reads it
    # The refresh token is not read, nor decrypted, until a refresh asks for it.
    assert reads.tokens[JobSite.HH].get_deferred_fields() == {"refresh_token"}
    assert reads.tokens[JobSite.HH].refresh_token == mine.refresh_token
    assert (reads.splits, reads.subsystem_contacts, reads.applications) == (False, False, False)
    MergeSplit.objects.create(recruiter=recruiter, urn_a="urn:hh:1", urn_b="urn:sj:1")
    KnownContact.objects.create(
        organization=organization, resume_urn="urn:hh:1", source="amocrm", contacts={}
    )
    reads = selectors.search_reads(recruiter=recruiter)
    assert (reads.splits, reads.subsystem_contacts, reads.applications) == (True, True, False)


@pytest.mark.django_db(transaction=True)
def test_a_connection_marked_for_reconnect_fails_its_site_on_the_next_page(both_sites, recruiter):
    query = SearchQuery(text="разработчик", order=Order.RELEVANCE)
    first = search_service.search_start(recruiter=recruiter, query=query)
    Token.objects.filter(job_site="hh").update(status=Token.Status.RECONNECT)
    second = search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    assert {s.site.value: s.state for s in second.statuses} == {"hh": "reconnect", "sj": "ok"}
    # Served from SuperJob's buffer; an hh.ru resume only beside its twin.
    assert second.cards
    assert all(any(r.site is JobSite.SUPERJOB for r in c.resumes) for c in second.cards)
