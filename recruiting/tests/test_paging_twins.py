"""Twins of a page's cards pulled from the buffers (`Pager.pull`): the cheap
check on the strong fields kept beside each buffered card misses no twin,
and state stored without them (by an older release) pulls the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core import jsontext
from recruiting.adapters.base import JobSite, Order, ResumeCard
from recruiting.merge import TwinsFinder, features, same_person
from recruiting.paging import Buffered, Pager, Stream

TODAY = date(2026, 6, 1)
BASE = datetime(2026, 5, 1, tzinfo=UTC)

people = st.fixed_dictionaries(
    {
        "name": st.none() | st.sampled_from([("Иванов", "Иван"), ("Петрова", "Анна")]),
        "birth": st.none() | st.sampled_from([date(1990, 1, 2), date(1985, 7, 30)]),
        "age": st.none() | st.integers(30, 42),
        "employer": st.none() | st.sampled_from(["ООО «Ромашка»", "АО Вектор"]),
        "education": st.none() | st.sampled_from(["МГУ", "СПбГУ"]),
        "city": st.none() | st.sampled_from(["Москва", "Пермь"]),
    }
)


people_keys = ["name", "birth", "age", "employer", "education", "city"]


def card_of(person: dict, site: JobSite, rid: str, minutes: int) -> ResumeCard:
    last, first = person["name"] or (None, None)
    return ResumeCard(
        site=site,
        resume_id=rid,
        title="Разработчик",
        updated_at=BASE - timedelta(minutes=minutes),
        last_name=last,
        first_name=first,
        birth_date=person["birth"],
        age=person["age"],
        city=person["city"],
        last_employer=person["employer"],
        education=person["education"],
    )


def cards(prefix: str) -> st.SearchStrategy[list[ResumeCard]]:
    return st.lists(st.tuples(people, st.sampled_from(list(JobSite))), max_size=12).map(
        lambda drawn: [
            card_of(person, site, f"{prefix}{i}", i) for i, (person, site) in enumerate(drawn)
        ]
    )


def pager_of(buffered: list[ResumeCard]) -> Pager:
    streams = [
        Stream(site, buffer=[Buffered.of(c) for c in buffered if c.site is site])
        for site in JobSite
    ]
    return Pager(streams=streams, order=Order.UPDATED, rates={})


@settings(max_examples=300, deadline=None)
@given(cards("p"), cards("b"), st.booleans(), st.data())
def test_pull_takes_exactly_the_buffered_twins_of_the_page(page, buffered, older_state, data):
    pager = pager_of(buffered)
    # Served before (a stored buffer keeps them until a fetch rewrites it).
    pager.seen = (
        data.draw(st.sets(st.sampled_from([c.urn for c in buffered]))) if buffered else set()
    )
    state = jsontext.loads(jsontext.dumps(pager.to_dict()))  # as stored: lists, not tuples
    if older_state:  # as an older release wrote it: buffers inside, no strong fields
        for stream, buffer in zip(state["streams"], state.pop("buffers"), strict=True):
            stream["buffer"] = [c for c in buffer["cards"] if _urn(c) not in pager.seen]
    seen = set(pager.seen)
    pager = Pager.from_dict(state)
    pulled = pager.pull(TwinsFinder(page, today=TODAY))
    twins = [
        b
        for b in buffered
        if b.urn not in seen and any(same_person(b, p, today=TODAY) for p in page)
    ]
    assert sorted(c.urn for c in pulled) == sorted(c.urn for c in twins)
    left = {e.urn for s in pager.streams for e in s.buffer}
    assert left == {c.urn for c in buffered} - {c.urn for c in twins} - seen
    assert {c.urn for c in pulled} <= pager.seen


def _urn(stored: dict) -> str:
    return f"urn:{stored['site']}:{stored['resume_id']}"


def test_a_cards_features_follow_the_day_they_are_asked_for():
    card = card_of(
        {**dict.fromkeys(people_keys), "birth": date(1990, 6, 2)}, JobSite.SUPERJOB, "1", 0
    )
    assert features(card, date(2026, 6, 1)).age == 35
    assert features(card, date(2026, 6, 2)).age == 36  # not the first day's, kept
    assert features(card, date(2026, 6, 2)) is features(card, date(2026, 6, 2))
