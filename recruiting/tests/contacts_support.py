"""Fixtures for the contacts and take-into-work page tests (imported by name)."""

from __future__ import annotations

import pytest

from recruiting.models import Subsystem, SubsystemConnection
from recruiting.tests.conftest import connect
from sandbox.emulators.hh import hides_phones
from sandbox.emulators.people import hh_resume_id, people, sj_resume_id
from sandbox.models import ResumeEvent


@pytest.fixture
def everything(emulators, settings, sandbox_url):
    """Job sites and subsystems all pointing at the emulators."""
    settings.AMOCRM_URL_TEMPLATE = f"{sandbox_url}/amocrm/{{subdomain}}"
    settings.TRACKER_API_URL = f"{sandbox_url}/tracker"
    settings.HTTP_READ_TIMEOUT = 5.0
    settings.SANDBOX_URL = sandbox_url  # the emulators build hh.ru action links from it
    return sandbox_url


@pytest.fixture
def sites(everything, recruiter_client):
    connect(recruiter_client, "hh")
    connect(recruiter_client, "sj")
    return recruiter_client


@pytest.fixture
def tracker(organization, everything) -> SubsystemConnection:
    return SubsystemConnection.objects.create(
        organization=organization,
        subsystem=Subsystem.TRACKER,
        account="org-acme",
        access_token="y0_token",
        queues="HIRE,DEV",
    )


def hh_urn(*, hidden: bool = False, skip: int = 0) -> str:
    """A hh.ru resume whose contacts nobody opened yet."""
    found = [p for p in people("hh") if not p.hh_open and hides_phones(p.index) == hidden]
    return f"urn:hh:{hh_resume_id(found[skip].index)}"


def sj_urn() -> str:
    p = next(p for p in people("superjob") if not p.sj_open)
    return f"urn:sj:{sj_resume_id(p.index)}"


def charged(system: str, urn: str | None = None) -> int:
    rows = ResumeEvent.objects.filter(system=system, kind=ResumeEvent.Kind.CONTACT)
    if urn is not None:
        rows = rows.filter(resume_id=urn.rsplit(":", 1)[1])
    return rows.count()
