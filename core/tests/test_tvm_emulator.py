"""The tvmtool emulator answers like tvmtool (after its documentation), over the
Django test client."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from sandbox.emulators.tvmtool import (
    LOCAL_AUTH_TOKEN,
    SELF_TVM_ID,
    issue_service_ticket,
    issue_user_ticket,
)
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db
BASE = "/sandbox/tvmtool/tvm"


def tampered(signed: str, other: str) -> str:
    """`other`'s body under `signed`'s signature."""
    return ":".join(other.split(":")[:3] + signed.split(":")[3:])


def get(path: str, token: str | None = LOCAL_AUTH_TOKEN, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = token
    return Client().get(f"{BASE}/{path}", **headers)


def test_checksrv_answers_src_and_dst_of_a_valid_ticket():
    response = get("checksrv", HTTP_X_YA_SERVICE_TICKET=issue_service_ticket(2001234))
    assert response.status_code == 200
    body = response.json()
    assert (body["src"], body["dst"]) == (2001234, SELF_TVM_ID)
    assert "logging_string" in body and body["scopes"] is None


def test_checkusr_answers_uids_of_a_valid_ticket():
    ticket = issue_user_ticket(0, uids=[11, 12])
    response = get("checkusr", HTTP_X_YA_USER_TICKET=ticket)
    assert response.status_code == 200
    assert response.json()["default_uid"] == 0 and response.json()["uids"] == [11, 12]


@pytest.mark.parametrize("token", [None, "wrong", f"Bearer {LOCAL_AUTH_TOKEN}"])
def test_missing_or_wrong_local_token_is_401(token):
    response = get("checksrv", token=token, HTTP_X_YA_SERVICE_TICKET=issue_service_ticket(1))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "ticket",
    [
        "",
        "nonsense",
        issue_service_ticket(1, expires=int(time.time()) - 1),
        issue_service_ticket(1)[:-2] + "00",
        tampered(issue_service_ticket(1), issue_service_ticket(2)),
        issue_user_ticket(5),
        issue_service_ticket(1, dst=SELF_TVM_ID + 1),
    ],
    ids=[
        "empty",
        "malformed",
        "expired",
        "bad-signature",
        "tampered-src",
        "wrong-type",
        "other-dst",
    ],
)
def test_bad_service_ticket_is_403_with_error(ticket):
    response = get("checksrv", HTTP_X_YA_SERVICE_TICKET=ticket)
    assert response.status_code == 403
    assert response.json()["error"]


def test_expired_user_ticket_is_403():
    ticket = issue_user_ticket(5, expires=int(time.time()) - 1)
    assert get("checkusr", HTTP_X_YA_USER_TICKET=ticket).status_code == 403


def test_dst_may_name_self_by_alias_or_id_and_unknown_alias_is_400():
    ticket = issue_service_ticket(1)
    for dst, status in [("recruiting", 200), (str(SELF_TVM_ID), 200), ("other", 400)]:
        response = Client().get(
            f"{BASE}/checksrv?dst={dst}",
            HTTP_AUTHORIZATION=LOCAL_AUTH_TOKEN,
            HTTP_X_YA_SERVICE_TICKET=ticket,
        )
        assert response.status_code == status, dst


def test_ping_needs_no_token_and_fault_knobs_apply():
    assert get("ping", token=None).status_code == 200
    set_faults("tvmtool", fail_next=1, error_status=500)
    assert get("ping", token=None).status_code == 500
    assert get("ping", token=None).status_code == 200


def test_issue_endpoint_mints_tickets_the_checks_accept(settings):
    settings.DEBUG = True  # minting is a local helper (or a staff user's)
    ticket = Client().get("/sandbox/tvmtool/issue?kind=serv&src=7").json()["ticket"]
    assert get("checksrv", HTTP_X_YA_SERVICE_TICKET=ticket).json()["src"] == 7
    ticket = Client().get("/sandbox/tvmtool/issue?kind=user&uid=9").json()["ticket"]
    assert get("checkusr", HTTP_X_YA_USER_TICKET=ticket).json()["default_uid"] == 9
    assert Client().get("/sandbox/tvmtool/issue?kind=user").status_code == 400
