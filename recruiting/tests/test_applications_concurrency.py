"""Exactly once under real concurrency: threads, PostgreSQL, the emulators over HTTP."""

from __future__ import annotations

from functools import partial

import pytest

from core import errors
from core.models import User
from core.tests.concurrency import at_once
from recruiting.models import Application
from recruiting.services.applications import application_create
from recruiting.services.subsystems import connection_catalogue_refresh
from recruiting.tests.applications_support import candidate
from sandbox.subsystem_models import AmoLead, TrackerIssue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(users: list[User], subsystem: str) -> tuple[list, list]:
    return at_once(
        [
            partial(application_create, recruiter=user, candidate=candidate(), subsystem=subsystem)
            for user in users
        ],
        expected=errors.AlreadyExists,
    )


def recruiters(organization, n: int) -> list[User]:
    return [User.objects.create_user(username=f"r{i}", organization=organization) for i in range(n)]


@pytest.mark.parametrize("subsystem", ["tracker", "amocrm"])
def test_recruiters_clicking_at_once_create_exactly_one(organization, amo, tracker, subsystem):
    connection_catalogue_refresh(connection=amo if subsystem == "amocrm" else tracker)
    results, failures = race(recruiters(organization, THREADS), subsystem)
    assert len(results) == 1 and len(failures) == THREADS - 1
    assert Application.objects.filter(status="open").count() == 1
    external = AmoLead.objects.count() if subsystem == "amocrm" else TrackerIssue.objects.count()
    assert external == 1


def test_one_recruiter_double_clicking_creates_one(organization, recruiter, tracker):
    connection_catalogue_refresh(connection=tracker)
    results, failures = race([recruiter] * 4, "tracker")
    assert TrackerIssue.objects.count() == 1
    assert {a.pk for a in results} == {Application.objects.get().pk}
    assert all(any(w in f.message for w in ("right now", "прямо сейчас")) for f in failures)
