"""The API foundation end to end: /api/v1/me, the OpenAPI schema, the docs page, fuzzing."""

from __future__ import annotations

import json

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from core.errors import Code
from core.tests.api_support import assert_matches_schema, csrf_headers, generated_schema

# --- GET /api/v1/me over a browser session ---------------------------------------


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_me_returns_the_session_recruiter(recruiter_api_client, recruiter):
    response = recruiter_api_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "anna",
        "name": "",
        "email": "anna@example.com",
        "organization": {"id": recruiter.organization_id, "name": "Acme"},
    }


def test_a_signed_in_request_reads_its_user_in_one_query(recruiter_api_client):
    """The session's user comes with the organization and freelancer rows the
    login rules check: one query, not three on every request."""
    with CaptureQueriesContext(connection) as queries:
        assert recruiter_api_client.get("/api/v1/me").status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries if " FROM " in q["sql"]]
    # The session row is read too unless sessions come from a shared cache.
    assert [t for t in tables if t != '"django_session"'] == ['"core_user"']


def test_an_inactive_organization_signs_its_recruiters_out(recruiter_api_client, recruiter):
    recruiter.organization.is_active = False
    recruiter.organization.save()
    assert recruiter_api_client.get("/api/v1/me").status_code == 401


def test_an_inactive_user_is_signed_out(recruiter_api_client, recruiter):
    recruiter.is_active = False
    recruiter.save()
    assert recruiter_api_client.get("/api/v1/me").status_code == 401


def test_me_is_unauthenticated_without_a_session(api_client):
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_unsafe_method_on_me_is_checked_for_csrf_before_the_method(recruiter_api_client):
    # Without the token the session request is refused outright ...
    assert recruiter_api_client.post("/api/v1/me").json()["details"] == {"reason": "csrf"}
    # ... with it, the method is what is wrong.
    response = recruiter_api_client.post("/api/v1/me", **csrf_headers(recruiter_api_client))
    assert response.status_code == 405
    assert response.json()["code"] == "UNIMPLEMENTED"
    assert response.json()["details"] == {"reason": "method_not_allowed"}


def test_schema_check_fails_on_a_body_the_schema_does_not_allow(recruiter_api_client):
    response = recruiter_api_client.get("/api/v1/me")
    response.content = b'{"username": 1}'
    with pytest.raises(Exception, match="(?i)invalid|username|required"):
        assert_matches_schema(response)


def test_schema_check_fails_on_an_undocumented_status(recruiter_api_client):
    response = recruiter_api_client.get("/api/v1/me")
    response.status_code = 418
    with pytest.raises(Exception, match="(?i)response|418"):
        assert_matches_schema(response)


# --- the schema ------------------------------------------------------------------


def test_generated_schema_is_valid_openapi(api_schema):
    validate(api_schema)


def test_every_operation_documents_its_errors_with_the_error_component(api_schema):
    operations = [op for item in api_schema["paths"].values() for op in item.values()]
    assert operations
    error_ref = {"$ref": "#/components/schemas/Error"}
    for operation in operations:
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert {"400", "401", "403", "405", "429", "500", "503"} <= set(errors)
        for response in errors.values():
            assert response["content"]["application/json"]["schema"] == error_ref


def test_request_strings_are_documented_without_nul_as_the_api_refuses_it(
    api_schema, recruiter_api_client
):
    # Found by the fuzzer: `q` with a NUL byte is valid by the schema, but
    # DRF's CharField refuses it (400), which the schema must say.
    operation = api_schema["paths"]["/api/v1/applications"]["get"]
    q = next(p for p in operation["parameters"] if p["name"] == "q")
    assert q["schema"]["oneOf"][0]["pattern"] == "^[^\\x00]+$"  # [1] is the blank value
    response = recruiter_api_client.get("/api/v1/applications", {"q": "an\x00na"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT"


def test_error_component_lists_every_grpc_code(api_schema):
    assert api_schema["components"]["schemas"]["ErrorCode"]["enum"] == [c.name for c in Code]


def test_schema_documents_session_and_tvm_authentication(api_schema):
    schemes = api_schema["components"]["securitySchemes"]
    assert schemes["tvmServiceTicket"]["name"] == "X-Ya-Service-Ticket"
    assert schemes["tvmUserTicket"]["name"] == "X-Ya-User-Ticket"
    assert schemes["sessionCookie"]["in"] == "cookie"


def test_schema_endpoint_serves_the_schema_to_a_recruiter(recruiter_api_client):
    response = recruiter_api_client.get("/api/schema/")
    assert response.status_code == 200
    assert json.loads(response.content)["paths"].keys() == generated_schema()["paths"].keys()


def test_schema_endpoint_needs_authentication(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "UNAUTHENTICATED"


def test_docs_page_uses_vendored_assets_only(recruiter_api_client):
    response = recruiter_api_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html.replace("https://swagger.io", "")


@pytest.mark.django_db
def test_docs_page_sends_anonymous_visitors_to_login():
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- property-based: schemathesis over the schema, in process (WSGI) -------------


# The schema is generated at collection (no database needed); requests go to the
# WSGI app in this process, inside the test's transaction.
fuzzed = schemathesis.openapi.from_dict(generated_schema())
fuzzed.app = get_wsgi_application()


@pytest.fixture
def session_cookie(transactional_db, recruiter, settings, sandbox_url):
    """A logged-in recruiter's session; tickets the fuzzer makes up go to the emulator."""
    settings.TVM_ENABLED = True
    settings.TVM_TOOL_URL = f"{sandbox_url}/tvmtool"
    client = Client()
    client.force_login(recruiter)
    # As Django's test client does: the handler must not close the connection
    # that holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield client.cookies["sessionid"].value
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@fuzzed.parametrize()
@hypothesis.settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_fuzzed_requests_get_no_5xx_and_only_documented_answers(case, session_cookie):
    cache.clear()  # the per-recruiter rate limit is not what is under test
    # Anonymous (or with whatever tickets were generated): every check applies.
    response = case.call()
    case.validate_response(response)
    assert response.status_code < 500
    # As a logged-in recruiter. `ignored_auth` is off here: the valid session
    # this test adds to every request is what lets it in, not a bad credential.
    response = case.call(cookies={"sessionid": session_cookie})
    excluded = [ignored_auth]
    if _failed_precondition(response):
        # A valid request refused for the recruiter's state (e.g. a job site not
        # connected): gRPC's FAILED_PRECONDITION is HTTP 400, which the
        # "schema-valid request rejected" check would read as over-strict input rules.
        excluded.append(positive_data_acceptance)
    case.validate_response(response, excluded_checks=excluded)
    assert response.status_code < 500


def _failed_precondition(response) -> bool:
    if response.status_code != Code.FAILED_PRECONDITION.http_status:
        return False
    try:
        return response.json().get("code") == Code.FAILED_PRECONDITION.name
    except ValueError:
        return False
