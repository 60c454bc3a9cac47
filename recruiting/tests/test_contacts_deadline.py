"""A contacts request waits for someone else's lease only up to its deadline."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core import errors
from recruiting.models import Resume, Token
from recruiting.services.contacts import contacts_open
from recruiting.tests.conftest import connect
from recruiting.tests.contacts_support import charged, hh_urn

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 0.5


def test_a_colleagues_opening_answers_unavailable_within_the_deadline(
    emulators, client, organization, recruiter, colleague
):
    client.force_login(recruiter)
    connect(client, "hh")
    urn = hh_urn()
    until = timezone.now() + timedelta(seconds=30)
    Resume.objects.create(
        organization=organization, urn=urn, opening_until=until, opened_by=colleague
    )
    started = time.monotonic()
    with pytest.raises(errors.Unavailable):
        contacts_open(recruiter=recruiter, urn=urn, deadline=started + WAIT)
    assert time.monotonic() - started < WAIT + 1  # not the 20 s it waited before
    assert charged("hh", urn) == 0
    assert Resume.objects.get(urn=urn).opened_by == colleague  # their lease stays theirs


def test_another_process_refreshing_the_token_answers_unavailable_within_the_deadline(
    emulators, client, organization, recruiter
):
    client.force_login(recruiter)
    connect(client, "hh")
    urn = hh_urn()
    # The access token expired and another process holds the refresh lease
    # (its refresh is slow): before, the request waited out that lease (~46 s).
    Token.objects.filter(recruiter=recruiter).update(
        valid_until=timezone.now() - timedelta(minutes=1),
        refreshing_until=timezone.now() + timedelta(seconds=60),
    )
    started = time.monotonic()
    with pytest.raises(errors.Unavailable):
        contacts_open(recruiter=recruiter, urn=urn, deadline=started + WAIT)
    assert time.monotonic() - started < WAIT + 1
    assert charged("hh", urn) == 0
    assert Resume.objects.get(urn=urn).opening_until is None  # our own lease is released
