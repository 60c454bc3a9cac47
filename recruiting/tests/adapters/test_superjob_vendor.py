"""SuperJob's documented examples (fixtures/superjob/vendor/, sources in its
SOURCES.md) through the adapter, and the emulator's answers beside them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from django.conf import settings as django_settings

from core import errors
from recruiting.adapters.superjob import SuperJobAdapter
from sandbox.emulators import oauth
from sandbox.emulators.people import people, sj_resume_id
from sandbox.tests.shapes import shape_problems

API = "https://api.superjob.ru/2.0"
VENDOR = Path(__file__).parent.parent / "fixtures" / "superjob" / "vendor"
BLOCKS = ["client_blocked", "user_blocked_by_admin", "user_blocked_by_other_user"]


def vendor(name: str):
    return json.loads((VENDOR / name).read_text())


def adapter() -> SuperJobAdapter:
    return SuperJobAdapter(
        base_url=API,
        oauth_url="https://www.superjob.ru",
        client_id="4242",
        client_secret="v3.r.app-secret",
        sleep=lambda s: None,
        max_retries=1,
    )


@responses.activate
@pytest.mark.parametrize("reason", BLOCKS)
def test_documented_blocks_are_permission_denied_naming_the_reason(reason):
    body = vendor(f"docs_error_{reason}.json")
    responses.get(f"{API}/resumes/42/", status=403, json=body)
    with pytest.raises(errors.PermissionDenied) as caught:
        adapter().resume(access_token="tok", resume_id="42")
    assert caught.value.details["reasons"] == [reason]


# --- the emulator -------------------------------------------------------------------------


@pytest.fixture
def call(client):
    token = oauth.issue("superjob", timedelta(hours=1)).access_token

    def get(path: str, **params):
        return client.get(
            f"/sandbox/superjob/2.0/{path.lstrip('/')}",
            params,
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_X_API_APP_ID=django_settings.SUPERJOB_CLIENT_SECRET,
        )

    return get


@pytest.mark.django_db
@pytest.mark.parametrize("reason", BLOCKS)
def test_emulated_block_is_the_documented_body(call, settings, reason):
    settings.SANDBOX_FAULTS = {"superjob": {"blocked": reason}}
    response = call("resumes/")
    assert response.status_code == 403
    assert response.json() == vendor(f"docs_error_{reason}.json")
    assert shape_problems(response.json(), vendor(f"docs_error_{reason}.json")) == []


@pytest.mark.django_db
def test_emulated_hidden_birthday_is_zeros_and_the_adapter_reads_none(call):
    p = next(p for p in people("superjob") if p.index % 9 == 0)
    item = call(f"resumes/{sj_resume_id(p.index)}/").json()
    assert item["hide_birthday"] is True
    assert (item["birthday"], item["birthmonth"], item["birthyear"]) == (0, 0, 0)
    assert adapter()._card(item, rank=0).birth_date is None


@pytest.mark.django_db
def test_emulated_simple_contacts_open_is_not_contacts_bought(call):
    free = next(p for p in people("superjob") if p.sj_open)
    item = call(f"resumes/{sj_resume_id(free.index)}/").json()
    assert (item["simple_contacts_open"], item["contacts_bought"]) == (True, False)
    card = adapter()._card(item, rank=0)
    assert card.contacts_open and card.contacts is not None
    paid = next(p for p in people("superjob") if not p.sj_open and p.index % 9)
    item = call(f"resumes/{sj_resume_id(paid.index)}/").json()
    assert (item["simple_contacts_open"], item["contacts_bought"]) == (False, True)
