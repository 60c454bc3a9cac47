"""The SuperJob emulator's error bodies in the envelope SuperJob documents.

SuperJob publishes one error body shape, the block answers of api.superjob.ru
/client/ (recruiting/tests/fixtures/superjob/vendor/, sources in its
SOURCES.md); no documented example exists for its search, resume, token or
user answers, so only errors are compared here.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from sandbox.emulators import oauth
from sandbox.models import OAuthToken
from sandbox.tests.shapes import VENDOR_FIXTURES, shape_problems

pytestmark = pytest.mark.django_db
ENVELOPE = json.loads(
    (VENDOR_FIXTURES / "superjob" / "vendor" / "docs_error_client_blocked.json").read_text()
)


def call(client, path: str, token: str = "", **params):
    token = token or oauth.issue("superjob", timedelta(hours=1)).access_token
    return client.get(
        f"/sandbox/superjob/2.0/{path}",
        params,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_API_APP_ID=django_settings.SUPERJOB_CLIENT_SECRET,
    )


def assert_enveloped(answer, status: int) -> None:
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert shape_problems(body, ENVELOPE) == []
    assert sorted(body["error"]) == sorted(ENVELOPE["error"])
    assert body["error"]["code"] == status
    assert all(sorted(e) == ["reason", "reason_text"] for e in body["error"]["errors"])


def test_bad_token_is_a_401_in_the_documented_envelope(client):
    assert_enveloped(call(client, "resumes/", token="nope"), 401)


def test_expired_token_is_a_410_in_the_documented_envelope(client):
    row = oauth.issue("superjob", timedelta(hours=1))
    OAuthToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_enveloped(call(client, "user/current/", token=row.access_token), 410)


def test_unknown_resume_is_a_404_in_the_documented_envelope(client):
    assert_enveloped(call(client, "resumes/1/"), 404)


def test_token_errors_are_400s_in_the_documented_envelope(client):
    answer = client.get(
        "/sandbox/superjob/2.0/oauth2/refresh_token/",
        {"refresh_token": "x", "client_id": "wrong", "client_secret": "wrong"},
        HTTP_X_API_APP_ID=django_settings.SUPERJOB_CLIENT_SECRET,
    )
    assert_enveloped(answer, 400)
