"""Merging search cards from different sites that describe the same person.

Pure: no I/O. Only SERP cards are compared (product rule). hh.ru hides names and the
birth date until contacts are opened, so a match weighs only what BOTH cards
show: name, birth date or age, gender, city, latest employer (and position),
education (with its year, where both show one), salary. Two cards are the
same person when no shown field conflicts, at least two strong fields (name,
birth date, employer, education) agree, and the agreeing weight reaches
`THRESHOLD`. The title never counts: many people share one.

Grouping is order-independent: candidate pairs are taken best first in a
canonical order, a group holds at most one resume per site, every pair inside
a group is conflict-free, and pairs a recruiter split never share a group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

from core import jsontext
from recruiting.adapters.base import Money, ResumeCard

WEIGHTS = {
    "name": 6,
    "birth_date": 6,
    "employer": 4,
    "education": 4,
    "age": 2,
    "city": 2,
    "position": 1,
    "gender": 1,
    "salary": 1,
}
STRONG = frozenset({"name", "birth_date", "employer", "education"})
THRESHOLD = 10
SALARY_TOLERANCE = 0.2
_LEGAL_FORMS = re.compile(r"\b(ооо|оао|зао|пао|ао|ип|llc|ltd|inc)\b")
_NOT_WORD = re.compile(r"[^\w]+")


class Match(NamedTuple):
    agreeing: frozenset[str]
    conflicting: frozenset[str]

    @property
    def weight(self) -> int:
        return sum([WEIGHTS[f] for f in self.agreeing])

    @property
    def same_person(self) -> bool:
        return (
            not self.conflicting and len(self.agreeing & STRONG) >= 2 and self.weight >= THRESHOLD
        )


@dataclass(frozen=True)
class MergedCard:
    """One person on a results page: one resume per site, sorted by site."""

    resumes: tuple[ResumeCard, ...]
    # The resume that placed the card on a page ordered by salary
    # (`ranking.order_page`): the card shows its salary, the one it is sorted by.
    lead: ResumeCard | None = field(default=None, repr=False, compare=False)
    urns: tuple[str, ...] = field(init=False, repr=False, compare=False)
    key: str = field(init=False, repr=False, compare=False)
    contacts_open: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Ranking reads these for every card of a page: computed once (plain
        # attributes; functools.cached_property locks on each read in 3.11).
        urns = tuple(r.urn for r in self.resumes)
        object.__setattr__(self, "urns", urns)
        object.__setattr__(self, "key", "+".join(urns))
        object.__setattr__(self, "contacts_open", any(r.contacts_open for r in self.resumes))

    def first(self, attr: str):
        """The first non-empty `attr` across the card's resumes (None when none has it)."""
        return next((getattr(r, attr) for r in self.resumes if getattr(r, attr)), None)

    @property
    def name(self) -> str | None:
        return self.first("name")

    # What the card shows: one site may leave out what another gives.
    @property
    def title(self) -> str | None:
        return self.first("title")

    @property
    def age(self) -> int | None:
        return self.first("age")

    @property
    def city(self) -> str | None:
        return self.first("city")

    @property
    def salary(self) -> Money | None:
        if self.lead is not None and self.lead.salary:
            return self.lead.salary
        return self.first("salary")

    @property
    def updated_at(self) -> datetime:
        return max(r.updated_at for r in self.resumes)


def norm(value: str | None) -> str:
    """Lower case, ё → е, no quotes, legal forms or punctuation."""
    if not value:
        return ""
    return _norm(value)


# Pages repeat cities, employers and schools: normalise each string once.
@lru_cache(maxsize=8192)
def _norm(value: str) -> str:
    text = value.lower().replace("ё", "е")
    text = _LEGAL_FORMS.sub(" ", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class Features(NamedTuple):
    """What a card shows, normalised once (merging compares many pairs).

    A NamedTuple rather than a frozen dataclass: a page builds hundreds of
    these and a tuple is several times cheaper to create.
    """

    name: str
    birth_date: date | None
    age: int | None
    gender: str
    city: str
    employer: str
    position: str
    education: str
    graduated: int | None
    salary: tuple[int, str] | None

    def block_keys(self) -> list[tuple]:
        """Any two strong fields present: a match must share one such pair."""
        return block_keys((self.name, self.birth_date, self.employer, self.education))


def block_keys(strong: tuple | list) -> list[tuple]:
    """The pairs of present values among a card's strong fields (name, birth
    date, employer, education, in that order): two cards can match only when
    they share one."""
    return list(combinations([(i, v) for i, v in enumerate(strong) if v], 2))


def strong_fields(card: ResumeCard) -> tuple[str, str, str, str]:
    """The card's strong fields, normalised as `Features` holds them (it takes
    them from here), the birth date as ISO text ("" when absent): kept with a
    buffered card, so finding its twins (`TwinsFinder`) reads the card itself
    only when a key is shared. Kept for the search's life: a change to them
    (or to `norm`) shows in searches started after it."""
    full = bool(card.last_name and card.first_name)
    return (
        norm(f"{card.last_name} {card.first_name}") if full else "",
        jsontext.isoformat(card.birth_date) if card.birth_date else "",
        norm(card.last_employer),
        norm(card.education),
    )


def features(card: ResumeCard, today: date) -> Features:
    """The card's `Features` on `today`, worked out once per card and day: a
    page's cards are compared when their twins are looked for, then merged."""
    kept = card.__dict__.get("_features")
    if kept is not None and kept[0] == today:
        return kept[1]
    feat = _features(card, today)
    card.__dict__["_features"] = (today, feat)  # a frozen card: a cache, not a change
    return feat


def _features(card: ResumeCard, today: date) -> Features:
    name, _birth, employer, education = strong_fields(card)
    birth = card.birth_date
    return Features(
        name,
        birth,
        age_on(birth, today) if birth else card.age,
        card.gender or "",
        norm(card.city),
        employer,
        norm(card.last_position),
        education,
        card.graduated,
        (card.salary.amount, card.salary.currency) if card.salary else None,
    )


def compare(a: ResumeCard, b: ResumeCard, *, today: date) -> Match:
    """Which shown fields of two cards agree and which conflict (symmetric)."""
    return compare_features(features(a, today), features(b, today))


def compare_features(x: Features, y: Features) -> Match:
    agree: set[str] = set()
    conflict: set[str] = set()
    # Spelled out rather than looped over fields: merging compares many pairs.
    if x.name and y.name:
        (agree if x.name == y.name else conflict).add("name")
    if x.birth_date and y.birth_date:
        (agree if x.birth_date == y.birth_date else conflict).add("birth_date")
    if x.gender and y.gender:
        (agree if x.gender == y.gender else conflict).add("gender")
    if x.city and y.city:
        (agree if x.city == y.city else conflict).add("city")
    if x.employer and y.employer:
        (agree if x.employer == y.employer else conflict).add("employer")
    if x.education and y.education:
        # One school, another year of graduating: two people (many share a school).
        years = x.graduated is None or y.graduated is None or x.graduated == y.graduated
        (agree if x.education == y.education and years else conflict).add("education")
    if x.age is not None and y.age is not None:
        (agree if abs(x.age - y.age) <= 1 else conflict).add("age")
    # A new title at the same employer is normal: position only ever agrees.
    if "employer" in agree and x.position and x.position == y.position:
        agree.add("position")
    if x.salary and y.salary and x.salary[1] == y.salary[1]:
        high = max(x.salary[0], y.salary[0]) or 1
        if abs(x.salary[0] - y.salary[0]) / high <= SALARY_TOLERANCE:
            agree.add("salary")
    return Match(frozenset(agree), frozenset(conflict))


def same_person(a: ResumeCard, b: ResumeCard, *, today: date) -> bool:
    return a.site != b.site and compare(a, b, today=today).same_person


def split_key(urn_a: str, urn_b: str) -> frozenset[str]:
    return frozenset((urn_a, urn_b))


def merge(
    cards: Iterable[ResumeCard],
    *,
    today: date,
    splits: frozenset[frozenset[str]] = frozenset(),
) -> list[MergedCard]:
    """Group cards that are the same person; every input URN is in exactly one group.

    Duplicate URNs collapse to one resume. Output groups are sorted by their
    smallest URN; the caller ranks them.
    """
    unique: dict[str, ResumeCard] = {}
    for card in sorted(cards, key=_canonical):
        unique.setdefault(card.urn, card)
    items = sorted(unique.values(), key=lambda c: c.urn)
    feats = {c.urn: features(c, today) for c in items}
    # Every pair compared once: joining groups re-checks pairs for conflicts.
    matches: dict[tuple[str, str], Match] = {}
    edges = []
    for a, b in _candidate_pairs(items, feats):
        if splits and split_key(a.urn, b.urn) in splits:
            continue
        match = matches[a.urn, b.urn] = compare_features(feats[a.urn], feats[b.urn])
        if match.same_person:
            edges.append((-match.weight, a.urn, b.urn))
    group_of: dict[str, tuple[ResumeCard, ...]] = {c.urn: (c,) for c in items}
    for _, urn_a, urn_b in sorted(edges):
        ga, gb = group_of[urn_a], group_of[urn_b]
        if ga is gb or not _joinable(ga, gb, feats=feats, splits=splits, matches=matches):
            continue
        joined = tuple(sorted(ga + gb, key=lambda c: (c.site.value, c.urn)))
        for card in joined:
            group_of[card.urn] = joined
    groups = {id(g): g for g in group_of.values()}.values()
    return sorted((MergedCard(g) for g in groups), key=lambda m: min(m.urns))


class TwinsFinder:
    """Which cards are the same person as one of `cards` (from another site).

    Two steps, so a buffer of many cards is checked cheaply: `may_match`
    says from a card's strong fields (`strong_fields`) whether it shares a
    block key with one of `cards`; only then is the card itself compared
    (calling the finder)."""

    def __init__(self, cards: Iterable[ResumeCard], *, today: date) -> None:
        self._today = today
        self._index: dict[tuple, list[tuple[ResumeCard, Features]]] = {}
        for card in cards:
            feat = features(card, today)
            for key in block_keys(strong_fields(card)):
                self._index.setdefault(key, []).append((card, feat))

    def may_match(self, strong: tuple | list) -> bool:
        return not self._index.keys().isdisjoint(block_keys(strong))

    def __call__(self, candidate: ResumeCard, strong: tuple | list | None = None) -> bool:
        """Whether `candidate` (whose `strong_fields` are `strong`, computed
        when not given) is the same person as one of the cards."""
        feat = features(candidate, self._today)
        keys = block_keys(strong_fields(candidate) if strong is None else strong)
        return any(
            other.site != candidate.site and compare_features(feat, other_feat).same_person
            for key in keys
            for other, other_feat in self._index.get(key, ())
        )


def _candidate_pairs(
    items: list[ResumeCard], feats: dict[str, Features]
) -> list[tuple[ResumeCard, ResumeCard]]:
    """Pairs (in URN order) sharing two strong fields: the only ones that can match."""
    # Per block key, the card indexes of each site: only cross-site pairs.
    buckets: dict[tuple, dict[str, list[int]]] = {}
    for i, card in enumerate(items):
        site = card.site.value
        for key in feats[card.urn].block_keys():
            buckets.setdefault(key, {}).setdefault(site, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for by_site in buckets.values():
        if len(by_site) < 2:
            continue
        lists = list(by_site.values())
        for n, left in enumerate(lists):
            for right in lists[n + 1 :]:
                pairs.update((i, j) if i < j else (j, i) for i in left for j in right)
    # `items` is in URN order, so index order is URN order.
    return [(items[i], items[j]) for i, j in sorted(pairs)]


def _joinable(
    ga: tuple[ResumeCard, ...],
    gb: tuple[ResumeCard, ...],
    *,
    feats: dict[str, Features],
    splits: frozenset[frozenset[str]],
    matches: dict[tuple[str, str], Match],
) -> bool:
    if {c.site for c in ga} & {c.site for c in gb}:
        return False
    for a in ga:
        for b in gb:
            if splits and split_key(a.urn, b.urn) in splits:
                return False
            low, high = (a.urn, b.urn) if a.urn < b.urn else (b.urn, a.urn)
            match = matches.get((low, high))
            if match is None:
                match = compare_features(feats[low], feats[high])
            if match.conflicting:
                return False
    return True


def _canonical(card: ResumeCard) -> tuple:
    # Of two cards with one URN keep the most informative, deterministically.
    return (
        card.urn,
        not card.contacts_open,
        -card.updated_at.timestamp(),
        card.title or "",
        card.rank,
    )
