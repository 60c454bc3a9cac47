"""amoCRM's documented examples (fixtures/amocrm/vendor/, sources in its
SOURCES.md) through the adapter, and the emulator's answers beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from recruiting.adapters.amocrm import AmoCrmClient
from recruiting.adapters.subsystem_base import Candidate, CreateParams
from sandbox.tests.shapes import shape_problems

BASE = "https://acme.amocrm.ru"
VENDOR = Path(__file__).parent.parent / "fixtures" / "amocrm" / "vendor"
EMULATOR = "/sandbox/amocrm/acme/api/v4"
CANDIDATE = Candidate(
    urn="urn:hh:abc123",
    full_name="Иванов Иван",
    resume_url="https://hh.ru/resume/abc123",
    title="Python dev",
    phones=("+79991234567",),
    emails=("ivan@example.com",),
)


def vendor(name: str):
    return json.loads((VENDOR / name).read_text())


def client() -> AmoCrmClient:
    return AmoCrmClient(base_url=BASE, token="tok", sleep=lambda s: None, rate_limit=1000.0)


@responses.activate
def test_documented_complex_answer_is_the_new_lead():
    responses.post(f"{BASE}/api/v4/leads/complex", json=vendor("docs_complex_created.json"))
    created = client().create(
        candidate=CANDIDATE, params=CreateParams(pipeline_id=1, status_id=2), marker="m"
    )
    assert (created.id, created.status, created.contact_ids) == ("9774766", "1:2", (12117258,))


@responses.activate
def test_documented_merged_answer_reads_the_existing_leads_own_stage():
    responses.post(f"{BASE}/api/v4/leads/complex", json=vendor("docs_complex_merged.json"))
    lead = vendor("docs_lead.json") | {"id": 9774766}
    responses.get(f"{BASE}/api/v4/leads", json={"_embedded": {"leads": [lead]}})
    created = client().create(
        candidate=CANDIDATE, params=CreateParams(pipeline_id=1, status_id=2), marker="m"
    )
    assert (created.id, created.status) == ("9774766", "1113:2030")


@responses.activate
def test_documented_lead_parses_and_no_contacts_is_empty():
    responses.get(f"{BASE}/api/v4/leads", json={"_embedded": {"leads": [vendor("docs_lead.json")]}})
    app = client().statuses(ids=["17657"])["17657"]
    assert (app.status, app.is_closed, app.contact_ids) == ("1113:2030", False, ())


@responses.activate
def test_documented_204_with_no_body_is_nothing_found():
    responses.get(f"{BASE}/api/v4/leads", status=204, body="")
    assert client().statuses(ids=["17657"]) == {}


# --- the emulator -------------------------------------------------------------------------


def post_complex(client, body):
    return client.post(
        f"{EMULATOR}/leads/complex",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer tok",
    )


def lead_body(name: str = "Кандидат") -> list[dict]:
    contact = {
        "first_name": "Иван",
        "custom_fields_values": [
            {"field_code": "PHONE", "values": [{"value": "+79991234567", "enum_code": "WORK"}]}
        ],
    }
    return [{"name": name, "pipeline_id": 7000001, "_embedded": {"contacts": [contact]}}]


@pytest.mark.django_db
def test_emulated_complex_answer_has_the_documented_keys_and_types(client):
    ours = post_complex(client, lead_body()).json()
    assert shape_problems(ours, vendor("docs_complex_created.json")) == []
    assert set(ours[0]) == set(vendor("docs_complex_created.json")[0])


@pytest.mark.django_db
def test_emulated_duplicate_control_answers_merged_with_the_same_id(client, settings):
    first = post_complex(client, lead_body("first")).json()[0]
    assert first["merged"] is False
    settings.SANDBOX_FAULTS = {"amocrm": {"duplicate_control": True}}
    second = post_complex(client, lead_body("second")).json()[0]
    assert (second["id"], second["merged"]) == (first["id"], True)
    assert shape_problems([second], vendor("docs_complex_merged.json")) == []
    both = post_complex(client, lead_body("a") + lead_body("b")).json()
    assert [item["merged"] for item in both] == [True, True]  # both match `first`, not each other


@pytest.mark.django_db
def test_emulated_lead_is_shaped_like_the_documented_one(client):
    created = post_complex(client, lead_body()).json()[0]
    ours = client.get(
        f"{EMULATOR}/leads/{created['id']}", {"with": "contacts"}, HTTP_AUTHORIZATION="Bearer tok"
    ).json()
    theirs = vendor("docs_lead.json")
    problems = shape_problems({k: v for k, v in ours.items() if k != "_embedded"}, theirs)
    assert problems == []
    assert ours["_links"]["self"]["href"].endswith(f"/leads/{created['id']}")
    assert ours["_embedded"]["contacts"][0]["_links"]["self"]["href"].endswith(
        f"/contacts/{created['contact_id']}"
    )


@pytest.mark.django_db
def test_emulated_pipelines_carry_links_and_a_locked_incoming_stage(client):
    body = client.get(f"{EMULATOR}/leads/pipelines", HTTP_AUTHORIZATION="Bearer tok").json()
    for pipeline in body["_embedded"]["pipelines"]:
        assert pipeline["_links"]["self"]["href"].endswith(f"/leads/pipelines/{pipeline['id']}")
        for stage in pipeline["_embedded"]["statuses"]:
            assert "_links" in stage
            if stage["type"] == 1 or stage["id"] in (142, 143):
                assert stage["is_editable"] is False, stage
            else:
                assert stage["is_editable"] is True, stage
