"""Ordering of search results across sites. Pure: no I/O.

Two levels (product rules): the stream order decides which resume comes next across
sites (last update and expected salary are comparable across sites, the
salary converted to roubles with the sites' currency dictionaries; relevance
is not, so the sites take turns). Within one page of relevance order, where
no cross-site order exists, cards whose contacts are already open come
first, then the cheaper to open, then the stream order; by date and by
salary the page keeps the stream order, so results are strictly ordered
across pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from recruiting.adapters.base import JobSite, Money, Order, ResumeCard
from recruiting.merge import MergedCard

SITE_ORDER = (JobSite.HH, JobSite.SUPERJOB)


def salary_rub(card: ResumeCard, rates: Mapping[str, float]) -> float | None:
    """Expected salary in roubles; None when absent or its currency has no rate."""
    return money_rub(card.salary, rates)


def money_rub(money: Money | None, rates: Mapping[str, float]) -> float | None:
    """`money` in roubles at `rates` (roubles per unit); None without a rate."""
    if money is None:
        return None
    if money.currency == "RUB":
        return float(money.amount)
    rate = rates.get(money.currency)
    return None if rate is None else money.amount * rate


def stream_key(card: ResumeCard, order: Order, rates: Mapping[str, float]) -> tuple:
    """Sort key of one resume in the cross-site stream (smaller comes first).

    Relevance has no cross-site key: callers alternate sites instead.
    """
    tie = (SITE_ORDER.index(card.site), card.rank, card.urn)
    if order is Order.UPDATED:
        return (-card.updated_at.timestamp(), *tie)
    if order is Order.SALARY:
        rub = salary_rub(card, rates)
        return (rub is None, -(rub or 0.0), *tie)
    return (card.rank, *tie)


def contact_cost(group: MergedCard, costs: Mapping[JobSite, int]) -> int:
    """Cost to open the card's contacts: 0 when open, else the cheapest site."""
    if group.contacts_open:
        return 0
    return min(costs.get(r.site, 0) for r in group.resumes)


def order_page(
    groups: Sequence[MergedCard],
    *,
    emitted: Sequence[str],
    costs: Mapping[JobSite, int],
    order: Order = Order.RELEVANCE,
) -> list[MergedCard]:
    """One page's cards in stream order; under relevance, contacts open
    first, then by cost, then stream order.

    `emitted` lists the page's URNs in stream order; a merged card takes the
    place of its earliest resume.
    """
    position = {urn: i for i, urn in enumerate(emitted)}
    far = len(position)
    if order is Order.SALARY:  # a merged card shows the salary that placed it
        groups = [
            replace(g, lead=min(g.resumes, key=lambda r: position.get(r.urn, far)))
            if len(g.resumes) > 1
            else g
            for g in groups
        ]
    if order is not Order.RELEVANCE:
        return sorted(groups, key=lambda g: (min(position.get(u, far) for u in g.urns), g.key))
    return sorted(
        groups,
        key=lambda g: (
            not g.contacts_open,
            contact_cost(g, costs),
            min(position.get(u, far) for u in g.urns),
            g.key,
        ),
    )
