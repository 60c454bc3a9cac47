"""The tvmtool adapter at the transport level (`responses`), with bodies shaped like tvmtool's."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import requests
import responses
from django.core.cache import cache

from core import errors, tvm

BASE = "http://tvmtool.test:1"
FIXTURES = Path(__file__).parent / "fixtures" / "tvmtool"
SERVICE_TICKET = "3:serv:CBAQ__________9_IgYI0rF6EMHsOw:secret-signature-part"
USER_TICKET = "3:user:CA0Q__________9_Gg4KAgh5:secret-signature-part"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def tvm_settings(settings):
    settings.TVM_TOOL_URL = BASE
    settings.TVM_TOOL_AUTH_TOKEN = "local-token"
    settings.TVM_SELF_ALIAS = ""
    settings.TVM_CACHE_SECONDS = 10
    cache.clear()
    yield settings
    cache.clear()


def client(**kwargs) -> tvm.TvmToolClient:
    return tvm.TvmToolClient(
        base_url=BASE, auth_token="local-token", sleep=lambda s: None, **kwargs
    )


@responses.activate
def test_service_ticket_is_checked_with_raw_local_token_and_parsed():
    responses.get(f"{BASE}/tvm/checksrv", json=fixture("checksrv_ok"))
    ticket = client().check_service_ticket(SERVICE_TICKET)
    assert ticket == tvm.ServiceTicket(
        src=2001234, dst=2000001, scopes=(), logging_string="3:serv:CBAQ__________9_IgYI0rF6EMHsOw"
    )
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "local-token"
    assert sent.headers["X-Ya-Service-Ticket"] == SERVICE_TICKET
    assert "dst=" not in sent.url


@responses.activate
def test_self_alias_is_sent_as_dst():
    responses.get(f"{BASE}/tvm/checksrv", json=fixture("checksrv_ok"))
    client(self_alias="recruiting").check_service_ticket(SERVICE_TICKET)
    assert responses.calls[0].request.url.endswith("/tvm/checksrv?dst=recruiting")


@responses.activate
def test_user_ticket_is_parsed():
    responses.get(f"{BASE}/tvm/checkusr", json=fixture("checkusr_ok"))
    ticket = client().check_user_ticket(USER_TICKET)
    assert ticket.default_uid == 1120000000012345
    assert ticket.uids == (1120000000012345, 1120000000054321)
    assert ticket.scopes == ("bb:sessionid",)
    assert responses.calls[0].request.headers["X-Ya-User-Ticket"] == USER_TICKET


@responses.activate
def test_user_ticket_without_default_user_has_uid_zero():
    responses.get(f"{BASE}/tvm/checkusr", json=fixture("checkusr_no_default"))
    assert client().check_user_ticket(USER_TICKET).default_uid == 0


@responses.activate
@pytest.mark.parametrize(
    ("path", "body", "method"),
    [
        ("checksrv", "checksrv_expired", "check_service_ticket"),
        ("checkusr", "checkusr_wrong_env", "check_user_ticket"),
    ],
)
def test_rejected_ticket_is_unauthenticated_with_reason(path, body, method):
    responses.get(f"{BASE}/tvm/{path}", json=fixture(body), status=403)
    with pytest.raises(errors.Unauthenticated) as exc:
        getattr(client(), method)("3:bad")
    assert exc.value.details["reason"] == "ticket_invalid"
    assert exc.value.details["error"] == fixture(body)["error"]
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize("status", [400, 401])
def test_bad_local_token_or_alias_is_unavailable_not_a_ticket_problem(status):
    responses.get(f"{BASE}/tvm/checksrv", body="Authorization header is missing", status=status)
    with pytest.raises(errors.Unavailable):
        client().check_service_ticket(SERVICE_TICKET)
    assert len(responses.calls) == 1


@responses.activate
def test_5xx_is_retried_once_then_unavailable():
    responses.get(f"{BASE}/tvm/checksrv", status=500)
    with pytest.raises(errors.Unavailable):
        client(max_retries=1).check_service_ticket(SERVICE_TICKET)
    assert len(responses.calls) == 2


@responses.activate
def test_5xx_then_success_recovers():
    responses.get(f"{BASE}/tvm/checksrv", status=500)
    responses.get(f"{BASE}/tvm/checksrv", json=fixture("checksrv_ok"))
    assert client(max_retries=1).check_service_ticket(SERVICE_TICKET).src == 2001234


@responses.activate
def test_unreachable_tvmtool_is_unavailable():
    responses.get(f"{BASE}/tvm/checksrv", body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(errors.Unavailable):
        client(max_retries=0).check_service_ticket(SERVICE_TICKET)


@responses.activate
def test_slow_tvmtool_is_deadline_exceeded():
    responses.get(f"{BASE}/tvm/checksrv", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(errors.DeadlineExceeded):
        client(max_retries=0).check_service_ticket(SERVICE_TICKET)


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([1]),
        json.dumps({"dst": 1}),
        json.dumps({"src": "2001234"}),
        json.dumps({"src": True}),
        json.dumps({"src": 1, "scopes": "bb"}),
    ],
)
def test_unparseable_checksrv_answer_is_invalid_response(body):
    responses.get(f"{BASE}/tvm/checksrv", body=body, content_type="application/json")
    with pytest.raises(errors.InvalidResponse):
        client().check_service_ticket(SERVICE_TICKET)


@responses.activate
@pytest.mark.parametrize(
    "body", [{"default_uid": 1, "uids": []}, {"uids": [1]}, {"default_uid": 1, "uids": ["1"]}]
)
def test_unparseable_checkusr_answer_is_invalid_response(body):
    responses.get(f"{BASE}/tvm/checkusr", json=body)
    with pytest.raises(errors.InvalidResponse):
        client().check_user_ticket(USER_TICKET)


@responses.activate
def test_ping_reports_warning_state():
    responses.get(f"{BASE}/tvm/ping", body="OK")
    responses.get(f"{BASE}/tvm/ping", body="warn", status=206)
    assert client().ping() is True
    assert client().ping() is False


@responses.activate
def test_valid_ticket_is_cached_under_a_digest_never_the_ticket(db):
    responses.get(f"{BASE}/tvm/checksrv", json=fixture("checksrv_ok"))
    first = tvm.check_service_ticket(SERVICE_TICKET)
    second = tvm.check_service_ticket(SERVICE_TICKET)
    assert first == second and len(responses.calls) == 1
    keys = list(cache._cache)  # LocMemCache: the stored keys
    assert keys and not any("CBAQ" in key or "secret" in key for key in keys)
    assert any(tvm.ticket_digest(SERVICE_TICKET) in key for key in keys)


@responses.activate
def test_cache_is_off_at_zero_seconds(tvm_settings):
    tvm_settings.TVM_CACHE_SECONDS = 0
    responses.get(f"{BASE}/tvm/checkusr", json=fixture("checkusr_ok"))
    tvm.check_user_ticket(USER_TICKET)
    tvm.check_user_ticket(USER_TICKET)
    assert len(responses.calls) == 2


@responses.activate
def test_rejected_ticket_is_not_cached():
    responses.get(f"{BASE}/tvm/checkusr", json=fixture("checkusr_wrong_env"), status=403)
    for _ in range(2):
        with pytest.raises(errors.Unauthenticated):
            tvm.check_user_ticket(USER_TICKET)
    assert len(responses.calls) == 2


@responses.activate
def test_tickets_never_reach_the_logs(caplog):
    responses.get(f"{BASE}/tvm/checksrv", json=fixture("checksrv_expired"), status=403)
    responses.get(f"{BASE}/tvm/checkusr", json=fixture("checkusr_ok"))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(errors.Unauthenticated):
            tvm.check_service_ticket(SERVICE_TICKET)
        tvm.check_user_ticket(USER_TICKET)
    assert caplog.records
    assert "secret-signature-part" not in caplog.text
