"""Contacts open exactly once under real concurrency: threads, PostgreSQL, HTTP."""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import connection, connections

from core import errors
from core.models import User
from recruiting.models import Resume
from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn, sj_urn

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 10


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the row lock behind the opening lease needs PostgreSQL; SQLite serialises "
            "every write transaction, so this test would prove nothing there"
        )


def race(users: list[User], urn: str) -> tuple[list, list]:
    barrier = threading.Barrier(len(users))
    results, failures = [], []

    def open_(user: User) -> None:
        barrier.wait()
        try:
            results.append(contacts_open(recruiter=user, urn=urn))
        except errors.ServiceError as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, failures


@pytest.mark.parametrize(("system", "pick"), [("hh", hh_urn), ("superjob", sj_urn)])
def test_ten_requests_at_once_open_contacts_once(
    emulators, client, organization, recruiter, system, pick, caplog
):
    client.force_login(recruiter)
    connect(client, "hh" if system == "hh" else "sj")
    urn = pick()
    caplog.set_level(logging.INFO, logger="core.http")
    results, failures = race([recruiter] * REQUESTS, urn)
    assert failures == [] and len(results) == REQUESTS
    assert len({(r.name, r.phones) for r in results}) == 1
    assert charged(system, urn) == 1
    assert Resume.objects.filter(urn=urn).count() == 1
    # One caller reached the site: hh.ru is read once (hidden fields and the
    # fresh one-time link), then the link is called; SuperJob once.
    resume_id = urn.rsplit(":", 1)[1]
    calls = [r for r in caplog.records if f"/resumes/{resume_id}" in r.getMessage()]
    assert len(calls) == (2 if system == "hh" else 1)
