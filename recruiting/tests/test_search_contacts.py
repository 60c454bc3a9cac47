"""Contacts a search stores and shows, and what a search page costs in queries,
end to end against the job-site emulators."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recruiting.adapters.base import Order, SearchQuery
from recruiting.models import KnownContact, Resume
from recruiting.services import search as search_service

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = SearchQuery(text="разработчик", order=Order.RELEVANCE)


def test_a_claimed_row_without_contacts_is_filled_and_stored_contacts_are_left_alone(
    both_sites, recruiter
):
    first = search_service.search_start(recruiter=recruiter, query=QUERY, page_size=50)
    shown = {r.urn for c in first.cards for r in c.resumes}
    stored = list(Resume.objects.values_list("urn", flat=True))
    claimed = next(u for u in stored if u in shown)
    opened = next(u for u in stored if u != claimed)
    org = recruiter.organization
    Resume.objects.filter(organization=org, urn=claimed).update(contacts="")  # an opening began
    kept = json.dumps({"name": "Иванов Иван", "phones": ["+79990001122"]}, ensure_ascii=False)
    Resume.objects.filter(organization=org, urn=opened).update(contacts=kept, resume={"full": 1})
    again = search_service.search_start(recruiter=recruiter, query=QUERY, page_size=50)
    assert Resume.objects.get(urn=claimed).contact_data["phones"]
    row = Resume.objects.get(urn=opened)
    assert row.contact_data["phones"] == ["+79990001122"] and row.resume == {"full": 1}
    cards = {r.urn: r for c in again.cards for r in c.resumes}
    assert cards[claimed].contacts_open
    assert sorted(Resume.objects.values_list("urn", flat=True)) == sorted(stored)


def _page_statements(recruiter) -> tuple[list[str], list[str]]:
    with CaptureQueriesContext(connection) as first_page:
        first = search_service.search_start(recruiter=recruiter, query=QUERY)
    with CaptureQueriesContext(connection) as next_page:
        search_service.search_page(recruiter=recruiter, cursor=first.next_cursor)
    return [
        [q["sql"] for q in page.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
        for page in (first_page, next_page)
    ]


def test_a_search_page_costs_a_fixed_number_of_queries(both_sites, recruiter, django_user_model):
    search_service.search_start(recruiter=recruiter, query=QUERY)  # rates, connections
    recruiter = django_user_model.objects.get(pk=recruiter.pk)  # as a request loads it
    first, next_ = _page_statements(recruiter)
    # Connections (with whether splits, subsystem contacts and applications
    # exist: none here, so none is read), stored resumes (all stored by the
    # first search: no insert), the session: nothing per card, no delete, not
    # the organization's row.
    assert len(first) <= 3, first
    assert not any(s.startswith("DELETE") for s in first)
    # The session (with the same flags), stored resumes, the session's
    # update: a page served from the buffers calls no site and reads no
    # connection.
    assert len(next_) <= 3, next_
    assert not any(s.startswith('SELECT "recruiting_token"') for s in next_), next_


def test_splits_and_subsystem_contacts_are_read_once_they_exist(
    both_sites, recruiter, django_user_model
):
    first = search_service.search_start(recruiter=recruiter, query=QUERY)
    urns = [r.urn for c in first.cards for r in c.resumes]
    search_service.merge_split_create(recruiter=recruiter, urns=urns[:2])
    KnownContact.objects.create(
        organization=recruiter.organization,
        resume_urn=urns[2],
        source="amocrm",
        contacts={"name": "Иванов", "phones": ["+79991234567"]},
    )
    first, next_ = _page_statements(django_user_model.objects.get(pk=recruiter.pk))
    tables = " ".join(first)
    assert "recruiting_mergesplit" in tables and "recruiting_knowncontact" in tables
    assert len(first) <= 6, first
    assert len(next_) <= 5, next_
