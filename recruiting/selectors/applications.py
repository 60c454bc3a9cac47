"""Reads about applications for pages and the API (search cards, resume page,
the take-into-work form)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from core.models import Organization
from recruiting.application_list import external_url
from recruiting.models import Application, Subsystem, SubsystemConnection

# Which application a card shows when a resume has several: an active one
# first, then the most recent.
_RANK: dict[str, int] = {
    Application.Status.OPEN: 0,
    Application.Status.PENDING: 1,
    Application.Status.CLOSED: 2,
}


@dataclass(frozen=True)
class ApplicationInfo:
    resume_urn: str
    subsystem: str
    subsystem_label: str
    application_id: str
    status: str  # pending | open | closed
    status_label: str
    recruiter: str
    is_deleted_externally: bool
    created_at: datetime
    external_url: str = ""  # the deal / issue in the subsystem's web interface

    @property
    def is_active(self) -> bool:
        return self.status in (Application.Status.PENDING, Application.Status.OPEN)


def applications_for_urns(
    organization: Organization | int, urns: Iterable[str]
) -> dict[str, ApplicationInfo]:
    """The application each resume card shows: status and who took it.

    Only `organization`'s applications; one query for the whole page.
    """
    urns = list(dict.fromkeys(urns))
    if not urns:
        return {}
    rows = (
        Application.objects.for_organization(organization)
        .filter(resume_urn__in=urns)
        .exclude(status=Application.Status.ABANDONED)
        .select_related("recruiter", "connection")
        .order_by("-created_at")
    )
    best: dict[str, Application] = {}
    for app in rows:
        current = best.get(app.resume_urn)
        if current is None or _RANK[app.status] < _RANK[current.status]:
            best[app.resume_urn] = app
    return {urn: _info(app) for urn, app in best.items()}


def card_application(
    applications: Mapping[str, ApplicationInfo], urns: Iterable[str]
) -> ApplicationInfo | None:
    """The application a card of several resumes (`urns`) shows.

    The rule for one resume, over all the card's: an active one on any of
    them first (open before being created), then the most recent; a closed
    application of one resume never hides an open one of another.
    """
    shown = [applications[u] for u in urns if u in applications]
    return min(shown, key=lambda a: (_RANK[a.status], -a.created_at.timestamp()), default=None)


def _info(app: Application) -> ApplicationInfo:
    return ApplicationInfo(
        resume_urn=app.resume_urn,
        subsystem=app.subsystem,
        subsystem_label=str(app.get_subsystem_display()),
        application_id=app.application_id,
        status=app.status,
        status_label=str(app.status_label),
        recruiter=app.recruiter.get_full_name() or app.recruiter.get_username(),
        is_deleted_externally=app.is_deleted_externally,
        created_at=app.created_at,
        external_url=external_url(app),
    )


def subsystem_choices(organization: Organization | int) -> list[SubsystemConnection]:
    """Active connections with their catalogues, for the take-into-work form."""
    return list(
        SubsystemConnection.objects.for_organization(organization)
        .filter(is_active=True)
        .order_by("subsystem")
    )


def applications_list(
    organization: Organization | int,
    *,
    status: str | None = None,
    urn: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[ApplicationInfo]]:
    """(total, one page) of `organization`'s applications, newest first.

    Filtered by `status` (pending | open | closed) and resume `urn` when given;
    never another organization's rows.
    """
    rows = Application.objects.for_organization(organization)
    if status:
        rows = rows.filter(status=status)
    if urn:
        rows = rows.filter(resume_urn=urn)
    total = rows.count()
    page = rows.select_related("recruiter", "connection").order_by("-created_at", "-pk")[
        offset : offset + limit
    ]
    return total, [_info(app) for app in page]


def application_info(app: Application) -> ApplicationInfo:
    """One application as the API and pages show it."""
    return _info(app)


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
