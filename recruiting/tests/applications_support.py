"""Fixtures shared by the application flow tests (imported by name)."""

from __future__ import annotations

import pytest

from core.models import User
from recruiting.adapters.subsystem_base import Candidate
from recruiting.models import Subsystem, SubsystemConnection


def candidate(urn: str = "urn:hh:abc123", name: str = "Иванов Иван") -> Candidate:
    return Candidate(
        urn=urn,
        full_name=name,
        resume_url=f"https://hh.ru/resume/{urn.rsplit(':', 1)[1]}",
        title="Python-разработчик",
        phones=("+79991234567",),
        emails=("ivan@example.com",),
    )


@pytest.fixture
def emulators(settings, sandbox_url):
    """Point both subsystems at the emulators on the live server."""
    settings.AMOCRM_URL_TEMPLATE = f"{sandbox_url}/amocrm/{{subdomain}}"
    settings.TRACKER_API_URL = f"{sandbox_url}/tracker"
    settings.HTTP_READ_TIMEOUT = 5.0
    return sandbox_url


@pytest.fixture
def amo(organization, emulators) -> SubsystemConnection:
    return SubsystemConnection.objects.create(
        organization=organization,
        subsystem=Subsystem.AMOCRM,
        account="acme",
        access_token="long-lived-token",
        pipeline_id=7000001,
        status_id=7000011,
    )


@pytest.fixture
def tracker(organization, emulators) -> SubsystemConnection:
    return SubsystemConnection.objects.create(
        organization=organization,
        subsystem=Subsystem.TRACKER,
        account="org-acme",
        access_token="y0_token",
        queues="HIRE,DEV",
    )


@pytest.fixture
def colleague(organization) -> User:
    return User.objects.create_user(
        username="boris", first_name="Борис", last_name="Котов", organization=organization
    )
