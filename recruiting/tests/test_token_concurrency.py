"""Concurrent refresh of a single-use hh.ru refresh token (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import partial

import pytest
from django.db import connections
from django.utils import timezone

from core.tests.concurrency import at_once
from recruiting.models import Token
from recruiting.services.tokens import token_access
from recruiting.tests.conftest import connect
from sandbox.models import OAuthToken

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
def test_ten_threads_refresh_an_expired_token_exactly_once(emulators, recruiter_client, recruiter):
    connect(recruiter_client, "hh")
    past = timezone.now() - timedelta(minutes=1)
    OAuthToken.objects.filter(system="hh").update(expires_at=past)
    Token.objects.filter(job_site="hh").update(valid_until=past)
    tokens = [Token.objects.get(recruiter=recruiter, job_site="hh") for _ in range(10)]
    results, failures = at_once([partial(token_access, token=token) for token in tokens])
    assert failures == []
    assert OAuthToken.objects.filter(system="hh").count() == 2  # one refresh at the site
    newest = OAuthToken.objects.filter(system="hh").latest("pk").access_token
    assert results == [newest] * 10
    assert Token.objects.get(job_site="hh").status == Token.Status.ACTIVE


@pytest.mark.postgres
def test_key_rotation_waits_for_a_token_refresh_and_keeps_the_new_token(recruiter):
    import time

    from django.db import transaction

    from core.services import encrypted_fields_rotate

    token = Token.objects.create(
        recruiter=recruiter,
        job_site="hh",
        access_token="old-access",
        refresh_token="old-refresh",
        valid_until=timezone.now() + timedelta(hours=1),
    )
    locked, failures = threading.Event(), []

    def refresh():
        try:
            with transaction.atomic():
                row = Token.objects.select_for_update().get(pk=token.pk)
                locked.set()
                time.sleep(0.5)  # rotation starts meanwhile and must wait
                row.access_token, row.refresh_token = "new-access", "new-refresh"
                row.save(update_fields=["access_token", "refresh_token"])
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=refresh)
    thread.start()
    assert locked.wait(5)
    encrypted_fields_rotate()
    thread.join(10)
    assert not failures
    token.refresh_from_db()
    assert (token.access_token, token.refresh_token) == ("new-access", "new-refresh")
