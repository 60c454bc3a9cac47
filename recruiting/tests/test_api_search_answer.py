"""The search answer written out equals what its serializer gives, field by field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.utils.timezone import override as override_zone
from hypothesis import given, settings
from hypothesis import strategies as st

from recruiting import messages
from recruiting.adapters.base import (
    JobSite,
    Order,
    ResumeCard,
    SearchQuery,
)
from recruiting.api.search_answer import search_answer, search_data
from recruiting.api.serializers import SearchResponseSerializer
from recruiting.merge import MergedCard
from recruiting.selectors import ApplicationInfo
from recruiting.services.search import SearchResult, SiteStatus
from recruiting.tests.card_support import cards as resumes
from recruiting.tests.card_support import moments

statuses = st.builds(
    SiteStatus,
    site=st.sampled_from(list(JobSite)),
    state=st.sampled_from(["ok", "failed", "timeout", "reconnect", "limit", "denied"]),
    found=st.none() | st.integers(0, 10**6),
    message=st.text(max_size=20) | st.just(messages.SEARCH_EXPIRED),  # a lazy text
    depth_limited=st.booleans(),
)


def application_of(urn: str, created_at: datetime, status: str) -> ApplicationInfo:
    return ApplicationInfo(
        resume_urn=urn,
        subsystem="amocrm",
        subsystem_label="amoCRM",
        application_id="" if status == "pending" else "42",
        status=status,
        status_label="Новая",
        recruiter="Анна Петрова",
        is_deleted_externally=status == "closed",
        created_at=created_at,
    )


@st.composite
def results(draw) -> SearchResult:
    cards = draw(st.lists(resumes, max_size=6, unique_by=lambda c: c.urn))
    groups = [MergedCard((card,)) for card in cards]
    taken = draw(st.lists(st.sampled_from(cards), unique=True)) if cards else []
    applications = {
        card.urn: application_of(
            card.urn, draw(moments), draw(st.sampled_from(["pending", "open", "closed"]))
        )
        for card in taken
    }
    return SearchResult(
        query=SearchQuery(text="разработчик", order=Order.SALARY),
        cards=groups,
        statuses=draw(st.lists(statuses, max_size=2)),
        page=draw(st.integers(0, 50)),
        next_cursor=draw(st.none() | st.just("next")),
        prev_cursor=draw(st.none() | st.just("prev")),
        cursor="this",
        applications=applications,
        rates=draw(st.sampled_from([{}, {"USD": 91.5}])),
    )


@settings(max_examples=200, deadline=None)
@given(results())
def test_the_answer_is_what_its_serializer_gives(result):
    answer = search_answer(result)
    assert search_data(answer) == SearchResponseSerializer(answer).data


@settings(max_examples=100, deadline=None)
@given(results(), st.sampled_from(["UTC", "Asia/Yekaterinburg", "America/New_York"]))
def test_the_answer_is_what_its_serializer_gives_in_any_time_zone(result, zone):
    # UTC is written "Z" by DRF; another zone with its offset, summer time included.
    with override_zone(zone):
        answer = search_answer(result)
        assert search_data(answer) == SearchResponseSerializer(answer).data


def test_a_naive_datetime_is_written_as_drf_writes_it():
    result = SearchResult(
        query=SearchQuery(text="разработчик", order=Order.UPDATED),
        cards=[MergedCard((ResumeCard(JobSite.HH, "1", "Dev", datetime(2026, 5, 1, 12, 0)),))],
        statuses=[],
        page=0,
        next_cursor=None,
        prev_cursor=None,
        cursor="this",
        applications={},
        rates={},
    )
    answer = search_answer(result)
    assert search_data(answer) == SearchResponseSerializer(answer).data


def test_a_datetime_out_of_range_in_the_zone_is_refused_as_drf_refuses_it():
    from django.utils.timezone import get_current_timezone
    from rest_framework.exceptions import ValidationError

    from recruiting.api.search_answer import _DATETIME, _datetime

    far = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))  # before year 1 in Moscow
    with pytest.raises(ValidationError) as drf:
        _DATETIME.to_representation(far)
    with pytest.raises(ValidationError) as ours:
        _datetime(far, get_current_timezone())
    assert ours.value.detail == drf.value.detail
