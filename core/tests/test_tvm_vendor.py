"""tvmtool's own answers (core/tests/fixtures/tvmtool/vendor/, sources in its
SOURCES.md) through the adapter, and the emulator's answers beside them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import responses
from django.test import Client

from core import errors, tvm
from sandbox.emulators.tvmtool import (
    LOCAL_AUTH_TOKEN,
    SELF_TVM_ID,
    issue_service_ticket,
    issue_user_ticket,
)
from sandbox.tests.shapes import shape_problems

VENDOR = Path(__file__).parent / "fixtures" / "tvmtool" / "vendor"
BASE = "http://tvmtool.test:1"
TICKET_RE = re.compile(r"^3:(serv|user):[A-Za-z0-9_\-]+:[A-Za-z0-9_\-]+$")


def vendor(name: str):
    return json.loads((VENDOR / name).read_text())


def client() -> tvm.TvmToolClient:
    return tvm.TvmToolClient(base_url=BASE, auth_token="t", sleep=lambda s: None)


def emulator(path: str, **headers):
    return Client().get(
        f"/sandbox/tvmtool/tvm/{path}", HTTP_AUTHORIZATION=LOCAL_AUTH_TOKEN, **headers
    )


# --- the vendor's examples through the adapter ------------------------------------------


@responses.activate
def test_vendor_checksrv_parses_and_absent_dst_is_none():
    responses.get(f"{BASE}/tvm/checksrv", json=vendor("tool_test_checksrv.json"))
    ticket = client().check_service_ticket("3:serv:x:y")
    assert ticket == tvm.ServiceTicket(
        src=41, dst=None, scopes=(), logging_string="3:serv:CBAQ__________9_IgQIKRAq"
    )


@responses.activate
def test_vendor_checkusr_parses():
    responses.get(f"{BASE}/tvm/checkusr", json=vendor("tool_test_checkusr.json"))
    ticket = client().check_user_ticket("3:user:x:y")
    assert ticket.default_uid == 1120000000038691
    assert ticket.uids == (1120000000038691,)
    assert ticket.scopes == ("bb:sessionid", "test:test")


@responses.activate
@pytest.mark.parametrize(
    "name", ["tool_test_checksrv_wrong_dst.json", "tool_test_checksrv_malformed.json"]
)
def test_vendor_403_sentences_reach_the_error_details(name):
    responses.get(f"{BASE}/tvm/checksrv", json=vendor(name), status=403)
    with pytest.raises(errors.Unauthenticated) as exc:
        client().check_service_ticket("3:serv:x:y")
    assert exc.value.details["error"] == vendor(name)["error"]


@responses.activate
def test_vendor_plain_text_400_is_unavailable_and_logged(caplog):
    text = (VENDOR / "tool_test_tickets_unknown_alias.txt").read_text()
    responses.get(f"{BASE}/tvm/checksrv", body=text, status=400, content_type="text/plain")
    with pytest.raises(errors.Unavailable):
        client().check_service_ticket("3:serv:x:y")
    assert "can't find in config" in caplog.text


@responses.activate
def test_vendor_plain_ok_ping_is_healthy():
    responses.get(f"{BASE}/tvm/ping", body=(VENDOR / "ping.txt").read_text())
    assert client().ping() is True


@responses.activate
def test_403_without_error_text_is_none_not_empty():
    responses.get(f"{BASE}/tvm/checksrv", json={}, status=403)
    with pytest.raises(errors.Unauthenticated) as exc:
        client().check_service_ticket("3:serv:x:y")
    assert exc.value.details["error"] is None


# --- the emulator beside them -----------------------------------------------------------


@pytest.mark.django_db
def test_emulated_checksrv_has_the_vendor_keys_and_types():
    ours = emulator("checksrv", HTTP_X_YA_SERVICE_TICKET=issue_service_ticket(41)).json()
    theirs = vendor("tool_test_checksrv.json")
    assert set(theirs) <= set(ours)
    assert shape_problems({k: ours[k] for k in theirs}, theirs) == []


@pytest.mark.django_db
def test_emulated_checkusr_has_the_vendor_keys_and_types():
    ours = emulator("checkusr", HTTP_X_YA_USER_TICKET=issue_user_ticket(7)).json()
    theirs = vendor("tool_test_checkusr.json")
    assert set(theirs) - {"error"} == set(ours)
    assert shape_problems(ours, theirs) == []


@pytest.mark.django_db
def test_emulated_wrong_dst_is_the_daemons_sentence():
    response = emulator("checksrv", HTTP_X_YA_SERVICE_TICKET=issue_service_ticket(41, dst=99))
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == f"Wrong ticket dst, expected {SELF_TVM_ID}, got 99"
    assert shape_problems(body, vendor("tool_test_checksrv_wrong_dst.json")) == []


@pytest.mark.django_db
def test_emulated_garbage_ticket_is_invalid_ticket_format():
    response = emulator("checksrv", HTTP_X_YA_SERVICE_TICKET="lalala")
    assert (response.status_code, response.json()["error"]) == (403, "invalid ticket format")


@pytest.mark.django_db
def test_emulated_tickets_are_opaque_like_real_ones():
    for ticket in (issue_service_ticket(41), issue_user_ticket(7)):
        assert TICKET_RE.match(ticket), ticket
        assert ":41:" not in ticket and ":7:" not in ticket


@pytest.mark.django_db
def test_emulated_tickets_endpoint_is_shaped_like_the_vendor_and_unknown_alias_is_text():
    ours = emulator("tickets?dsts=tracker").json()
    assert shape_problems(ours["tracker"], vendor("tool_test_tickets.json")["he"]) == []
    assert TICKET_RE.match(ours["tracker"]["ticket"])
    bad = emulator("tickets?dsts=not_exists")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/plain")
    assert bad.content.decode().startswith("can't find in config destination tvmid")


@pytest.mark.django_db
def test_emulated_ping_is_plain_ok_and_401_400_are_plain_text():
    ping = Client().get("/sandbox/tvmtool/tvm/ping")
    assert (ping.status_code, ping.content) == (200, b"OK")
    assert ping["Content-Type"].startswith("text/plain")
    unauthorized = Client().get("/sandbox/tvmtool/tvm/checksrv", HTTP_AUTHORIZATION="wrong")
    assert unauthorized.status_code == 401
    assert unauthorized["Content-Type"].startswith("text/plain")
    bad = emulator("checksrv?dst=nobody")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_emulated_user_ticket_of_another_blackbox_env_is_refused():
    prod = issue_user_ticket(7, env="Prod")
    refused = emulator("checkusr", HTTP_X_YA_USER_TICKET=prod)
    assert (refused.status_code, refused.json()["error"]) == (403, "Invalid BlackBox environment")
    accepted = Client().get(
        "/sandbox/tvmtool/tvm/checkusr?override_env=Prod",
        HTTP_AUTHORIZATION=LOCAL_AUTH_TOKEN,
        HTTP_X_YA_USER_TICKET=prod,
    )
    assert accepted.status_code == 200 and accepted.json()["default_uid"] == 7
