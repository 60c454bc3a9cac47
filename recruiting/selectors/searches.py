"""Reads behind the search pages: what a page needs to know before it is
built, the search session a cursor points at, and the cards of served pages."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from core import errors, sqlnames
from core.models import User
from recruiting import cursor as cursors
from recruiting.adapters.base import JobSite, ResumeCard, card_from_dict, make_urn
from recruiting.merge import split_key
from recruiting.models import Application, KnownContact, MergeSplit, SearchSession, Token
from recruiting.selectors.sites import tokens_for


@dataclass(frozen=True)
class SearchReads:
    """The recruiter's connections and whether the rows a search page reads
    next exist at all: a page skips the reads of what does not exist. A flag
    is None when unknown (no row carried it): read then."""

    # None: not read. A page served from the buffers calls no site, so it
    # reads the connections (`tokens_for`) only when a buffer runs out.
    tokens: dict[JobSite, Token] | None
    splits: bool | None = None  # the recruiter's MergeSplit rows
    subsystem_contacts: bool | None = None  # the organization's KnownContact rows
    applications: bool | None = None  # the organization's Application rows


def search_reads(*, recruiter: User) -> SearchReads:
    """`tokens_for` and the flags of `SearchReads`, in one query: computed per
    call from the recruiter's and their organization's own rows, never kept.
    SQL written once, as in `search_session`."""
    sql = _select_sql(connection.vendor, Token, (("recruiter", "="),), _TOKEN_FIELDS)
    params = [*_flag_params(recruiter), recruiter.pk]
    found = sqlnames.rows(Token, _TOKEN_FIELDS, sql, params)
    tokens = {JobSite(t.job_site): t for t, _flags in found}
    if not found:
        return SearchReads(tokens)
    return _reads(tokens, found[0][1])  # the flags are the same on every row


# The refresh token is left unread (deferred): a search needs it only to
# refresh, which reads the row again under its lease, so it is not decrypted
# on every search for nothing.
_TOKEN_FIELDS = tuple(name for name in sqlnames.attnames(Token) if name != "refresh_token")


def search_session(*, recruiter: User, session_id: int) -> tuple[SearchSession, SearchReads] | None:
    """The recruiter's unexpired search session `session_id` with the flags of
    `SearchReads`, in one query; None when there is none.

    The connections are read as well only when one of them needs a reconnect
    (the page marks that site failed at once); otherwise `tokens` is None.
    The query is SQL written once from the models' names (`_select_sql`):
    every next page starts with it, and the ORM built it, four subqueries
    and all, anew each time, which was half of the read's cost."""
    where = (("id", "="), ("recruiter", "="), ("expires_at", ">"))
    sql = _select_sql(connection.vendor, SearchSession, where, reconnect=True)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [*_flag_params(recruiter), recruiter.pk, Token.Status.RECONNECT.value]
    found = sqlnames.rows(
        SearchSession,
        sqlnames.attnames(SearchSession),
        sql,
        [*params, session_id, recruiter.pk, now],
    )
    if not found:
        return None
    session, flags = found[0]
    needs_reconnect = flags[len(_FLAGS)]
    tokens = tokens_for(recruiter=recruiter) if needs_reconnect else None
    return session, _reads(tokens, flags)


# The flags of `SearchReads`: whether the recruiter (or their organization)
# has any row of the model; `_flag_params` gives the values in this order.
_FLAGS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("has_splits", MergeSplit, "recruiter"),
    ("has_known", KnownContact, "organization"),
    ("has_applications", Application, "organization"),
)


def _flag_params(recruiter: User) -> list[Any]:
    # No organization: `organization_id = NULL` holds for no row.
    return [recruiter.pk, recruiter.organization_id, recruiter.organization_id]


def _reads(tokens: dict[JobSite, Token] | None, flags: tuple[Any, ...]) -> SearchReads:
    """`SearchReads` of the `_FLAGS` values selected after a row's fields."""
    # bool(): SQLite gives its 0 and 1 as they are.
    splits, known, applications = (bool(flag) for flag in flags[: len(_FLAGS)])
    return SearchReads(tokens, splits, known, applications)


@functools.cache
def _select_sql(
    vendor: str,
    model: type[models.Model],
    where: tuple[tuple[str, str], ...],
    fields: tuple[str, ...] | None = None,
    *,
    reconnect: bool = False,
) -> str:
    """SELECT of `model`'s `fields` (default: whole rows, `sqlnames.attnames`)
    with the `_FLAGS` (and, with `reconnect`, `needs_reconnect`: whether the
    recruiter has a Token needing one), the rows filtered by `where`
    ((field, operator) pairs). Names come from the models, quoted the
    vendor's way.

    Parameters in order: `_flag_params`, then with `reconnect` the recruiter
    and Token.Status.RECONNECT, then one per `where` pair."""
    flags = {name: _exists_sql(flagged, field) for name, flagged, field in _FLAGS}
    if reconnect:
        flags["needs_reconnect"] = _exists_sql(Token, "recruiter", "status")
    quote = connection.ops.quote_name
    selected = [sqlnames.columns(model, fields or sqlnames.attnames(model))]
    selected += [f"{sql} AS {quote(name)}" for name, sql in flags.items()]
    conditions = " AND ".join(f"{sqlnames.column(model, name)} {op} %s" for name, op in where)
    return f"SELECT {', '.join(selected)} FROM {sqlnames.table(model)} WHERE {conditions}"  # noqa: S608 - names from models


def _exists_sql(model: type[models.Model], *fields: str) -> str:
    """Whether `model` has a row whose `fields` equal the parameters, in order.

    Written as SQL: the ORM's `Exists` compiled a subquery on every search
    page (three of them cost more than the rest of the query)."""
    where = " AND ".join(f"{sqlnames.column(model, name)} = %s" for name in fields)
    return f"EXISTS (SELECT 1 FROM {sqlnames.table(model)} WHERE {where})"  # noqa: S608 - names from models


def merge_splits(*, recruiter: User) -> frozenset[frozenset[str]]:
    """Pairs of URNs the recruiter said are different people."""
    rows = MergeSplit.objects.filter(recruiter=recruiter).values_list("urn_a", "urn_b")
    return frozenset(split_key(a, b) for a, b in rows)


def search_cards(*, recruiter: User, cursor: str, urns: Iterable[str]) -> dict[str, ResumeCard]:
    """The cards of `urns` as the search page `cursor` showed them (what each
    site said in its search answer: contacts open, hidden fields, the opening
    link), by URN; {} for a missing, foreign or expired cursor. Showing what
    an opening costs from these needs no site call (an hh.ru read spends a
    resume view)."""
    if not cursor:
        return {}
    try:
        position = cursors.unpack(
            cursor, recruiter_id=recruiter.pk, max_age=settings.JOBSITE_SEARCH_CURSOR_TTL
        )
    except errors.InvalidArgument:
        return {}
    session = (
        SearchSession.objects.filter(
            pk=position.session_id, recruiter=recruiter, expires_at__gt=timezone.now()
        )
        .only("pages")
        .first()
    )
    if session is None or position.page >= len(session.pages):
        return {}
    wanted = set(urns)
    cards = (card_from_dict(data) for data in session.pages[position.page]["cards"])
    return {card.urn: card for card in cards if card.urn in wanted}


def session_card(*, recruiter: User, urn: str, sessions: int = 5) -> ResumeCard | None:
    """The newest card of `urn` among the recruiter's live search sessions
    (the `sessions` latest), or None. It carries what the site's search answer
    said (the opening link, hidden fields), so an opening need not read the
    resume first."""
    rows = SearchSession.objects.filter(recruiter=recruiter, expires_at__gt=timezone.now())
    for session in rows.order_by("-created_at").only("pages")[:sessions]:
        for page in reversed(session.pages):
            for data in page["cards"]:
                if make_urn(JobSite(data["site"]), data["resume_id"]) == urn:
                    return card_from_dict(data)
    return None
