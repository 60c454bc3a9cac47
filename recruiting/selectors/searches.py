"""Reads behind the search pages: what a page needs to know before it is
built, the search session a cursor points at, and the cards of served pages."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import BooleanField, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core import errors
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
    call from the recruiter's and their organization's own rows, never kept."""
    rows: list[Any] = list(
        Token.objects.filter(recruiter_id=recruiter.pk).annotate(**_flags(recruiter))
    )
    tokens = {JobSite(t.job_site): t for t in rows}
    if not rows:
        return SearchReads(tokens)
    return _reads(tokens, rows[0])  # the annotations are the same on every row


def search_session(*, recruiter: User, session_id: int) -> tuple[SearchSession, SearchReads] | None:
    """The recruiter's unexpired search session `session_id` with the flags of
    `SearchReads`, in one query; None when there is none.

    The connections are read as well only when one of them needs a reconnect
    (the page marks that site failed at once); otherwise `tokens` is None.
    The query is SQL written once from the models' names (`_session_sql`):
    every next page starts with it, and the ORM built it, four subqueries
    and all, anew each time, which was half of the read's cost."""
    org = recruiter.organization_id
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [recruiter.pk, org, org, recruiter.pk, Token.Status.RECONNECT.value]
    rows = SearchSession.objects.raw(
        _session_sql(connection.vendor), [*params, session_id, recruiter.pk, now]
    )
    session: Any = next(iter(rows), None)
    if session is None:
        return None
    tokens = tokens_for(recruiter=recruiter) if session.needs_reconnect else None
    return session, _reads(tokens, session)


@functools.cache
def _session_sql(vendor: str) -> str:
    """The query of `search_session` (per database vendor: names are quoted
    its way). Parameters: the recruiter, their organization twice, the
    recruiter, Token.Status.RECONNECT, then the session id, the recruiter
    and the time now."""
    quote = connection.ops.quote_name
    flags = {
        "has_splits": _exists_sql(MergeSplit, "recruiter"),
        "has_known": _exists_sql(KnownContact, "organization"),
        "has_applications": _exists_sql(Application, "organization"),
        "needs_reconnect": _exists_sql(Token, "recruiter", "status"),
    }
    selected = [quote(_column(SearchSession, f.name)) for f in SearchSession._meta.concrete_fields]
    selected += [f"{sql} AS {quote(name)}" for name, sql in flags.items()]
    where = [
        f"{quote(_column(SearchSession, name))} {op} %s"
        for name, op in (("id", "="), ("recruiter", "="), ("expires_at", ">"))
    ]
    table = quote(SearchSession._meta.db_table)
    return f"SELECT {', '.join(selected)} FROM {table} WHERE {' AND '.join(where)}"  # noqa: S608 - names from models


def _flags(recruiter: User) -> dict[str, Any]:
    org = recruiter.organization_id
    none = Value(False, output_field=BooleanField())
    return {
        "has_splits": _any_row(MergeSplit, "recruiter", recruiter.pk),
        "has_known": none if org is None else _any_row(KnownContact, "organization", org),
        "has_applications": none if org is None else _any_row(Application, "organization", org),
    }


def _reads(tokens: dict[JobSite, Token] | None, row: Any) -> SearchReads:
    # bool(): a raw query gives SQLite's 0 and 1 as they are.
    return SearchReads(
        tokens, bool(row.has_splits), bool(row.has_known), bool(row.has_applications)
    )


def _any_row(model: type[models.Model], field: str, value: int) -> RawSQL:
    """Whether `model` has a row whose foreign key `field` is `value`.

    Written as SQL: this runs on every search page, and the ORM's `Exists`
    compiles a subquery each time (three of them cost more than the rest
    of the query)."""
    return RawSQL(_exists_sql(model, field), (value,), output_field=BooleanField())


def _exists_sql(model: type[models.Model], *fields: str) -> str:
    """Whether `model` has a row whose `fields` equal the parameters, in
    order; table and column names come from the model."""
    quote = connection.ops.quote_name
    where = " AND ".join(f"{quote(_column(model, name))} = %s" for name in fields)
    return f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} WHERE {where})"  # noqa: S608 - names from models


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


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
