"""The amoCRM emulator's pipelines, leads list, token and errors beside amoCRM's
documents (recruiting/tests/fixtures/amocrm/vendor/SOURCES.md).

Where amoCRM publishes an example (a lead) the emulator's answer is compared
with it key by key; where it publishes only a table of response fields
(pipelines, token), the emulator sends no key outside that table.
"""

from __future__ import annotations

import json

import pytest

from sandbox.tests.shapes import VENDOR_FIXTURES, shape_problems

pytestmark = pytest.mark.django_db
AMO = VENDOR_FIXTURES / "amocrm" / "vendor"
API = "/sandbox/amocrm/acme/api/v4"
# amocrm.ru/developers crm_platform/leads_pipelines, "Параметры ответа" of
# GET /api/v4/leads/pipelines; `_links` is the HAL envelope every v4 model has.
PIPELINE_FIELDS = {"id", "name", "sort", "is_main", "is_unsorted_on", "is_archive", "account_id"}
PIPELINE_FIELDS |= {"_embedded", "_links"}
# developers.kommo.com/reference/get-token, "Response parameters".
TOKEN_FIELDS = {"token_type", "expires_in", "server_time", "access_token", "refresh_token"}
# developers.kommo.com/reference/complex-leads: errors are application/problem+json
# (RFC 7807 members), validation failures add `validation-errors`.
PROBLEM_FIELDS = {"title", "type", "status", "detail", "validation-errors"}


def vendor(name: str):
    return json.loads((AMO / name).read_text())


def auth() -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Bearer tok"}


def create_lead(client) -> dict:
    body = [{"name": "Кандидат", "_embedded": {"contacts": [{"first_name": "Иван"}]}}]
    answer = client.post(
        f"{API}/leads/complex", json.dumps(body), content_type="application/json", **auth()
    )
    return answer.json()[0]


def test_pipelines_send_only_documented_fields(client):
    body = client.get(f"{API}/leads/pipelines", **auth()).json()
    for pipeline in body["_embedded"]["pipelines"]:
        assert set(pipeline) <= PIPELINE_FIELDS, set(pipeline) - PIPELINE_FIELDS
        assert set(pipeline["_embedded"]) == {"statuses"}


def test_leads_list_items_are_shaped_like_the_documented_lead(client):
    created = create_lead(client)
    answer = client.get(f"{API}/leads", {"filter[id][]": created["id"]}, **auth())
    assert answer["Content-Type"].startswith("application/hal+json")
    (lead,) = answer.json()["_embedded"]["leads"]
    ours = {k: v for k, v in lead.items() if k != "_embedded"}
    assert shape_problems(ours, vendor("docs_lead.json")) == []


def test_nothing_found_is_204_with_no_body(client):
    answer = client.get(f"{API}/leads", {"query": "nobody-at-all"}, **auth())
    assert answer.status_code == 204 and answer.content == b""


def test_token_sends_only_documented_fields(client):
    form = {"client_id": "c", "client_secret": "s", "grant_type": "refresh_token"}
    answer = client.post(
        "/sandbox/amocrm/acme/oauth2/access_token",
        json.dumps(form | {"refresh_token": "r1", "redirect_uri": "https://app/cb"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == TOKEN_FIELDS


def test_validation_error_is_problem_json(client):
    answer = client.post(
        f"{API}/leads/complex",
        json.dumps([{"name": ""}]),
        content_type="application/json",
        **auth(),
    )
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/problem+json")
    assert set(answer.json()) <= PROBLEM_FIELDS
