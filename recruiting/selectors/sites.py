"""Reads about the recruiter's job-site connections and search preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from recruiting.adapters.base import JobSite
from recruiting.merge import split_key
from recruiting.models import MergeSplit, Token
from recruiting.ranking import SITE_ORDER
from recruiting.site_errors import reconnect_message


@dataclass(frozen=True)
class SiteConnection:
    site: JobSite
    state: str  # "not_connected" | "connected" | "expired" | "reconnect"
    valid_until: datetime | None = None
    detail: str = ""  # plain words for the recruiter (the site's own answer stays in the admin)


def job_sites_overview(*, recruiter) -> list[SiteConnection]:
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


def tokens_for(*, recruiter) -> dict[JobSite, Token]:
    return {JobSite(t.job_site): t for t in Token.objects.filter(recruiter=recruiter)}


def merge_splits(*, recruiter) -> frozenset[frozenset[str]]:
    """Pairs of URNs the recruiter said are different people."""
    rows = MergeSplit.objects.filter(recruiter=recruiter).values_list("urn_a", "urn_b")
    return frozenset(split_key(a, b) for a, b in rows)
