"""The recruiter's workspace: the organization's applications as a filtered list.

Reads only (the "Мои кандидаты" page, its CSV export). Names come from the
organization's opened contacts, which are encrypted at rest: the text filter
decrypts the names of the organization's taken resumes in Python, which is
bounded by how many candidates one organization has taken into work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse

from core.models import User
from recruiting.models import Application, KnownContact, Resume, Subsystem

PAGE_SIZE = 25
_SITE_LABELS = {"hh": "hh.ru", "sj": "SuperJob"}


@dataclass(frozen=True)
class ApplicationFilter:
    """What the list shows. `scope`: "mine" | "organization"; `state`: "" | "open" | "closed"."""

    scope: str = "organization"
    state: str = ""
    subsystem: str = ""
    text: str = ""


@dataclass(frozen=True)
class ResumeLink:
    urn: str
    site: str  # "hh.ru", "SuperJob"
    url: str  # our resume page


@dataclass(frozen=True)
class ApplicationRow:
    pk: int
    name: str  # "" while no contacts are known
    resumes: tuple[ResumeLink, ...]
    subsystem: str
    subsystem_label: str
    application_id: str
    status: str
    status_label: str
    is_active: bool
    recruiter: str
    taken_at: datetime
    polled_at: datetime | None
    external_url: str  # the deal / issue in the subsystem; "" before it exists


def applications_filtered(*, recruiter: User, filters: ApplicationFilter) -> QuerySet[Application]:
    """The recruiter's organization's applications matching `filters`, newest first.

    Never another organization's rows; none without an organization.
    Abandoned claims (the create never reached the subsystem) are not shown.
    """
    if recruiter.organization_id is None:
        return Application.objects.none()
    rows = Application.objects.for_organization(recruiter.organization_id).exclude(
        status=Application.Status.ABANDONED
    )
    if filters.scope == "mine":
        rows = rows.filter(recruiter=recruiter)
    if filters.state == "open":
        rows = rows.filter(status__in=[Application.Status.PENDING, Application.Status.OPEN])
    elif filters.state == "closed":
        rows = rows.filter(status=Application.Status.CLOSED)
    if filters.subsystem in Subsystem.values:
        rows = rows.filter(subsystem=filters.subsystem)
    if filters.text.strip():
        rows = rows.filter(
            resume_urn__in=_urns_named(recruiter.organization_id, rows, filters.text)
        )
    return rows.select_related("recruiter", "connection").order_by("-created_at", "-pk")


def applications_page(
    *, recruiter: User, filters: ApplicationFilter, page: str | int | None
) -> Page:
    """One page of `applications_filtered`; `page.object_list` holds ApplicationRows."""
    paginator = Paginator(applications_filtered(recruiter=recruiter, filters=filters), PAGE_SIZE)
    current = paginator.get_page(page)
    rows = application_rows(recruiter.organization_id, list(current.object_list))
    current.object_list = rows  # type: ignore[assignment]  # the page shows rows, not models
    return current


def application_rows(organization_id: int | None, apps: list[Application]) -> list[ApplicationRow]:
    """The rows as pages show them: names from the opened contacts, links per site."""
    urns = {urn for app in apps for urn in _card_urns(app)}
    names = candidate_names(organization_id, urns)
    return [_row(app, names) for app in apps]


def candidate_names(organization_id: int | None, urns: Iterable[str]) -> dict[str, str]:
    """The candidate's name per URN, from opened contacts, else from a subsystem's."""
    urns = list(urns)
    if organization_id is None or not urns:
        return {}
    names = {
        row.resume_urn: row.contacts.get("name") or ""
        for row in KnownContact.objects.for_organization(organization_id).filter(
            resume_urn__in=urns
        )
    }
    for row in Resume.objects.for_organization(organization_id).filter(urn__in=urns):
        if name := row.contact_data.get("name"):
            names[row.urn] = name
    return {urn: name for urn, name in names.items() if name}


def _urns_named(organization_id: int, rows: QuerySet[Application], text: str) -> list[str]:
    wanted = text.strip().casefold()
    urns = set(rows.values_list("resume_urn", flat=True))
    return [
        urn
        for urn, name in candidate_names(organization_id, urns).items()
        if wanted in name.casefold()
    ]


def _card_urns(app: Application) -> list[str]:
    others = app.params.get("card_urns", []) if isinstance(app.params, dict) else []
    return list(dict.fromkeys([app.resume_urn, *[u for u in others if isinstance(u, str)]]))


def _row(app: Application, names: dict[str, str]) -> ApplicationRow:
    urns = _card_urns(app)
    return ApplicationRow(
        pk=app.pk,
        name=next((names[u] for u in urns if u in names), ""),
        resumes=tuple(_link(u) for u in urns),
        subsystem=app.subsystem,
        subsystem_label=str(app.get_subsystem_display()),
        application_id=app.application_id,
        status=app.status,
        status_label=app.status_label,
        is_active=app.status in (Application.Status.PENDING, Application.Status.OPEN),
        recruiter=app.recruiter.get_full_name() or app.recruiter.get_username(),
        taken_at=app.created_at,
        polled_at=app.polled_at,
        external_url=external_url(app),
    )


def _link(urn: str) -> ResumeLink:
    site = urn.split(":")[1] if urn.count(":") >= 2 else ""
    return ResumeLink(urn, _SITE_LABELS.get(site, site), reverse("recruiting:resume", args=[urn]))


def external_url(app: Application) -> str:
    """The deal (amoCRM) or issue (Tracker) in the subsystem's web interface."""
    if not app.application_id:
        return ""
    if app.subsystem == Subsystem.AMOCRM:
        return settings.AMOCRM_LEAD_URL_TEMPLATE.format(
            subdomain=app.connection.account, id=app.application_id
        )
    return settings.TRACKER_ISSUE_URL_TEMPLATE.format(key=app.application_id)
