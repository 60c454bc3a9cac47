"""The hh emulator's token, /me and error answers in the shape of hh.ru's examples.

The examples are hh.ru's own (recruiting/tests/fixtures/hh/vendor/, sources in
its SOURCES.md): a key the emulator sends that the example lacks, or a value of
another JSON type, is the emulator drifting from the vendor.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from sandbox.emulators import oauth
from sandbox.emulators.hh import VIEW_LIMIT, employer_of
from sandbox.emulators.people import hh_resume_id, people
from sandbox.models import OAuthCode, OAuthToken, ResumeEvent
from sandbox.tests.shapes import VENDOR_FIXTURES, missing_keys, shape_problems

pytestmark = pytest.mark.django_db
HH = VENDOR_FIXTURES / "hh" / "vendor"
CALLBACK = "https://app.example/cb"


def vendor(name: str):
    return json.loads((HH / name).read_text())


def post_token(client, **form):
    return client.post("/sandbox/hh/token", form, HTTP_USER_AGENT="shape-test/1.0")


def code_grant(code: str = "c0de", **extra) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": django_settings.HH_CLIENT_ID,
        "client_secret": django_settings.HH_CLIENT_SECRET,
        "code": code,
        "redirect_uri": CALLBACK,
    } | extra


def get(client, path: str, token: str = "", **params):
    token = token or oauth.issue("hh", timedelta(hours=1)).access_token
    return client.get(
        f"/sandbox/hh/{path}",
        params,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_USER_AGENT="shape-test/1.0",
    )


def assert_like(answer, name: str, status: int) -> None:
    """Same status, no key the example lacks, no key of the example missing."""
    theirs = vendor(name)
    assert answer.status_code == status, answer.content
    assert shape_problems(answer.json(), theirs) == []
    assert sorted(answer.json()) == sorted(theirs)


# --- POST /token -----------------------------------------------------------------------


def test_token_answer_is_the_spec_example_shape(client):
    OAuthCode.objects.create(system="hh", code="c0de", redirect_uri=CALLBACK)
    assert_like(post_token(client, **code_grant()), "openapi_token.json", 200)


def test_unknown_client_is_the_spec_invalid_client_body(client):
    answer = post_token(client, **code_grant(client_secret="wrong"))
    assert_like(answer, "openapi_token_error_invalid_client.json", 400)


def test_unknown_code_is_the_spec_invalid_request_body(client):
    answer = post_token(client, **code_grant("missing"))
    assert_like(answer, "openapi_token_error_account_not_found.json", 400)
    assert answer.json()["error_description"] == "code not found"


def test_early_refresh_is_the_documented_token_not_expired_body(client):
    row = oauth.issue("hh", timedelta(hours=1))
    answer = post_token(client, grant_type="refresh_token", refresh_token=row.refresh_token)
    assert_like(answer, "docs_token_error_not_expired.json", 400)
    assert answer.json() == vendor("docs_token_error_not_expired.json")


def test_unsupported_grant_is_the_spec_body(client):
    answer = post_token(client, grant_type="password")
    assert_like(answer, "openapi_token_error_unsupported_grant_type.json", 400)
    assert answer.json() == vendor("openapi_token_error_unsupported_grant_type.json")


def test_revoking_with_a_bad_token_is_the_spec_oauth_error(client):
    answer = client.delete("/sandbox/hh/token", HTTP_AUTHORIZATION="Bearer nope")
    assert_like(answer, "openapi_error_oauth.json", 403)


# --- /me and errors of the resume calls ------------------------------------------------


def test_me_is_shaped_like_the_documented_one(client):
    ours = get(client, "me").json()
    theirs = vendor("docs_me.json")
    assert shape_problems(ours, theirs) == []
    # `counters` is documented for applicants only.
    assert missing_keys(ours, theirs, [k for k in theirs if k != "counters"]) == []


def test_unknown_resume_is_the_spec_not_found_body(client):
    assert_like(get(client, "resumes/nope"), "openapi_error_not_found.json", 404)


def test_bad_argument_is_the_spec_body(client):
    assert_like(get(client, "resumes", page="x"), "openapi_error_bad_argument.json", 400)


def test_view_limit_is_the_spec_body(client):
    token = oauth.issue("hh", timedelta(hours=1))
    ResumeEvent.objects.bulk_create(
        ResumeEvent(
            system="hh", kind=ResumeEvent.Kind.VIEW, resume_id="r", account=employer_of(token)
        )
        for _ in range(VIEW_LIMIT)
    )
    rid = hh_resume_id(people("hh")[0].index)
    answer = get(client, f"resumes/{rid}", token=token.access_token)
    assert_like(answer, "openapi_error_view_limit.json", 429)


def test_expired_token_is_the_spec_oauth_error(client):
    row = oauth.issue("hh", timedelta(hours=1))
    OAuthToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = get(client, "resumes", token=row.access_token)
    assert_like(answer, "openapi_error_oauth.json", 403)
    assert answer.json()["oauth_error"] == "token-expired"
