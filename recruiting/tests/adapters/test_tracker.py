"""Tracker adapter at the transport level, with payloads shaped like the API's."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import responses

from core import errors
from recruiting.adapters.subsystem_base import Candidate, CreateParams
from recruiting.adapters.tracker import TrackerClient

BASE = "https://api.tracker.yandex.net"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "tracker"
CANDIDATE = Candidate(
    urn="urn:sj:777",
    full_name="Иванов Иван",
    resume_url="https://superjob.ru/resume/777",
    phones=("+79991234567",),
)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def make(**kwargs) -> tuple[TrackerClient, list[float]]:
    slept: list[float] = []
    kwargs.setdefault("org_header", "X-Cloud-Org-ID")
    client = TrackerClient(
        base_url=BASE, token="y0_tok", org_id="bpf123", sleep=slept.append, **kwargs
    )
    return client, slept


@responses.activate
def test_create_sends_unique_summary_description_and_the_org_header():
    responses.post(f"{BASE}/v2/issues/", status=201, json=fixture("issue.json"))
    client, _ = make()
    created = client.create(
        candidate=CANDIDATE, params=CreateParams(queue="HIRE"), marker="recruiting-1"
    )
    assert (created.id, created.status, created.status_display) == ("HIRE-17", "open", "Открыт")
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "OAuth y0_tok"
    assert request.headers["X-Cloud-Org-ID"] == "bpf123"
    body = json.loads(request.body)
    assert body["unique"] == "recruiting-1" and body["queue"] == "HIRE"
    assert CANDIDATE.resume_url in body["description"] and "+79991234567" in body["description"]


@responses.activate
def test_description_lists_phones_in_e164_one_per_number():
    responses.post(f"{BASE}/v2/issues/", status=201, json=fixture("issue.json"))
    client, _ = make()
    candidate = dataclasses.replace(CANDIDATE, phones=("8 (916) 123-45-67", "+79161234567"))
    client.create(candidate=candidate, params=CreateParams(queue="HIRE"), marker="m")
    description = json.loads(responses.calls[0].request.body)["description"]
    assert [line for line in description.splitlines() if "Телефон" in line] == [
        "Телефон: +79161234567"
    ]


@responses.activate
def test_409_on_duplicate_unique_reads_the_issue_back_by_find_by_unique():
    # The official client's conflict path (yandex_tracker_client Issues.create).
    responses.post(f"{BASE}/v2/issues/", status=409)
    responses.post(
        f"{BASE}/v2/issues/_findByUnique",
        json=fixture("issue.json") | {"unique": "recruiting-1"},
    )
    client, _ = make()
    found = client.create(
        candidate=CANDIDATE, params=CreateParams(queue="HIRE"), marker="recruiting-1"
    )
    assert found.id == "HIRE-17"
    read_back = responses.calls[1].request
    assert read_back.params == {"unique": "recruiting-1"} and not read_back.body


@responses.activate
def test_409_whose_issue_cannot_be_read_back_is_unavailable_not_a_refusal():
    # The issue exists (409), but _findByUnique does not show it (yet): an
    # unclear outcome to reconcile by the marker, never "nothing was created".
    responses.post(f"{BASE}/v2/issues/", status=409)
    responses.post(f"{BASE}/v2/issues/_findByUnique", status=404)
    client, _ = make()
    with pytest.raises(errors.Unavailable) as exc:
        client.create(candidate=CANDIDATE, params=CreateParams(queue="HIRE"), marker="u")
    assert exc.value.details["reason"] == "exists_unread"


@pytest.mark.parametrize("unique", [None, "somebody-elses"])
@responses.activate
def test_find_never_adopts_an_issue_whose_unique_is_not_our_marker(unique):
    issue = fixture("issue.json") | ({"unique": unique} if unique else {})
    responses.post(f"{BASE}/v2/issues/_findByUnique", json=issue)
    client, _ = make()
    assert client.find(marker="recruiting-1") is None


@responses.activate
def test_create_is_retried_after_503_because_unique_makes_it_idempotent():
    responses.post(f"{BASE}/v2/issues/", status=503)
    responses.post(f"{BASE}/v2/issues/", status=201, json=fixture("issue.json"))
    client, _ = make()
    assert (
        client.create(candidate=CANDIDATE, params=CreateParams(queue="HIRE"), marker="u").id
        == "HIRE-17"
    )
    assert len(responses.calls) == 2


@responses.activate
def test_statuses_search_by_keys_and_a_resolution_closes():
    responses.post(f"{BASE}/v2/issues/_search", json=fixture("search.json"))
    client, _ = make()
    found = client.statuses(ids=["HIRE-17", "HIRE-18", "HIRE-99"])
    assert json.loads(responses.calls[0].request.body) == {
        "keys": ["HIRE-17", "HIRE-18", "HIRE-99"]
    }
    assert not found["HIRE-17"].is_closed and found["HIRE-17"].status == "inProgress"
    assert found["HIRE-18"].is_closed
    assert "HIRE-99" not in found


@responses.activate
def test_configured_closed_status_key_closes_without_resolution():
    responses.post(f"{BASE}/v2/issues/_search", json=fixture("search.json"))
    client, _ = make(closed_statuses=["inProgress"])
    assert client.statuses(ids=["HIRE-17"])["HIRE-17"].is_closed


@responses.activate
def test_unknown_queue_is_not_found_with_the_vendor_message():
    responses.get(f"{BASE}/v2/queues/NOPE", status=404, json=fixture("error_404.json"))
    client, _ = make()
    with pytest.raises(errors.NotFound) as exc:
        client.queue("NOPE")
    assert "Очередь не существует" in exc.value.message


@responses.activate
def test_queue_is_parsed():
    responses.get(f"{BASE}/v2/queues/HIRE", json=fixture("queue.json"))
    client, _ = make(org_header="X-Org-ID")
    assert client.queue("HIRE").name == "Hiring"
    assert responses.calls[0].request.headers["X-Org-ID"] == "bpf123"


@responses.activate
def test_malformed_search_is_invalid_response():
    responses.post(f"{BASE}/v2/issues/_search", json={"not": "a list"})
    client, _ = make()
    with pytest.raises(errors.InvalidResponse):
        client.statuses(ids=["HIRE-1"])


@responses.activate
def test_401_is_unauthenticated():
    responses.post(
        f"{BASE}/v2/issues/_search",
        status=401,
        json={"errors": {}, "errorMessages": ["Not authorized"], "statusCode": 401},
    )
    client, _ = make()
    with pytest.raises(errors.Unauthenticated):
        client.statuses(ids=["HIRE-1"])


def test_unknown_org_header_is_refused():
    with pytest.raises(errors.InvalidArgument):
        TrackerClient(base_url=BASE, token="t", org_id="1", org_header="X-Whatever")


@responses.activate
@pytest.mark.parametrize("key", ["../issues", "hire", "HIRE/x", ""])
def test_malformed_queue_key_never_reaches_the_url(key):
    client, _slept = make()
    with pytest.raises(errors.InvalidArgument):
        client.queue(key)
    assert len(responses.calls) == 0
