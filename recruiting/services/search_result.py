"""A served search page as the recruiter sees it (`SearchResult`), built from
its search session: the page's cards with the contacts the organization
has, merged and ranked, its sites' statuses, the cursors around it, and the
applications its cards show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.models import User
from recruiting import cursor as cursors
from recruiting import selectors
from recruiting.adapters.base import Money, ResumeCard, SearchQuery, card_from_dict
from recruiting.merge import MergedCard, merge
from recruiting.models import SearchSession
from recruiting.ranking import SITE_ORDER, money_rub, order_page
from recruiting.selectors.applications import ApplicationInfo, card_application
from recruiting.selectors.contacts import KnownContacts, contacts_known
from recruiting.services.rates import rates_for
from recruiting.services.search_contacts import with_known_contacts
from recruiting.services.search_query import query_from
from recruiting.services.search_status import SiteStatus, status_from
from recruiting.services.sites import site_adapter


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    cards: list[MergedCard]
    statuses: list[SiteStatus]
    page: int
    next_cursor: str | None
    prev_cursor: str | None
    cursor: str  # this page, e.g. to come back after splitting a card
    applications: dict[str, ApplicationInfo]  # URN -> current application
    rates: dict[str, float] = field(default_factory=dict)  # the ranking's, roubles per unit

    def items(self) -> list[tuple[MergedCard, ApplicationInfo | None, float | None]]:
        """Cards with the application each shows (`card_application`) and a
        foreign salary in roubles at the rates the salary order used."""
        return [
            (
                card,
                card_application(self.applications, card.urns),
                _foreign_rub(card.salary, self.rates),
            )
            for card in self.cards
        ]

    @property
    def every_site_failed(self) -> bool:
        """No card, and no site answered: an error, not "nothing found"."""
        return not self.cards and all(s.state != "ok" for s in self.statuses)


def _foreign_rub(salary: Money | None, rates: dict[str, float]) -> float | None:
    if salary is None or salary.currency == "RUB":
        return None
    return money_rub(salary, rates)


def page_result(
    recruiter: User,
    session: SearchSession,
    number: int,
    today: date,
    built: tuple[list[ResumeCard], dict[str, KnownContacts]] | None = None,
    reads: selectors.SearchReads | None = None,
) -> SearchResult:
    """Page `number` of `session`. `built`: its cards and their known contacts
    when this request built the page (the stored snapshot holds the same
    cards: not decoded again). `reads`: what this request read already; rows
    it says do not exist are not looked for."""
    snapshot = session.pages[number]
    if built is None:
        page = [card_from_dict(c) for c in snapshot["cards"]]
        known = contacts_known(
            organization_id=recruiter.organization_id,
            urns=[c.urn for c in page],
            subsystem_copies=reads is None or reads.subsystem_contacts is not False,
        )
    else:
        page, known = built
    cards = with_known_contacts(page, known)
    splits: frozenset[frozenset[str]] = frozenset()
    if reads is None or reads.splits is not False:
        splits = selectors.merge_splits(recruiter=recruiter)
    groups = merge(cards, today=today, splits=splits)
    costs = {site: site_adapter(site).contact_cost for site in SITE_ORDER}
    query = query_from(session.query)
    ordered = order_page(groups, emitted=[c.urn for c in cards], costs=costs, order=query.order)
    has_next = number + 1 < len(session.pages) or snapshot["has_more"]

    def link(page: int) -> str:
        return cursors.pack(cursors.Cursor(session.pk, page, recruiter.pk))

    return SearchResult(
        query=query,
        cards=ordered,
        statuses=[status_from(s) for s in snapshot["statuses"]],
        page=number,
        next_cursor=link(number + 1) if has_next else None,
        prev_cursor=link(number - 1) if number > 0 else None,
        cursor=link(number),
        applications=_applications(recruiter, cards, reads),
        rates=rates_for(session.state.get("rates") or {}, _foreign_currencies(cards)),
    )


def _applications(
    recruiter: User, cards: list[ResumeCard], reads: selectors.SearchReads | None
) -> dict[str, ApplicationInfo]:
    if reads is not None and reads.applications is False:
        return {}
    # By id: `recruiter.organization` would load the row (a query per page).
    return selectors.application_statuses(
        organization=recruiter.organization_id, urns=[c.urn for c in cards]
    )


def _foreign_currencies(cards: list[ResumeCard]) -> set[str]:
    return {c.salary.currency for c in cards if c.salary and c.salary.currency != "RUB"}
