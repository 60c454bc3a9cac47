"""`jsontext.isoformat`: the text `isoformat()` gives, whatever the value."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from core import jsontext

fixed_offsets = st.builds(
    lambda seconds: timezone(timedelta(seconds=seconds)),
    st.integers(-86399, 86399) | st.integers(-1439, 1439).map(lambda m: m * 60),
)
zones = st.none() | st.timezones() | fixed_offsets


@settings(max_examples=500)
@given(st.datetimes(timezones=zones))
def test_a_datetime_is_written_as_isoformat_writes_it(value):
    """Naive or aware, in any zone, any year, microseconds or not; offsets
    with seconds included (RFC 3339 has none: isoformat writes those)."""
    assert jsontext.isoformat(value) == value.isoformat()


@given(st.dates())
def test_a_date_is_written_as_isoformat_writes_it(value):
    assert jsontext.isoformat(value) == value.isoformat()


class Moment(datetime):
    """A subclass, as a library may hand one."""


def test_a_subclass_is_written_as_isoformat_writes_it():
    value = Moment(2026, 12, 7, 16, 3, 22, 5, tzinfo=timezone(timedelta(hours=5)))
    assert jsontext.isoformat(value) == value.isoformat() == "2026-12-07T16:03:22.000005+05:00"
    assert jsontext.isoformat(date(1, 1, 1)) == "0001-01-01"
