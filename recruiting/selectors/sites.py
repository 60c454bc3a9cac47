"""Reads about the recruiter's job-site connections, search preferences and
the cards of their search pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
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
from recruiting.messages import reconnect_message
from recruiting.models import Application, KnownContact, MergeSplit, SearchSession, Token
from recruiting.ranking import SITE_ORDER


@dataclass(frozen=True)
class SiteConnection:
    site: JobSite
    state: str  # "not_connected" | "connected" | "expired" | "reconnect"
    valid_until: datetime | None = None
    detail: str = ""  # plain words for the recruiter (the site's own answer stays in the admin)


def job_sites_overview(*, recruiter: User) -> list[SiteConnection]:
    """Every supported site with the recruiter's connection state."""
    tokens = {t.job_site: t for t in Token.objects.filter(recruiter=recruiter)}
    now = timezone.now()
    rows = []
    for site in SITE_ORDER:
        token = tokens.get(site.value)
        if token is None:
            rows.append(SiteConnection(site, "not_connected"))
        elif token.status == Token.Status.RECONNECT:
            # `status_detail` is the site's own answer, kept for the admin.
            detail = reconnect_message(site)
            rows.append(SiteConnection(site, "reconnect", token.valid_until, detail))
        elif token.is_expired(now):
            # Expired access tokens are renewed with the refresh token on use.
            rows.append(SiteConnection(site, "expired", token.valid_until))
        else:
            rows.append(SiteConnection(site, "connected", token.valid_until))
    return rows


def tokens_for(*, recruiter: User) -> dict[JobSite, Token]:
    return {JobSite(t.job_site): t for t in Token.objects.filter(recruiter=recruiter)}


@dataclass(frozen=True)
class SearchReads:
    """The recruiter's connections and whether the rows a search page reads
    next exist at all: a page skips the reads of what does not exist. A flag
    is None when unknown (no connection row carried it): read then."""

    tokens: dict[JobSite, Token]
    splits: bool | None = None  # the recruiter's MergeSplit rows
    subsystem_contacts: bool | None = None  # the organization's KnownContact rows
    applications: bool | None = None  # the organization's Application rows


def search_reads(*, recruiter: User) -> SearchReads:
    """`tokens_for` and the flags of `SearchReads`, in one query: computed per
    call from the recruiter's and their organization's own rows, never kept."""
    org = recruiter.organization_id
    none = Value(False, output_field=BooleanField())
    rows: list[Any] = list(
        Token.objects.filter(recruiter_id=recruiter.pk).annotate(
            has_splits=_any_row(MergeSplit, "recruiter", recruiter.pk),
            has_known=none if org is None else _any_row(KnownContact, "organization", org),
            has_applications=none if org is None else _any_row(Application, "organization", org),
        )
    )
    tokens = {JobSite(t.job_site): t for t in rows}
    if not rows:
        return SearchReads(tokens)
    row = rows[0]  # the annotations are the same on every row
    return SearchReads(tokens, row.has_splits, row.has_known, row.has_applications)


def _any_row(model: type[models.Model], field: str, value: int) -> RawSQL:
    """Whether `model` has a row whose foreign key `field` is `value`.

    Written as SQL: this runs on every search page, and the ORM's `Exists`
    compiles a subquery each time (three of them cost more than the rest
    of the query). Table and column names come from the models."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = model._meta.get_field(field)
    assert isinstance(key, models.ForeignKey)
    column = quote(key.column)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {table} WHERE {column} = %s)",  # noqa: S608 - names from models
        (value,),
        output_field=BooleanField(),
    )


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
