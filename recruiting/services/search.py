"""Searching every connected job site at once.

The first page fans out to all sites in parallel (one thread per site call,
a per-site read timeout and an overall deadline: a hanging site never holds
the page past the deadline). Results are merged and ranked by the pure
functions in `recruiting.merge` / `ranking`; the surplus of each fetch stays
in a server-side `SearchSession` behind a signed, expiring cursor bound to
the recruiter (`recruiting.cursor`), so the next page is served from the
buffers and a site is asked again only when its buffer runs out (the sites
whose buffers ran out in parallel again, under the page's own deadline).
Currency rates for salary order come from the cache and never hold a page
(`recruiting.services.rates`).

Errors: a bad query or cursor raises InvalidArgument; no connected site
raises FailedPrecondition. A failing site never fails the search: its error
is reported in that site's `SiteStatus`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from core import errors, sqlnames
from core.fields import EncryptedItems
from core.models import User
from recruiting import cursor as cursors
from recruiting import messages, selectors
from recruiting.adapters.base import (
    JobSite,
    ResumeCard,
    SearchPage,
    SearchQuery,
)
from recruiting.merge import TwinsFinder, split_key
from recruiting.models import MergeSplit, SearchSession, Token
from recruiting.paging import Pager, Stream
from recruiting.ranking import SITE_ORDER
from recruiting.selectors.contacts import KnownContacts
from recruiting.services.fanout import fan_out, site_fetch
from recruiting.services.rates import currency_rates, currency_rates_fresh
from recruiting.services.search_contacts import search_contacts_store
from recruiting.services.search_query import (
    bad_argument,
    query_dict,
    query_from,
    search_page_size_validate,
    search_query_validate,
)
from recruiting.services.search_result import SearchResult, page_result
from recruiting.services.search_status import SiteStatus, status_dict

logger = logging.getLogger(__name__)


# --- use cases ------------------------------------------------------------------


def search_start(
    *,
    recruiter: User,
    query: SearchQuery,
    page_size: int | None = None,
    today: date | None = None,
) -> SearchResult:
    """Run a new search over every connected site; returns its first page.

    `page_size` (resumes per page, 1..MAX_PAGE_SIZE; default the
    JOBSITE_SEARCH_PAGE_SIZE setting) holds for every page of this search.
    `today` (default: today in TIME_ZONE) dates the merge's age checks.
    """
    today = today or timezone.localdate()
    query = search_query_validate(query)
    page_size = search_page_size_validate(page_size)
    reads = selectors.search_reads(recruiter=recruiter)
    tokens = reads.tokens or {}
    if not tokens:
        raise errors.FailedPrecondition(
            messages.NO_SITE_CONNECTED,
            details={"reason": "no_sites"},
        )
    deadline = time.monotonic() + settings.JOBSITE_SEARCH_DEADLINE
    streams = [Stream(site=site) for site in SITE_ORDER if site in tokens]
    # Never waited for: cached or last known rates (a cold cache queues the
    # rates job).
    rates, fresh = currency_rates()
    # Token work (a refresh, or waiting for another process's) runs inside
    # each site's call: a slow one times out that site alone.
    elapsed: dict[JobSite, float] = {}
    outcome = fan_out(
        {s.site: partial(site_fetch, s.site, 0, tokens, query, deadline) for s in streams},
        deadline,
        elapsed,
    )
    if not fresh:  # a refresh may have finished during the site calls
        rates = currency_rates_fresh() or rates
    pager = Pager(streams=streams, order=query.order, rates=rates)
    fetched: list[ResumeCard] = []
    for stream in streams:
        result = outcome[stream.site]
        _take(pager, stream, result)
        if isinstance(result, SearchPage):
            fetched.extend(result.cards)
    snapshot, cards = _build_page(
        pager, lambda: tokens, query, deadline, fetched, page_size, today, elapsed
    )
    known = _contacts_store(recruiter, reads, fetched, cards)
    now = timezone.now()
    # Expired sessions are deleted by the search_sessions_prune job, not here:
    # a delete on every search cost a statement (and a transaction) per page.
    state, buffers = _stored(pager, snapshot)
    session = SearchSession(
        recruiter=recruiter,
        query=query_dict(query, page_size),
        buffers=buffers,
        state=state,
        pages=[snapshot],
        expires_at=now + timedelta(seconds=settings.JOBSITE_SEARCH_CURSOR_TTL),
    )
    sqlnames.insert(session)  # the ORM's INSERT cost as much as encrypting the state
    return page_result(recruiter, session, 0, today, (cards, known), reads)


def search_page(*, recruiter: User, cursor: str, today: date | None = None) -> SearchResult:
    """The page `cursor` points at: a page served before is repeated exactly;
    the next new page comes from the buffers, fetching only what ran out.

    Raises InvalidArgument for a forged, expired or foreign cursor. `today`
    as in `search_start`.
    """
    today = today or timezone.localdate()
    ttl = settings.JOBSITE_SEARCH_CURSOR_TTL
    position = cursors.unpack(cursor, recruiter_id=recruiter.pk, max_age=ttl)
    found = selectors.search_session(recruiter=recruiter, session_id=position.session_id)
    if found is None:
        raise bad_argument("cursor", messages.SEARCH_EXPIRED)
    session, reads = found
    if position.page < len(session.pages):
        return page_result(recruiter, session, position.page, today, reads=reads)
    if position.page > len(session.pages) or not _has_more(session):
        raise bad_argument("cursor", messages.PAGE_LINK_INVALID)
    return _next_page(recruiter, session, reads, position.page, today)


def merge_split_create(*, recruiter: User, urns: list[str]) -> int:
    """Record that the resumes `urns` (one merged card) are different people.

    Returns how many pairs were recorded. Raises InvalidArgument for fewer
    than two distinct URNs.
    """
    distinct = sorted(set(urns))
    if len(distinct) < 2 or any(not u.startswith("urn:") or len(u) > 100 for u in distinct):
        raise bad_argument("urns", messages.CHOOSE_MERGED_CARD)
    created = 0
    with transaction.atomic():
        for i, a in enumerate(distinct):
            for b in distinct[i + 1 :]:
                _row, new = MergeSplit.objects.get_or_create(recruiter=recruiter, urn_a=a, urn_b=b)
                created += new
    return created


# --- steps ----------------------------------------------------------------------


def _take(pager: Pager, stream: Stream, result: Any) -> None:
    if isinstance(result, SearchPage):
        pager.absorb(stream, result)
        return
    stream.fail(result)
    if isinstance(result, errors.Unauthenticated):
        # `tokens.with_access` marked the connection; no use asking again
        # without a new one.
        stream.exhausted = True


def _build_page(
    pager: Pager,
    tokens: Callable[[], dict[JobSite, Token]],
    query: SearchQuery,
    deadline: float,
    fetched: list[ResumeCard],
    page_size: int,
    today: date,
    elapsed: dict[JobSite, float] | None = None,
) -> tuple[dict[str, Any], list[ResumeCard]]:
    """Take the next page from `pager`, refilling buffers within `deadline`:
    the page as the session stores it, and its cards.

    Empty buffers are refilled in parallel (`fan_out`): a hanging site
    times out alone and never uses up the others' time. `elapsed` collects
    each site's answer time for the page's statuses. A page on which no
    site answered has no next page: the search is to be run again.
    `tokens` gives the recruiter's connections; it is called only when a
    buffer runs out, first in this thread, then in the site calls.
    """
    elapsed = {} if elapsed is None else elapsed

    def fetch(site: JobSite, page: int) -> SearchPage:
        return site_fetch(site, page, tokens(), query, deadline)

    def gather(calls: dict[JobSite, Callable[[], SearchPage]]) -> dict[JobSite, Any]:
        tokens()  # read here, not by each site's thread on its own connection
        results = fan_out(calls, deadline, elapsed)
        for result in results.values():
            if isinstance(result, SearchPage):
                fetched.extend(result.cards)
        return results

    cards = pager.next_page(page_size, fetch, gather=gather)
    # Twins of this page's people already in a buffer join this page, so the
    # merge can show them together (no extra site call).
    cards += pager.pull(TwinsFinder(cards, today=today))
    for stream in pager.streams:
        if isinstance(stream.error, errors.Unauthenticated):
            # No use asking again without a new connection, whether the token
            # was refused (`tokens.with_access` marked it) or the site was
            # disconnected mid-search: otherwise "Next" would fetch empty
            # pages forever.
            stream.exhausted = True
    every_site_failed = not cards and all(s.error is not None for s in pager.streams)
    snapshot = {
        "cards": [c.to_dict() for c in cards],
        "statuses": [status_dict(s, elapsed.get(s.site)) for s in pager.streams],
        "has_more": pager.has_more and not every_site_failed,
    }
    return snapshot, cards


def _contacts_store(
    recruiter: User,
    reads: selectors.SearchReads,
    fetched: list[ResumeCard],
    page: list[ResumeCard],
) -> dict[str, KnownContacts]:
    """Store the fetched cards' contacts; the known contacts of the page's cards."""
    return search_contacts_store(
        organization_id=recruiter.organization_id,
        fetched=fetched,
        page=page,
        subsystem_copies=reads.subsystem_contacts is not False,
    )


def _next_page(
    recruiter: User,
    session: SearchSession,
    reads: selectors.SearchReads,
    number: int,
    today: date,
) -> SearchResult:
    pager = Pager.from_dict({**session.state, "buffers": list(session.buffers)})
    deadline = time.monotonic() + settings.JOBSITE_SEARCH_DEADLINE
    for stream in pager.streams:
        # Token work waits for a refill (in parallel, see _build_page); a
        # connection known to need a reconnect fails its site at once (the
        # session read has the connections only when one needs it).
        token = (reads.tokens or {}).get(stream.site)
        if token is not None and token.status == Token.Status.RECONNECT:
            stream.fail(messages.reconnect_error(stream.site))

    @cache  # read once, and only when a buffer runs out (see _build_page)
    def tokens() -> dict[JobSite, Token]:
        if reads.tokens is not None:
            return reads.tokens
        return selectors.tokens_for(recruiter=recruiter)

    query = query_from(session.query)
    fetched: list[ResumeCard] = []
    page_size = session.query.get("page_size") or settings.JOBSITE_SEARCH_PAGE_SIZE
    snapshot, cards = _build_page(pager, tokens, query, deadline, fetched, page_size, today)
    known = _contacts_store(recruiter, reads, fetched, cards)
    # Only the new page, and a buffer a fetch added to, are encrypted: the
    # rest keep their ciphertexts.
    state, stored_buffers = _stored(pager, snapshot)
    buffers = _items(session.buffers).updated(stored_buffers)
    pages = _items(session.pages).appended(snapshot)
    if _session_advance(session, state, buffers, pages):
        session.state, session.buffers, session.pages = state, buffers, pages
        session.version += 1
    else:  # another request served a page meanwhile: show what it stored
        session.refresh_from_db()
        if number >= len(session.pages):
            raise errors.Unavailable(messages.PAGE_BEING_PREPARED)
        return page_result(recruiter, session, number, today, reads=reads)
    return page_result(recruiter, session, number, today, (cards, known), reads)


def _stored(pager: Pager, snapshot: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The session's state and buffers after the page `snapshot`: the state
    says whether a page follows, so asking for it reads no stored page."""
    state = pager.to_dict()
    buffers = state.pop("buffers")
    state["has_more"] = snapshot["has_more"]
    if settings.JOBSITE_SEARCH_BUFFERS_IN_STATE:  # where an older release reads them
        for stream, buffer in zip(state["streams"], buffers, strict=True):
            stream["buffer"], stream["strong"] = buffer["cards"], buffer["strong"]
    return state, buffers


def _has_more(session: SearchSession) -> bool:
    """Whether a page follows the session's last; state stored by an older
    release says so in its last page only."""
    has_more = session.state.get("has_more")
    return session.pages[-1]["has_more"] if has_more is None else has_more


def _session_advance(
    session: SearchSession, state: dict[str, Any], buffers: EncryptedItems, pages: EncryptedItems
) -> bool:
    """Store `session`'s new state, buffers and pages unless another request
    stored its own since it was read (its `version`); whether this one was.

    SQL written once from the model's names (`_advance_sql`): the ORM built
    this UPDATE anew on every next page, at a third of the page's write."""
    values = []
    for name, value in zip(_ADVANCED, (state, buffers, pages), strict=True):
        field = SearchSession._meta.get_field(name)
        assert isinstance(field, models.Field)
        values.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(_advance_sql(connection.vendor), [*values, session.pk, session.version])
        return cursor.rowcount == 1


_ADVANCED = ("state", "buffers", "pages")


def _items(stored: Any) -> EncryptedItems:
    # A session made in this process holds the plain list it was given.
    return stored if isinstance(stored, EncryptedItems) else EncryptedItems.of(stored)


@cache
def _advance_sql(vendor: str) -> str:
    """Parameters: `_ADVANCED` as stored, then the session's id and version."""
    version = sqlnames.column(SearchSession, "version")
    changed = [f"{sqlnames.column(SearchSession, name)} = %s" for name in _ADVANCED]
    return (
        f"UPDATE {sqlnames.table(SearchSession)} SET {', '.join(changed)},"  # noqa: S608 - names from the model
        f" {version} = {version} + 1"
        f" WHERE {sqlnames.column(SearchSession, 'id')} = %s AND {version} = %s"
    )


__all__ = [
    "SearchResult",
    "SiteStatus",
    "merge_split_create",
    "search_page",
    "search_page_size_validate",
    "search_query_validate",
    "search_start",
    "split_key",
]
