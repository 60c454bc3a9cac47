"""Test support for the JSON API, loaded for every app by the root conftest.

Fixtures:
- `api_client`: an anonymous DRF test client that enforces CSRF like a
  browser and checks EVERY response it gets against the OpenAPI schema
  generated from the code (status code documented, body matches);
- `recruiter_api_client`: the same, logged in as the `recruiter` fixture
  (a session; send `X-CSRFToken` on unsafe methods: `csrf_headers(client)`);
- `api_schema`: the generated OpenAPI document (a dict).

`assert_matches_schema(response)` checks one Django test response by hand.
Unknown URLs under /api/ have no operation; their answer must still be the
documented `Error` body.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_schema_validator import OAS30Validator
from rest_framework.test import APIClient


@functools.cache
def generated_schema() -> dict[str, Any]:
    """The OpenAPI document drf-spectacular generates from the code."""
    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(generated_schema())


def assert_is_error_body(body: Any) -> None:
    """`body` is the documented `Error` component."""
    schema = generated_schema()
    error = {**schema["components"]["schemas"]["Error"], "components": schema["components"]}
    OAS30Validator(error).validate(body)


def assert_matches_schema(response) -> None:
    """A Django/DRF test response is documented by the schema, status and body."""
    request = response.wsgi_request
    if not request.path.startswith("/api/v1/"):
        return
    try:
        _openapi().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        assert response.status_code >= 400, f"{request.path} answered but is not documented"
        assert_is_error_body(response.json())


class SchemaCheckedClient(APIClient):
    """DRF's test client that validates every API response against the schema."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        assert_matches_schema(response)
        return response


def csrf_headers(client: APIClient) -> dict[str, str]:
    """Headers a browser page sends on unsafe methods: the session's CSRF token."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return {"HTTP_X_CSRFTOKEN": token}


@pytest.fixture
def api_schema() -> dict[str, Any]:
    return generated_schema()


@pytest.fixture
def api_client() -> SchemaCheckedClient:
    return SchemaCheckedClient(enforce_csrf_checks=True)


@pytest.fixture
def recruiter_api_client(recruiter) -> SchemaCheckedClient:
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    client.force_login(recruiter)
    return client
