"""Hostile input to the JSON API: a gRPC-style error with a 4xx status, never a 500."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.api.parsers import json_depth
from core.tests.api_support import assert_is_error_body, csrf_headers

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search"
CONTACTS = "/api/v1/resumes/urn:hh:123/contacts"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _post(client, url, body: bytes, content_type="application/json"):
    return client.generic("POST", url, body, content_type, **csrf_headers(client))


def test_deeply_nested_body_is_invalid_argument(recruiter_api_client):
    body = b"[" * 5000 + b"]" * 5000
    response = _post(recruiter_api_client, SEARCH, body)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT"
    assert response.json()["details"]["reason"] == "too_deep"


def test_deeply_nested_object_body_is_invalid_argument(recruiter_api_client):
    body = b'{"a":' * 5000 + b"1" + b"}" * 5000
    response = _post(recruiter_api_client, SEARCH, body)
    assert response.status_code == 400


def test_brackets_inside_strings_are_no_nesting(recruiter_api_client):
    body = b'{"query": "' + b"[" * 5000 + b'"}'
    response = _post(recruiter_api_client, SEARCH, body)
    assert response.status_code != 500
    assert response.json().get("details", {}).get("reason") != "too_deep"


def test_a_string_never_closed_hides_the_brackets_after_it():
    """As the decoder reads them: inside the string, so no nesting."""
    assert json_depth('{"query": "[[[[', limit=2) == 1
    assert json_depth('["x\\\\", ["y"]]', limit=9) == 2  # a string ending in a backslash


def test_a_body_of_escaped_quotes_is_a_parse_error(recruiter_api_client):
    """Each escaped quote started a new scan to the end of the body: 40 KB of
    them held the worker for seconds, the 1 MB allowed for about an hour."""
    body = b'"' + b'\\"' * 20_000
    response = _post(recruiter_api_client, SEARCH, body)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT"


@pytest.fixture
def unchecked_client(recruiter) -> APIClient:
    """A recruiter's client that does not run the schema check: it reads the
    whole body, which Django refuses past DATA_UPLOAD_MAX_MEMORY_SIZE."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(recruiter)
    return client


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_body_over_the_limit_is_resource_exhausted_413(unchecked_client, api_schema, content_type):
    body = b'{"query": "' + b"a" * 3_000_000 + b'"}'  # over Django's 2.5 MB too
    response = _post(unchecked_client, SEARCH, body, content_type)
    assert response.status_code == 413
    assert_is_error_body(response.json())
    assert response.json()["code"] == "RESOURCE_EXHAUSTED"
    assert response.json()["details"]["reason"] == "body_too_large"
    assert "413" in api_schema["paths"][SEARCH]["post"]["responses"]


def test_body_over_the_setting_is_refused(recruiter_api_client, settings):
    settings.API_MAX_BODY_BYTES = 100
    response = _post(recruiter_api_client, SEARCH, b'{"query": "' + b"a" * 200 + b'"}')
    assert response.status_code == 413


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/api/v1/me", {"GET", "HEAD", "OPTIONS"}),
        ("/api/v1/sites", {"GET", "HEAD", "OPTIONS"}),
        (SEARCH, {"POST", "OPTIONS"}),
        ("/api/v1/applications", {"GET", "HEAD", "OPTIONS"}),
        (CONTACTS, {"POST", "OPTIONS"}),
    ],
)
def test_undeclared_method_is_405_unimplemented_with_allow(
    recruiter_api_client, method, url, allowed
):
    response = recruiter_api_client.generic(method, url, **csrf_headers(recruiter_api_client))
    assert response.status_code == 405
    assert response.json()["code"] == "UNIMPLEMENTED"
    assert set(response["Allow"].replace(" ", "").split(",")) >= allowed - {"HEAD"}


def test_schema_documents_405_on_every_operation(api_schema):
    for item in api_schema["paths"].values():
        for operation in item.values():
            assert "405" in operation["responses"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/applications", {"status": ""}),
        ("/api/v1/applications", {"status": "nope"}),
        ("/api/v1/applications", {"state": ""}),
        ("/api/v1/applications", {"subsystem": ""}),
        ("/api/v1/applications", {"scope": ""}),
        ("/api/v1/resumes/urn:hh:123/applications", {"status": ""}),
    ],
)
def test_enum_parameter_outside_the_schema_enum_is_invalid_argument(
    recruiter_api_client, url, params
):
    response = recruiter_api_client.get(url, params)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT"
