"""`jsontext`: isoformat writes what `isoformat()` gives; loads reads every answer."""

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


def test_a_broken_emoji_reads_as_a_replacement_character_and_writes_again():
    """A lone surrogate in a site's answer (`json` reads it, orjson writes no
    such string) failed the whole search page when its session was stored."""
    value = jsontext.loads(b'{"title": "Python \\ud83d", "ok": "\\ud83d\\ude00", "n": NaN}')
    assert value["title"] == "Python \ufffd" and value["ok"] == "\U0001f600"
    assert jsontext.loads(jsontext.dumps(value))["title"] == "Python \ufffd"
