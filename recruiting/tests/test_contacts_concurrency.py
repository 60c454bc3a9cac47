"""Contacts open exactly once under real concurrency: threads, PostgreSQL, HTTP."""

from __future__ import annotations

import logging
from functools import partial

import pytest

from core.tests.concurrency import at_once
from recruiting.models import Resume
from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn, sj_urn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 10


@pytest.mark.parametrize(("system", "pick"), [("hh", hh_urn), ("superjob", sj_urn)])
def test_ten_requests_at_once_open_contacts_once(
    emulators, client, organization, recruiter, system, pick, caplog
):
    client.force_login(recruiter)
    connect(client, "hh" if system == "hh" else "sj")
    urn = pick()
    caplog.set_level(logging.INFO, logger="core.http")
    results, failures = at_once([partial(contacts_open, recruiter=recruiter, urn=urn)] * REQUESTS)
    assert failures == [] and len(results) == REQUESTS
    assert len({(r.name, r.phones) for r in results}) == 1
    assert charged(system, urn) == 1
    assert Resume.objects.filter(urn=urn).count() == 1
    # One caller reached the site: hh.ru is read once (hidden fields and the
    # fresh one-time link), then the link is called; SuperJob once.
    resume_id = urn.rsplit(":", 1)[1]
    calls = [r for r in caplog.records if f"/resumes/{resume_id}" in r.getMessage()]
    assert len(calls) == (2 if system == "hh" else 1)
