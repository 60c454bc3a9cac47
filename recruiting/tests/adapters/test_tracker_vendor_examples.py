"""The Tracker adapter reads the vendor's own examples (sources in
fixtures/tracker/vendor/SOURCES.md, named again beside each test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from core import errors
from recruiting.adapters.subsystem_base import Candidate, CreateParams, Queue
from recruiting.adapters.tracker import TrackerClient

BASE = "https://api.tracker.yandex.net"
VENDOR = Path(__file__).parent.parent / "fixtures" / "tracker" / "vendor"
CANDIDATE = Candidate(urn="urn:hh:1", full_name="Иванов Иван", resume_url="https://hh.ru/r/1")


def vendor(name: str):
    return json.loads((VENDOR / name).read_text())


def make() -> TrackerClient:
    return TrackerClient(base_url=BASE, token="y0", org_id="42", sleep=lambda _s: None)


# yandex-cloud/docs en/_includes/tracker/api/answer-issue.md
@responses.activate
def test_docs_search_answer_gives_the_status_of_each_key():
    responses.post(f"{BASE}/v2/issues/_search", json=vendor("docs_issues.json"))
    found = make().statuses(ids=["TREK-9844"])
    issue = found["TREK-9844"]
    assert (issue.status, issue.status_display, issue.is_closed) == ("open", "Open", False)


# yandex-cloud/docs en/_includes/tracker/api/answer-issue.md (one issue, as create answers)
@responses.activate
def test_docs_issue_is_the_answer_to_create():
    responses.post(f"{BASE}/v2/issues/", status=201, json=vendor("docs_issues.json")[0])
    created = make().create(candidate=CANDIDATE, params=CreateParams(queue="TREK"), marker="m")
    assert (created.id, created.status) == ("TREK-9844", "open")


# yandex/yandex_tracker_client tests/smoke/issues/test_issues_general.py
# (test_create_issue_with_conflict): 409 with no body, then _findByUnique.
@responses.activate
def test_client_conflict_example_is_resolved_through_find_by_unique():
    issue = vendor("client_issue_with_unique.json")
    responses.post(f"{BASE}/v2/issues/", status=409)
    responses.post(f"{BASE}/v2/issues/_findByUnique?unique={issue['unique']}", json=issue)
    found = make().create(
        candidate=CANDIDATE, params=CreateParams(queue="DUMMY"), marker=issue["unique"]
    )
    assert (found.id, found.status) == ("DUMMY-1", "open")


# yandex/yandex_tracker_client tests/smoke/issues/test_issues_general.py
# (test_create_issue_with_conflict_not_found): 409, then _findByUnique 404, no bodies.
@responses.activate
def test_client_conflict_not_found_example_is_an_unclear_outcome():
    responses.post(f"{BASE}/v2/issues/", status=409)
    responses.post(f"{BASE}/v2/issues/_findByUnique", status=404)
    with pytest.raises(errors.Unavailable):
        make().create(candidate=CANDIDATE, params=CreateParams(queue="DUMMY"), marker="x")


# yandex/yandex_tracker_client tests/smoke/issues/test_issues_general.py
# (test_issue_not_found): GET of a missing issue, 404 with no body.
@responses.activate
def test_client_not_found_example_without_a_body_is_not_found():
    responses.post(f"{BASE}/v2/issues/_search", status=404)
    with pytest.raises(errors.NotFound):
        make().statuses(ids=["DUMMY-123"])


# yandex-cloud/docs en/tracker/concepts/queues/get-queue.md (GET /v2/queues/TEST)
@responses.activate
def test_docs_queue_answer_gives_the_key_and_name():
    responses.get(f"{BASE}/v2/queues/TEST", json=vendor("docs_queue.json"))
    assert make().queue("TEST") == Queue(key="TEST", name="Test")


# yandex/yandex_tracker_client tests/common/queues.py (FakeQueue, tests/smoke/test_queues.py)
@responses.activate
def test_client_queue_example_gives_the_key_and_name():
    responses.get(f"{BASE}/v2/queues/BARAUTO", json=vendor("client_queue.json"))
    assert make().queue("BARAUTO") == Queue(key="BARAUTO", name="Test Queue")


# yandex/yandex_tracker_client tests/smoke: a 404 has no body; the adapter says which call.
@responses.activate
def test_missing_queue_without_a_body_is_not_found():
    responses.get(f"{BASE}/v2/queues/NOPE", status=404)
    with pytest.raises(errors.NotFound) as exc:
        make().queue("NOPE")
    assert "HTTP 404" in exc.value.message
