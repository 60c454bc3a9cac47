"""The sandbox's ticket minting is no way into the API outside DEBUG.

Issue 14's attack: with SANDBOX_ALLOW_IN_PRODUCTION and DEBUG off, an
anonymous `GET /sandbox/tvmtool/issue` minted TVM tickets that /api/v1
accepted whenever TVM pointed at the emulator. Played here over real HTTP
against the live server, with TVM pointed at its emulator (the worst case).
"""

from __future__ import annotations

import pytest
import requests

from core.models import User
from sandbox.emulators.tvmtool import LOCAL_AUTH_TOKEN

FRONTEND = 2001234
UID = 1120000000012345

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def production_like(settings, live_server, recruiter):
    settings.DEBUG = False
    settings.SANDBOX = True
    settings.SANDBOX_ALLOW_IN_PRODUCTION = True
    settings.TVM_ENABLED = True
    settings.TVM_TOOL_URL = f"{live_server.url}/sandbox/tvmtool"
    settings.TVM_TOOL_AUTH_TOKEN = LOCAL_AUTH_TOKEN
    settings.TVM_ALLOWED_SOURCES = [FRONTEND]
    settings.TVM_SELF_ALIAS = ""
    recruiter.passport_uid = UID
    recruiter.save(update_fields=["passport_uid"])
    return live_server.url


def mint(base: str, session: requests.Session | None = None, **params) -> requests.Response:
    return (session or requests).get(f"{base}/sandbox/tvmtool/issue", params=params, timeout=10)


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/applications"])
def test_anonymous_cannot_mint_tickets_into_the_api_outside_debug(production_like, path):
    service = mint(production_like, kind="serv", src=FRONTEND)
    user = mint(production_like, kind="user", uid=UID)
    assert (service.status_code, user.status_code) == (403, 403)
    assert "ticket" not in service.json() and "ticket" not in user.json()
    answer = requests.get(
        f"{production_like}{path}",
        headers={
            "X-Ya-Service-Ticket": service.json().get("ticket", ""),
            "X-Ya-User-Ticket": user.json().get("ticket", ""),
        },
        timeout=10,
    )
    assert answer.status_code in (401, 403)


def test_staff_user_still_mints_tickets_outside_debug(production_like):
    User.objects.create_user(username="ops", password="pw-ops-12345", is_staff=True)
    session = requests.Session()
    login_page = session.get(f"{production_like}/admin/login/", timeout=10)
    assert login_page.status_code == 200 and "/accounts/login/" in login_page.url
    session.post(
        login_page.url,
        data={
            "login": "ops",
            "password": "pw-ops-12345",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": login_page.url},
        timeout=10,
    )
    answer = mint(production_like, session, kind="serv", src=FRONTEND)
    assert answer.status_code == 200 and answer.json()["ticket"].startswith("3:serv:")
