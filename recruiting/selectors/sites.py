"""Reads about the recruiter's job-site connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core.models import User
from recruiting.adapters.base import JobSite
from recruiting.messages import reconnect_message
from recruiting.models import Token
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
