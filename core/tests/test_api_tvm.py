"""TVM authentication of the API end to end.

Flow tests run the real adapter over HTTP against the tvmtool emulator on
the live server; transport tests fake tvmtool with `responses`.
"""

from __future__ import annotations

import time

import pytest
import responses
from django.core.cache import cache

from core.models import User
from core.tests.api_support import SchemaCheckedClient, assert_is_error_body
from sandbox.emulators.tvmtool import (
    LOCAL_AUTH_TOKEN,
    SELF_TVM_ID,
    issue_service_ticket,
    issue_user_ticket,
)
from sandbox.faults import set_faults

FRONTEND = 2001234
STRANGER = 2009999
UID = 1120000000012345


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tvm_recruiter(recruiter) -> User:
    recruiter.passport_uid = UID
    recruiter.first_name, recruiter.last_name = "Анна", "Иванова"
    recruiter.save(update_fields=["passport_uid", "first_name", "last_name"])
    return recruiter


@pytest.fixture
def tvm_on(settings):
    settings.TVM_ENABLED = True
    settings.TVM_ALLOWED_SOURCES = [FRONTEND]
    settings.TVM_TOOL_AUTH_TOKEN = LOCAL_AUTH_TOKEN
    settings.TVM_SELF_ALIAS = ""
    settings.TVM_CACHE_SECONDS = 10
    return settings


@pytest.fixture
def emulated(tvm_on, sandbox_url):
    tvm_on.TVM_TOOL_URL = f"{sandbox_url}/tvmtool"
    return tvm_on


def call(service: str | None, user: str | None):
    headers = {}
    if service is not None:
        headers["HTTP_X_YA_SERVICE_TICKET"] = service
    if user is not None:
        headers["HTTP_X_YA_USER_TICKET"] = user
    return SchemaCheckedClient().get("/api/v1/me", **headers)


def error(response) -> dict:
    body = response.json()
    assert_is_error_body(body)
    return body


# --- over HTTP against the emulator ---------------------------------------------

flow = pytest.mark.django_db(transaction=True)


@flow
def test_valid_tickets_authenticate_the_mapped_recruiter(emulated, tvm_recruiter):
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 200
    assert response.json() == {
        "username": "anna",
        "name": "Анна Иванова",
        "email": "anna@example.com",
        "organization": {"id": tvm_recruiter.organization_id, "name": "Acme"},
    }


@flow
def test_tvm_request_needs_no_csrf_token(emulated, tvm_recruiter):
    # A service calls with tickets, not cookies: CSRF does not apply.
    client = SchemaCheckedClient(enforce_csrf_checks=True)
    response = client.get(
        "/api/v1/me",
        HTTP_X_YA_SERVICE_TICKET=issue_service_ticket(FRONTEND),
        HTTP_X_YA_USER_TICKET=issue_user_ticket(UID),
    )
    assert response.status_code == 200


@flow
@pytest.mark.parametrize("which", ["service", "user"])
def test_expired_ticket_is_unauthenticated(emulated, tvm_recruiter, which):
    past = int(time.time()) - 60
    service = issue_service_ticket(FRONTEND, expires=past if which == "service" else None)
    user = issue_user_ticket(UID, expires=past if which == "user" else None)
    response = call(service, user)
    assert response.status_code == 401
    assert error(response)["code"] == "UNAUTHENTICATED"


def forged(ticket: str) -> str:
    """The ticket with the last character of its signature changed."""
    return ticket[:-1] + ("1" if ticket.endswith("0") else "0")


@flow
@pytest.mark.parametrize(
    ("service", "user"),
    [
        ("garbage", "3:user:1:1:1:x"),
        (lambda: forged(issue_service_ticket(FRONTEND)), lambda: issue_user_ticket(UID)),
        (lambda: issue_service_ticket(FRONTEND), lambda: issue_service_ticket(FRONTEND)),
        (lambda: issue_user_ticket(UID), lambda: issue_user_ticket(UID)),
        (
            lambda: issue_service_ticket(FRONTEND, dst=SELF_TVM_ID + 1),
            lambda: issue_user_ticket(UID),
        ),
    ],
    ids=["malformed", "forged-signature", "service-as-user", "user-as-service", "other-dst"],
)
def test_malformed_or_forged_ticket_is_unauthenticated(emulated, tvm_recruiter, service, user):
    service = service() if callable(service) else service
    user = user() if callable(user) else user
    response = call(service, user)
    assert response.status_code == 401
    assert error(response)["details"]["reason"] == "ticket_invalid"


@flow
@pytest.mark.parametrize("which", ["service", "user"])
def test_one_ticket_without_the_other_is_unauthenticated(emulated, tvm_recruiter, which):
    service = issue_service_ticket(FRONTEND) if which == "service" else None
    user = issue_user_ticket(UID) if which == "user" else None
    response = call(service, user)
    assert response.status_code == 401
    assert error(response)["details"] == {"reason": "ticket_missing"}


@flow
def test_foreign_source_is_permission_denied(emulated, tvm_recruiter):
    response = call(issue_service_ticket(STRANGER), issue_user_ticket(UID))
    assert response.status_code == 403
    body = error(response)
    assert body["code"] == "PERMISSION_DENIED"
    assert body["details"] == {"reason": "source_not_allowed", "src": STRANGER}


@flow
@pytest.mark.parametrize("uid", [UID + 1, 0], ids=["unknown-uid", "no-default-uid"])
def test_unknown_user_is_permission_denied(emulated, tvm_recruiter, uid):
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(uid, uids=[UID]))
    assert response.status_code == 403
    assert error(response)["details"] == {"reason": "unknown_user"}


@flow
def test_deactivated_or_organizationless_user_is_permission_denied(emulated, tvm_recruiter):
    tvm_recruiter.is_active = False
    tvm_recruiter.save(update_fields=["is_active"])
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 403


@flow
def test_a_recruiter_of_a_switched_off_organization_is_permission_denied(emulated, tvm_recruiter):
    """As their browser sessions are: switched off, the organization acts through nobody."""
    assert call(issue_service_ticket(FRONTEND), issue_user_ticket(UID)).status_code == 200
    tvm_recruiter.organization.is_active = False
    tvm_recruiter.organization.save(update_fields=["is_active"])
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 403
    assert error(response)["details"] == {"reason": "unknown_user"}


@flow
def test_tvmtool_failing_is_unavailable(emulated, tvm_recruiter):
    set_faults("tvmtool", error_rate=1.0, error_status=500)
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 503
    assert error(response)["details"] == {"reason": "tvmtool_unavailable"}


@flow
def test_tvmtool_recovers_after_a_transient_failure(emulated, tvm_recruiter):
    set_faults("tvmtool", fail_next=1, error_status=503)
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 200


@flow
def test_wrong_local_token_is_unavailable(emulated, tvm_recruiter):
    emulated.TVM_TOOL_AUTH_TOKEN = "not-the-token"
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 503


@flow
def test_unknown_self_alias_is_unavailable(emulated, tvm_recruiter):
    emulated.TVM_SELF_ALIAS = "nobody"
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 503


@flow
def test_self_alias_is_accepted_by_tvmtool(emulated, tvm_recruiter):
    emulated.TVM_SELF_ALIAS = "recruiting"
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 200


@pytest.mark.django_db
def test_tvmtool_down_is_unavailable(tvm_on, tvm_recruiter, free_tcp_port):
    tvm_on.TVM_TOOL_URL = f"http://127.0.0.1:{free_tcp_port}"
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 503
    assert error(response)["code"] == "UNAVAILABLE"


# --- switches ------------------------------------------------------------------


@pytest.mark.django_db
def test_tickets_are_ignored_when_tvm_is_off(settings, tvm_recruiter):
    settings.TVM_ENABLED = False
    settings.TVM_TOOL_URL = "http://127.0.0.1:9"  # would fail if it were called
    response = call(issue_service_ticket(FRONTEND), issue_user_ticket(UID))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Session realm="api"'


@pytest.mark.django_db
def test_session_still_works_when_tvm_is_on(tvm_on, recruiter_api_client):
    assert recruiter_api_client.get("/api/v1/me").status_code == 200


# --- transport level (`responses`) -----------------------------------------------

TOOL = "http://tvmtool.test:1"


@pytest.fixture
def faked(tvm_on):
    tvm_on.TVM_TOOL_URL = TOOL
    with responses.RequestsMock() as mocked:
        yield mocked


@pytest.mark.django_db
def test_allow_list_applies_to_a_cached_ticket(faked, tvm_recruiter, settings):
    faked.get(f"{TOOL}/tvm/checksrv", json={"src": FRONTEND, "dst": 1, "scopes": None})
    faked.get(f"{TOOL}/tvm/checkusr", json={"default_uid": UID, "uids": [UID], "scopes": []})
    assert call("3:serv:a", "3:user:b").status_code == 200
    settings.TVM_ALLOWED_SOURCES = [STRANGER]
    assert call("3:serv:a", "3:user:b").status_code == 403
    assert len(faked.calls) == 2  # both checks came from the cache the second time


@pytest.mark.django_db
def test_tvmtool_answering_garbage_is_unavailable(faked, tvm_recruiter):
    faked.get(f"{TOOL}/tvm/checksrv", body="<html>proxy error</html>")
    response = call("3:serv:a", "3:user:b")
    assert response.status_code == 503


@pytest.mark.django_db
def test_rejected_service_ticket_stops_before_the_user_check(faked, tvm_recruiter):
    faked.get(f"{TOOL}/tvm/checksrv", json={"error": "Malformed ticket"}, status=403)
    response = call("3:serv:a", "3:user:b")
    assert response.status_code == 401
    assert [c.request.url for c in faked.calls] == [f"{TOOL}/tvm/checksrv"]
