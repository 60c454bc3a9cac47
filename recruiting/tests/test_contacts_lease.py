"""The opening lease: held while the opening's calls may run, released only by its holder."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from core import errors
from core.models import User
from recruiting.models import Resume
from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def colleague(organization, sites) -> User:
    """A colleague with hh.ru connected (an account of the same employer)."""
    user = User.objects.create_user(username="boris", organization=organization)
    client = Client()
    client.force_login(user)
    connect(client, "hh")
    return user


def in_thread(recruiter: User, urn: str) -> tuple[threading.Thread, list]:
    """contacts_open(recruiter, urn) in a thread; its result or error in the list."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(contacts_open(recruiter=recruiter, urn=urn))
        except errors.ServiceError as exc:
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def claimed(urn: str) -> Resume:
    for _ in range(100):
        row = Resume.objects.filter(urn=urn, opening_until__isnull=False).first()
        if row is not None:
            return row
        time.sleep(0.05)
    raise AssertionError("the opening never took its lease")


def test_a_slow_paid_call_keeps_its_lease_so_a_colleague_pays_nothing(sites, recruiter, colleague):
    """A minute into an opening (a slow site may take that long) the lease
    still holds: the 30-second one ran out, and the colleague paid again."""
    urn = hh_urn()
    set_faults("hh", latency_ms=1500)
    thread, outcome = in_thread(recruiter, urn)
    claimed(urn)
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        with pytest.raises(errors.Unavailable):
            contacts_open(recruiter=colleague, urn=urn, deadline=time.monotonic() + 0.3)
    thread.join(timeout=30)
    assert outcome and outcome[0].phones
    assert charged("hh", urn) == 1


def test_a_failed_opening_releases_its_own_lease_only(sites, recruiter, colleague):
    """An opening whose lease ran out and was taken by a colleague's leaves
    the colleague's lease alone when it fails."""
    urn = hh_urn()
    set_faults("hh", latency_ms=1000, error_rate=1.0, error_status=503)
    thread, outcome = in_thread(recruiter, urn)
    row = claimed(urn)
    theirs = timezone.now() + timedelta(seconds=100)
    Resume.objects.filter(pk=row.pk).update(opening_until=theirs, opened_by=colleague)
    thread.join(timeout=30)
    assert outcome and isinstance(outcome[0], errors.ServiceError)
    row.refresh_from_db()
    assert (row.opening_until, row.opened_by) == (theirs, colleague)
