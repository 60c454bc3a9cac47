"""Property tests of the pure search core: merge, ranking, paging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import errors
from recruiting.adapters.base import JobSite, Money, Order, ResumeCard, SearchPage
from recruiting.merge import compare, merge, split_key
from recruiting.paging import Pager, Stream
from recruiting.ranking import order_page, salary_rub, stream_key

TODAY = date(2026, 6, 1)
BASE = datetime(2026, 5, 1, tzinfo=UTC)

people = st.fixed_dictionaries(
    {
        "birth": st.dates(date(1970, 1, 1), date(2000, 12, 31)),
        "gender": st.sampled_from(["male", "female"]),
        "city": st.sampled_from(["Москва", "Казань", "Пермь"]),
        "employer": st.sampled_from(["ООО Ромашка", "АО Вектор", "ПАО Сталь"]),
        "education": st.sampled_from(["МГУ", "СПбГУ", "УрФУ"]),
        "salary": st.none() | st.integers(30, 300).map(lambda k: k * 1000),
    }
)

# One person as `people` draws them, for the tests that vary a field.
ONE_PERSON = {
    "birth": date(1990, 1, 1),
    "gender": "male",
    "city": "Москва",
    "employer": "АО Вектор",
    "education": "МГУ",
    "salary": None,
}


def card_of(person: dict, site: JobSite, rid: str, rank: int = 0, minutes: int = 0) -> ResumeCard:
    hh = site is JobSite.HH
    return ResumeCard(
        site=site,
        resume_id=rid,
        title="Разработчик",
        updated_at=BASE - timedelta(minutes=minutes),
        age=None if not hh else TODAY.year - person["birth"].year - 1,
        birth_date=None if hh else person["birth"],
        gender=person["gender"],
        city=person["city"],
        salary=Money(person["salary"], "RUB") if person["salary"] else None,
        last_employer=person["employer"],
        education=person["education"],
        rank=rank,
    )


@st.composite
def card_sets(draw):
    crowd = draw(st.lists(people, min_size=1, max_size=8))
    cards = []
    for i, person in enumerate(crowd):
        for site in draw(st.sets(st.sampled_from(list(JobSite)), min_size=1)):
            cards.append(card_of(person, site, f"{i}", rank=i, minutes=draw(st.integers(0, 500))))
    return cards


@given(card_sets(), st.randoms())
def test_merge_is_order_independent(cards, rng):
    shuffled = list(cards)
    rng.shuffle(shuffled)
    assert [g.key for g in merge(cards, today=TODAY)] == [
        g.key for g in merge(shuffled, today=TODAY)
    ]


@given(card_sets())
def test_merge_never_loses_or_duplicates_a_resume(cards):
    groups = merge(cards + cards, today=TODAY)
    urns = [u for g in groups for u in g.urns]
    assert sorted(urns) == sorted({c.urn for c in cards})


@given(card_sets())
def test_merge_never_joins_conflicting_cards_or_two_from_one_site(cards):
    for group in merge(cards, today=TODAY):
        assert len({r.site for r in group.resumes}) == len(group.resumes)
        for a in group.resumes:
            for b in group.resumes:
                if a is not b:
                    assert not compare(a, b, today=TODAY).conflicting


@given(people)
def test_same_person_on_both_sites_merges_unless_split(person):
    hh, sj = card_of(person, JobSite.HH, "1"), card_of(person, JobSite.SUPERJOB, "1")
    assert len(merge([hh, sj], today=TODAY)) == 1
    assert len(merge([hh, sj], today=TODAY, splits=frozenset({split_key(hh.urn, sj.urn)}))) == 2


def test_title_alone_never_merges():
    a = ResumeCard(JobSite.HH, "1", "Бухгалтер", BASE)
    b = ResumeCard(JobSite.SUPERJOB, "2", "Бухгалтер", BASE)
    assert len(merge([a, b], today=TODAY)) == 2


def test_conflicting_city_keeps_people_apart():
    person = ONE_PERSON
    hh = card_of(person, JobSite.HH, "1")
    sj = card_of({**person, "city": "Пермь"}, JobSite.SUPERJOB, "1")
    assert len(merge([hh, sj], today=TODAY)) == 2


def test_one_school_finished_in_different_years_keeps_people_apart():
    """With names and birth dates hidden, employer, school, city, age and
    gender alone merged two different people (seen on the sandbox's pages)."""
    import dataclasses

    person = {
        "birth": date(1970, 5, 1),
        "gender": "female",
        "city": "Москва",
        "employer": "ООО Ромашка",
        "education": "СПбГУ",
        "salary": None,
    }
    hh = dataclasses.replace(card_of(person, JobSite.HH, "1"), graduated=1995)
    sj = dataclasses.replace(card_of(person, JobSite.SUPERJOB, "2"), graduated=1991)
    sj = dataclasses.replace(sj, birth_date=None, age=hh.age)
    assert len(merge([hh, sj], today=TODAY)) == 2
    same_year = dataclasses.replace(sj, graduated=1995)
    assert len(merge([hh, same_year], today=TODAY)) == 1
    unknown = dataclasses.replace(sj, graduated=None)  # one site does not say: no conflict
    assert len(merge([hh, unknown], today=TODAY)) == 1


def test_a_merged_card_on_a_salary_page_shows_the_salary_that_placed_it():
    """hh.ru's 120,000 merged with SuperJob's 200,000 is placed by the 200,000:
    it showed 120,000 between 180,000 and 150,000."""
    person = {**ONE_PERSON, "salary": 120000}
    merged_hh = card_of(person, JobSite.HH, "1")
    merged_sj = card_of({**person, "salary": 200000}, JobSite.SUPERJOB, "1")
    others = [
        card_of({**person, "employer": employer, "education": school, "salary": pay}, site, rid)
        for pay, employer, school, site, rid in (
            (180000, "ПАО Сталь", "УрФУ", JobSite.HH, "2"),
            (150000, "ООО Ромашка", "СПбГУ", JobSite.SUPERJOB, "3"),
        )
    ]
    emitted = [merged_sj, others[0], others[1], merged_hh]  # the salary stream's order
    groups = merge(emitted, today=TODAY)
    page = order_page(groups, emitted=[c.urn for c in emitted], costs={}, order=Order.SALARY)
    assert [g.salary.amount for g in page] == [200000, 180000, 150000]


def test_salary_converts_with_the_dictionary_rate():
    card = ResumeCard(JobSite.HH, "1", "x", BASE, salary=Money(1000, "USD"))
    assert salary_rub(card, {"USD": 90.0}) == 90000.0
    assert salary_rub(card, {}) is None


@given(card_sets(), st.sampled_from([Order.UPDATED, Order.SALARY]))
def test_stream_key_is_a_total_deterministic_order(cards, order):
    distinct = list({c.urn: c for c in cards}.values())
    keys = [stream_key(c, order, {"RUB": 1.0}) for c in distinct]
    assert len(set(keys)) == len(distinct)  # distinct resumes never tie: a total order
    assert keys == [stream_key(c, order, {"RUB": 1.0}) for c in distinct]  # deterministic


def test_page_puts_open_contacts_first_then_cheaper():
    a = ResumeCard(JobSite.HH, "1", "x", BASE)
    b = ResumeCard(JobSite.SUPERJOB, "2", "x", BASE)
    c = ResumeCard(JobSite.HH, "3", "x", BASE, contacts_open=True)
    groups = merge([a, b, c], today=TODAY)
    ordered = order_page(
        groups,
        emitted=["urn:hh:1", "urn:sj:2", "urn:hh:3"],
        costs={JobSite.HH: 2, JobSite.SUPERJOB: 1},
    )
    assert [g.key for g in ordered] == ["urn:hh:3", "urn:sj:2", "urn:hh:1"]


@pytest.mark.parametrize("order", [Order.UPDATED, Order.SALARY])
def test_page_keeps_the_stream_order_by_date_and_salary(order):
    # By date or salary the stream order is the order its name promises:
    # open or cheaper contacts never jump ahead of a newer / better-paid one.
    a = ResumeCard(JobSite.HH, "1", "x", BASE)
    b = ResumeCard(JobSite.SUPERJOB, "2", "x", BASE)
    c = ResumeCard(JobSite.HH, "3", "x", BASE, contacts_open=True)
    groups = merge([a, b, c], today=TODAY)
    ordered = order_page(
        groups,
        emitted=["urn:hh:1", "urn:sj:2", "urn:hh:3"],
        costs={JobSite.HH: 2, JobSite.SUPERJOB: 1},
        order=order,
    )
    assert [g.key for g in ordered] == ["urn:hh:1", "urn:sj:2", "urn:hh:3"]


# --- paging -----------------------------------------------------------------------


class FakeSite:
    """A site stream of `total` resumes served `per_page` at a time, depth `depth`."""

    def __init__(self, site, total, per_page, depth, fail_pages=()):
        self.site, self.total, self.per_page, self.depth = site, total, per_page, depth
        self.fail_pages = set(fail_pages)
        self.calls = 0

    def fetch(self, page):
        self.calls += 1
        if page in self.fail_pages:
            self.fail_pages.discard(page)
            raise errors.Unavailable("down")
        limit = min(self.total, self.depth)
        ids = range(page * self.per_page, min(limit, (page + 1) * self.per_page))
        cards = tuple(
            ResumeCard(
                self.site,
                str(i),
                "x",
                BASE - timedelta(minutes=i * (2 if self.site is JobSite.HH else 3)),
                rank=i,
            )
            for i in ids
        )
        return SearchPage(cards, self.total, (page + 1) * self.per_page < limit)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 120),
    st.integers(0, 120),
    st.integers(1, 30),
    st.integers(1, 30),
    st.integers(1, 25),
    st.sampled_from(list(Order)),
    st.sets(st.integers(0, 5), max_size=2),
    st.booleans(),
)
def test_paging_yields_every_card_exactly_once(
    hh_total, sj_total, hh_pp, sj_pp, size, order, fails, roundtrip
):
    sites = {
        JobSite.HH: FakeSite(JobSite.HH, hh_total, hh_pp, depth=100, fail_pages=fails),
        JobSite.SUPERJOB: FakeSite(JobSite.SUPERJOB, sj_total, sj_pp, depth=60),
    }
    pager = Pager(streams=[Stream(JobSite.HH), Stream(JobSite.SUPERJOB)], order=order, rates={})
    served = []
    for _ in range(500):
        if not pager.has_more:
            break
        served += pager.next_page(size, lambda site, page: sites[site].fetch(page))
        if roundtrip:  # the state survives storage between pages
            pager = Pager.from_dict(pager.to_dict())
        else:
            for s in pager.streams:
                s.paused = False
    expected = {f"urn:hh:{i}" for i in range(min(hh_total, 100))} | {
        f"urn:sj:{i}" for i in range(min(sj_total, 60))
    }
    assert len(served) == len({c.urn for c in served})
    assert {c.urn for c in served} == expected


def test_next_page_is_served_from_the_buffer_without_a_fetch():
    site = FakeSite(JobSite.HH, 100, 50, depth=2000)
    pager = Pager(streams=[Stream(JobSite.HH)], order=Order.UPDATED, rates={})
    pager.next_page(20, lambda s, p: site.fetch(p))
    pager.next_page(20, lambda s, p: site.fetch(p))
    assert site.calls == 1


def test_relevance_alternates_sites():
    sites = {s: FakeSite(s, 10, 10, 100) for s in JobSite}
    pager = Pager(
        streams=[Stream(JobSite.HH), Stream(JobSite.SUPERJOB)], order=Order.RELEVANCE, rates={}
    )
    page = pager.next_page(6, lambda site, p: sites[site].fetch(p))
    assert [c.site for c in page] == [JobSite.HH, JobSite.SUPERJOB] * 3


# --- salary order across currencies -------------------------------------------------

salaries = st.tuples(st.integers(1, 500_000), st.sampled_from(["RUB", "USD", "EUR", "KZT"]))
rate_tables = st.fixed_dictionaries(
    {"USD": st.floats(10, 200), "EUR": st.floats(10, 200)},
    optional={"KZT": st.floats(0.05, 1)},
)


def salary_card(site: JobSite, i: int, salary: tuple[int, str] | None) -> ResumeCard:
    money = Money(*salary) if salary else None
    return ResumeCard(site, str(i), "Разработчик", BASE, salary=money, rank=i)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.none() | salaries, max_size=30), rate_tables)
def test_salary_order_is_monotone_in_roubles_across_currencies(values, rates):
    cards = [
        salary_card(JobSite.HH if i % 2 else JobSite.SUPERJOB, i, v) for i, v in enumerate(values)
    ]
    ranked = sorted(cards, key=lambda c: stream_key(c, Order.SALARY, rates))
    roubles = [salary_rub(c, rates) for c in ranked]
    known = [r for r in roubles if r is not None]
    assert known == sorted(known, reverse=True)
    # Cards without a comparable salary come after every card with one.
    assert roubles == known + [None] * (len(roubles) - len(known))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(salaries, max_size=25),
    st.lists(salaries, max_size=25),
    rate_tables,
    st.integers(1, 10),
)
def test_pages_across_sites_keep_salary_order_after_conversion(hh, sj, rates, size):
    rates = {**rates, "KZT": rates.get("KZT", 0.2)}

    def stream(site: JobSite, values) -> list[ResumeCard]:
        # Each site returns its own results by expected salary, highest first.
        cards = [salary_card(site, i, v) for i, v in enumerate(values)]
        return sorted(cards, key=lambda c: -salary_rub(c, rates))

    streams = {JobSite.HH: stream(JobSite.HH, hh), JobSite.SUPERJOB: stream(JobSite.SUPERJOB, sj)}

    def fetch(site: JobSite, page: int) -> SearchPage:
        chunk = streams[site][page * 7 : page * 7 + 7]
        return SearchPage(tuple(chunk), len(streams[site]), (page + 1) * 7 < len(streams[site]))

    pager = Pager(
        streams=[Stream(JobSite.HH), Stream(JobSite.SUPERJOB)], order=Order.SALARY, rates=rates
    )
    served: list[ResumeCard] = []
    while pager.has_more:
        served += pager.next_page(size, fetch)
        pager = Pager.from_dict(pager.to_dict())
    roubles = [salary_rub(c, rates) for c in served]
    assert roubles == sorted(roubles, reverse=True)
    assert len(served) == len(hh) + len(sj)


@given(
    card_sets(),
    st.lists(st.sampled_from(["phones", "email", "home", "work"]), unique=True, max_size=3),
)
def test_saved_cards_come_back_equal_hidden_fields_included(cards, hidden):
    from dataclasses import replace

    from recruiting.adapters.base import card_from_dict

    for card in cards:
        card = replace(card, hidden_fields=tuple(hidden))
        back = card_from_dict(card.to_dict())
        assert back == card
        # Every attribute as the constructor sets it (the URN included), and
        # the stored form it was read from.
        assert {k: v for k, v in vars(back).items() if k != "_stored"} == vars(card)
        assert back.to_dict() == card.to_dict()


def test_a_card_read_back_is_saved_as_it_was_read_and_a_changed_copy_afresh():
    from dataclasses import replace

    from recruiting.adapters.base import card_from_dict

    person = {
        "birth": date(1990, 5, 1),
        "gender": "male",
        "city": "Москва",
        "salary": 150_000,
        "employer": "ООО Ромашка",
        "education": "МГУ",
    }
    stored = card_of(person, JobSite.SUPERJOB, "1").to_dict()
    card = card_from_dict(stored)
    assert card.to_dict() is stored  # the page's state re-saves it without serialising
    changed = replace(card, title="Аналитик")
    assert changed.to_dict() == {**stored, "title": "Аналитик"}
    legacy = {**stored, "salary": {"amount": 1000, "currency": "USD"}}
    assert card_from_dict(card_from_dict(legacy).to_dict()).salary == Money(1000, "USD")
    with pytest.raises(TypeError):
        card_from_dict({**stored, "salery": 1})  # not a field: never an attribute
