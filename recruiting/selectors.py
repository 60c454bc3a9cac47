"""Reads that feed the recruiting pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from recruiting.adapters.base import JobSite
from recruiting.merge import split_key
from recruiting.models import MergeSplit, Subsystem, Token
from recruiting.ranking import SITE_ORDER
from recruiting.services.application_selectors import (
    ApplicationInfo,
    applications_for_urns,
    subsystem_choices,
)


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
            detail = _("Access to %(site)s has expired. Reconnect it on the Job sites page.") % {
                "site": site.label
            }
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


def application_statuses(*, organization, urns: Iterable[str]) -> dict[str, ApplicationInfo]:
    """Current application (status, who took it) per resume URN, for the cards.

    Only `organization`'s applications; empty without an organization.
    """
    if organization is None:
        return {}
    return applications_for_urns(organization, urns)


@dataclass(frozen=True)
class SubsystemOption:
    """A configured subsystem and the targets the take-into-work form offers.

    `targets` are (value, label): "<pipeline>:<stage>" for amoCRM ("" is the
    connection's default), queue keys for Tracker.
    """

    subsystem: str
    label: str
    targets: tuple[tuple[str, str], ...]


def subsystem_options(*, organization) -> list[SubsystemOption]:
    """Only the organization's active connections; nothing without an organization."""
    if organization is None:
        return []
    options = []
    for connection in subsystem_choices(organization):
        if connection.subsystem == Subsystem.TRACKER:
            names = {q["key"]: q["name"] for q in connection.catalogue.get("queues", [])}
            targets = tuple(
                (key, f"{key} · {names[key]}" if key in names else key)
                for key in connection.queue_keys
            )
        else:
            targets = (("", str(_("default pipeline and stage"))),) + tuple(
                (f"{p['id']}:{s['id']}", f"{p['name']}: {s['name']}")
                for p in connection.catalogue.get("pipelines", [])
                for s in p["stages"]
                if not s["is_closed"]
            )
        options.append(
            SubsystemOption(connection.subsystem, str(connection.get_subsystem_display()), targets)
        )
    return options
