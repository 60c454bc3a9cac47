"""The interface to subsystems where candidates are taken into work.

amoCRM (a lead with a contact) and Yandex Tracker (an issue in a queue) both
speak this Protocol, so the services never branch on vendor details.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Candidate:
    """What we tell a subsystem about a candidate."""

    urn: str
    full_name: str
    resume_url: str
    title: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    @property
    def first_last(self) -> tuple[str, str]:
        # Russian resumes put the surname first ("Иванов Иван"); amoCRM wants
        # first and last name separately.
        parts = self.full_name.split()
        if len(parts) >= 2:
            return parts[1], parts[0]
        return self.full_name, ""


@dataclass(frozen=True)
class Stage:
    id: int
    name: str
    is_closed: bool = False


@dataclass(frozen=True)
class Pipeline:
    id: int
    name: str
    is_main: bool
    stages: tuple[Stage, ...] = ()

    def stage(self, stage_id: int) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


@dataclass(frozen=True)
class Queue:
    key: str
    name: str


@dataclass(frozen=True)
class ExternalApplication:
    """An application as the subsystem reports it.

    `status` is the raw status (amoCRM `<pipeline>:<status id>`, Tracker the
    status key); `is_closed` is the subsystem's own verdict (amoCRM 142/143,
    Tracker a resolution or a closed status key).
    """

    id: str
    status: str
    status_display: str = ""
    is_closed: bool = False
    contact_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ContactCard:
    id: int
    name: str | None  # None when the contact has no name (never "")
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class CreateParams:
    """Where to create: amoCRM pipeline + stage, or a Tracker queue."""

    pipeline_id: int | None = None
    status_id: int | None = None
    queue: str = ""
    extra: dict = field(default_factory=dict)


class SubsystemAdapter(Protocol):
    """One subsystem account. Every method raises core.errors.ServiceError."""

    batch_size: int

    def create(
        self, *, candidate: Candidate, params: CreateParams, marker: str
    ) -> ExternalApplication:
        """Create the application, tagged with `marker` so `find()` sees it again."""

    def find(self, *, marker: str) -> ExternalApplication | None:
        """The application created with `marker`, or None when there is none."""

    def statuses(self, *, ids: Iterable[str]) -> dict[str, ExternalApplication]:
        """Current state of at most `batch_size` applications; missing ids are absent."""
