"""`ResumeCard`: built as a frozen dataclass is (its `__init__` fills the
fields at once), and its stored form (`to_dict`) as the fields say."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given

from recruiting.adapters.base import (
    Contacts,
    JobSite,
    Money,
    ResumeCard,
    _init_at_once,
    card_from_dict,
)
from recruiting.tests.card_support import cards

UPDATED = datetime(2026, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=3)))


def test_defaults_are_the_fields_defaults():
    card = ResumeCard(JobSite.HH, "1", None, UPDATED)
    for f in dataclasses.fields(ResumeCard):
        if f.init and f.default is not dataclasses.MISSING:
            assert getattr(card, f.name) == f.default, f.name
    assert card.raw == {} and card.urn == "urn:hh:1"
    other = ResumeCard(JobSite.HH, "1", None, UPDATED)
    assert other.raw is not card.raw  # a new one each time, as the factory gives it
    assert other == card and hash(other) == hash(card)


def test_arguments_are_checked_as_the_dataclass_checks_them():
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'updated_at'"):
        ResumeCard(JobSite.HH, "1", None)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'nickname'"):
        ResumeCard(JobSite.HH, "1", None, UPDATED, nickname="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'title'"):
        ResumeCard(JobSite.HH, "1", None, UPDATED, title="x")  # type: ignore[misc]


def test_a_card_stays_frozen_and_replace_builds_a_new_one():
    card = ResumeCard(JobSite.SUPERJOB, "7", "Аналитик", UPDATED, raw={"id": 7})
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.title = "Инженер"  # type: ignore[misc]
    changed = dataclasses.replace(card, title="Инженер")
    assert (changed.title, changed.urn, changed.raw) == ("Инженер", "urn:sj:7", {"id": 7})
    assert card.title == "Аналитик"
    assert str(inspect.signature(ResumeCard)).endswith("raw: 'dict[str, Any]' = <factory>) -> None")


def _stored_as_the_fields_say(card: ResumeCard) -> dict[str, Any]:
    """Every field but `raw`, JSON-safe, in the fields' order, None left out."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(ResumeCard):
        value = getattr(card, f.name)
        if not f.init or f.name == "raw" or value is None:
            continue
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, JobSite):
            value = value.value
        elif isinstance(value, Money):
            value = [value.amount, value.currency]
        elif isinstance(value, Contacts):
            value = {k: list(v) for k, v in dataclasses.asdict(value).items()}
        elif isinstance(value, tuple):
            if not value:
                continue
            value = list(value)
        data[f.name] = value
    return data


@given(cards)
def test_the_stored_form_holds_every_field_but_raw(card):
    stored = card.to_dict()
    expected = _stored_as_the_fields_say(card)
    assert stored == expected
    assert list(stored) == list(expected)
    assert card_from_dict(stored) == card


def test_a_class_without_post_init_is_built_too():
    @_init_at_once
    @dataclasses.dataclass(frozen=True)
    class Pair:
        left: int
        right: list[int] = dataclasses.field(default_factory=list)

    assert Pair(1) == Pair(1, []) and Pair(1).right is not Pair(1).right
    with pytest.raises(dataclasses.FrozenInstanceError):
        Pair(1).left = 2  # type: ignore[misc]


def test_a_class_it_cannot_build_the_same_way_is_refused():
    with pytest.raises(AssertionError):  # keyword-only fields

        @_init_at_once
        @dataclasses.dataclass(frozen=True, kw_only=True)
        class Named:
            left: int

    with pytest.raises(AssertionError, match="right"):  # a default __init__ would set

        @_init_at_once
        @dataclasses.dataclass(frozen=True)
        class Derived:
            left: int
            right: int = dataclasses.field(default=0, init=False)
