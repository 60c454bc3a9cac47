"""The API error model: every failure is {"code", "message", "details"} with the gRPC status."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.errors import Code
from core.models import User
from core.tests.api_support import assert_is_error_body, csrf_headers
from core.tests.api_urls import SECRET_TEXT

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.api_urls")]

HTTP_BY_CODE = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "FAILED_PRECONDITION": 400,
    "RESOURCE_EXHAUSTED": 429,
    "UNIMPLEMENTED": 405,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(recruiter) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(recruiter)
    return client


def error_of(response) -> dict:
    body = response.json()
    assert_is_error_body(body)
    return body


@pytest.mark.parametrize("code", [code.name for code in Code])
def test_service_error_answers_its_grpc_code_and_http_status(client, code):
    response = client.get(f"/api/test/raise/service/{code}")
    assert response.status_code == HTTP_BY_CODE[code]
    body = error_of(response)
    assert body["code"] == code
    assert body["message"]


def test_service_error_without_message_shows_translated_default(client):
    body = error_of(client.get("/api/test/raise/service/RESOURCE_EXHAUSTED"))
    assert body["message"] == "Слишком много запросов. Повторите попытку позже."


def test_service_error_keeps_its_own_message_and_details(client):
    response = client.get("/api/test/raise/service-message")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "NOT_FOUND",
        "message": "Резюме не найдено",
        "details": {"urn": "urn:hh:1"},
    }


def test_messages_follow_the_chosen_language(client):
    client.cookies["django_language"] = "en"
    body = error_of(client.get("/api/test/raise/service/UNAVAILABLE"))
    assert body["message"] == "The service is temporarily unavailable. Try again later."


def test_django_http404_is_not_found_without_internal_text(client):
    response = client.get("/api/test/raise/http404")
    assert response.status_code == 404
    body = error_of(response)
    assert body["code"] == "NOT_FOUND" and "Resume" not in body["message"]


def test_django_permission_denied_is_permission_denied(client):
    response = client.get("/api/test/raise/django-denied")
    assert response.status_code == 403
    body = error_of(response)
    assert body["code"] == "PERMISSION_DENIED" and SECRET_TEXT not in response.content.decode()


@pytest.mark.parametrize("what", ["crash", "internal-service"])
def test_unexpected_error_is_internal_logged_with_traceback_and_never_leaked(client, caplog, what):
    with caplog.at_level(logging.ERROR, logger="core.api"):
        response = client.get(f"/api/test/raise/{what}")
    assert response.status_code == 500
    body = error_of(response)
    assert body["code"] == "INTERNAL" and body["details"] == {}
    assert SECRET_TEXT not in response.content.decode()
    record = next(r for r in caplog.records if r.name == "core.api")
    assert record.exc_info is not None


def test_validation_error_is_invalid_argument_with_field_errors(client):
    response = client.post(
        "/api/test/echo", {"query": "x" * 11}, format="json", **csrf_headers(client)
    )
    assert response.status_code == 400
    body = error_of(response)
    assert body["code"] == "INVALID_ARGUMENT"
    assert set(body["details"]["fields"]) == {"query", "page_size"}


def test_malformed_json_is_invalid_argument(client):
    response = client.post(
        "/api/test/echo",
        data='{"query": ',
        content_type="application/json",
        **csrf_headers(client),
    )
    assert response.status_code == 400
    assert error_of(response)["details"] == {"reason": "malformed_body"}


def test_unsupported_media_type_is_invalid_argument(client):
    response = client.post(
        "/api/test/echo", data="query=a", content_type="text/plain", **csrf_headers(client)
    )
    assert response.status_code == 400
    assert error_of(response)["details"] == {"reason": "unsupported_media_type"}


def test_method_not_allowed_is_unimplemented_405_with_allow(client):
    response = client.delete("/api/v1/me", **csrf_headers(client))
    assert response.status_code == 405
    body = error_of(response)
    assert body["code"] == "UNIMPLEMENTED"
    assert body["details"] == {"reason": "method_not_allowed"}
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("url", ["/api/", "/api/v1/nothing-here", "/api/v2/me", "/api"])
def test_unknown_api_url_is_json_not_found_for_anyone(method, url):
    response = getattr(APIClient(enforce_csrf_checks=True), method)(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "NOT_FOUND"


def test_anonymous_request_is_unauthenticated_with_challenge():
    response = APIClient().get("/api/v1/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHENTICATED"
    assert response["WWW-Authenticate"] == "TVM"


def test_user_without_organization_is_permission_denied(db):
    staff = User.objects.create_user(username="ops", password="pw-ops-12345", is_staff=True)
    client = APIClient()
    client.force_login(staff)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert error_of(response)["code"] == "PERMISSION_DENIED"


def test_unsafe_method_without_csrf_token_is_permission_denied(client):
    response = client.post("/api/test/echo", {"query": "a", "page_size": 1}, format="json")
    assert response.status_code == 403
    body = error_of(response)
    assert body["code"] == "PERMISSION_DENIED" and body["details"] == {"reason": "csrf"}


def test_unsafe_method_with_csrf_token_passes(client):
    response = client.post(
        "/api/test/echo", {"query": "a", "page_size": 1}, format="json", **csrf_headers(client)
    )
    assert response.status_code == 200
    assert response.json() == {"query": "a", "page_size": 1}


def test_scoped_rate_limit_is_resource_exhausted_with_retry_after(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "api": "100/minute",
            "search": "2/minute",
            "contacts": "1/minute",
        },
    }
    headers = csrf_headers(client)
    payload = {"query": "a", "page_size": 1}
    statuses = [
        client.post("/api/test/echo", payload, format="json", **headers).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    response = client.post("/api/test/echo", payload, format="json", **headers)
    body = error_of(response)
    assert body["code"] == "RESOURCE_EXHAUSTED"
    assert 0 < int(response["Retry-After"]) <= 60
    assert body["details"]["retry_after"] == int(response["Retry-After"])
    # Other endpoints have their own budget.
    assert client.get("/api/v1/me").status_code == 200


def test_rate_limit_is_per_recruiter(client, organization, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "1/minute", "search": "1/minute", "contacts": "1/minute"},
    }
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 429
    other = User.objects.create_user(
        username="boris", password="pw-b-12345", organization=organization
    )
    other_client = APIClient()
    other_client.force_login(other)
    assert other_client.get("/api/v1/me").status_code == 200
