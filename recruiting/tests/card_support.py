"""Hypothesis strategies for search cards, shared by the tests of their
stored form and of the search answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import strategies as st

from recruiting.adapters.base import Contacts, JobSite, Money, ResumeCard

texts = st.none() | st.text(max_size=12)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))]),
)
cards = st.builds(
    ResumeCard,
    site=st.sampled_from(list(JobSite)),
    resume_id=st.text("abc0123456789", min_size=1, max_size=8),
    title=texts,
    updated_at=moments,
    url=texts,
    first_name=texts,
    last_name=texts,
    middle_name=texts,
    age=st.none() | st.integers(14, 90),
    birth_date=st.none() | st.dates(date(1940, 1, 1), date(2010, 12, 31)),
    gender=st.none() | st.sampled_from(["male", "female"]),
    city=texts,
    salary=st.none() | st.builds(Money, st.integers(0, 10**7), st.sampled_from(["RUB", "USD"])),
    last_position=texts,
    last_employer=texts,
    education=texts,
    contacts_open=st.booleans(),
    contacts=st.none()
    | st.builds(
        Contacts,
        phones=st.tuples(st.just("+79991234567")) | st.just(()),
        emails=st.tuples(st.emails()) | st.just(()),
        other=st.tuples(st.text(max_size=10)) | st.just(()),
    ),
    hidden_fields=st.lists(st.sampled_from(["phones", "email"]), max_size=2).map(tuple),
    open_url=texts,
    rank=st.integers(0, 500),
)
