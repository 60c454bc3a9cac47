"""The orjson renderer writes the bytes DRF's JSON renderer writes (core/api/renderers.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.functional import lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from core.api.renderers import OrjsonRenderer

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text()  # U+2028 and U+2029 among the rest
    | st.sampled_from(["\u2028", "a\u2029b", "Ёжик", "\x00", '"\\'])
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)), None]))
    | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.uuids()
    | st.just(lazy(lambda: "Поиск", str)())  # a lazy text, as gettext_lazy gives
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(-5, 5), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_bytes_are_drfs(data):
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**70},  # orjson refuses it: DRF's renderer writes it
        {"when": datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC), "day": date(2026, 5, 1)},
        {"id": uuid.UUID(int=7), "amount": Decimal("12.50")},
        {2: "two", True: "yes", None: "none", "s": 1},  # keys that are not strings
        None,
    ],
)
def test_what_orjson_does_not_write_as_drf_goes_to_drf(data):
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_a_pretty_printed_answer_is_drfs():
    data = {"cards": [{"name": "Анна", "open": True}]}
    wanted = "application/json; indent=2"
    assert OrjsonRenderer().render(data, wanted) == JSONRenderer().render(data, wanted)
    assert b"\n  " in OrjsonRenderer().render(data, wanted)


def test_a_one_shot_iterator_is_read_once_by_drfs_renderer():
    data = {"items": (n for n in [1, 2]), "big": 2**70}
    assert OrjsonRenderer().render(data) == b'{"items":[1,2],"big":1180591620717411303424}'
    assert OrjsonRenderer().render({"items": iter(["а"])}) == JSONRenderer().render(
        {"items": ["а"]}
    )


def test_a_type_drf_refuses_is_refused():
    with pytest.raises(TypeError):
        OrjsonRenderer().render({"thing": object()})
    with pytest.raises(TypeError):  # orjson would write the key as text
        OrjsonRenderer().render({date(2026, 5, 1): 1})
