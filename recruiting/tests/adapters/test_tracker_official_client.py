"""The official `yandex-tracker-client` judges the Tracker emulator, and our
adapter does the same job on the same emulator (served at the root of its own
port: the client keeps only the host of its base URL)."""

from __future__ import annotations

import pytest
from yandex_tracker_client import TrackerClient as OfficialClient
from yandex_tracker_client import exceptions as official_errors

from recruiting.adapters.subsystem_base import Candidate, CreateParams
from recruiting.adapters.tracker import TrackerClient

ORG = "bpf-official"
CANDIDATE = Candidate(urn="urn:hh:42", full_name="Иванов Иван", resume_url="https://hh.ru/r/42")


@pytest.fixture
def tracker_url(emulator_root) -> str:
    return emulator_root("tracker")


@pytest.fixture
def official(tracker_url) -> OfficialClient:
    return OfficialClient(token="y0_official", org_id=ORG, base_url=tracker_url, retries=0)


def ours(tracker_url: str) -> TrackerClient:
    return TrackerClient(base_url=tracker_url, token="y0_ours", org_id=ORG, sleep=lambda _s: None)


def test_official_client_creates_an_issue_with_unique_and_reads_its_status(official):
    issue = official.issues.create(queue="HIRE", summary="Кандидат Иванов", unique="rec-1")
    assert issue.key.startswith("HIRE-") and issue.unique == "rec-1"
    assert official.issues[issue.key].status.key == "open"


def test_official_client_conflict_handling_returns_the_same_issue(official):
    first = official.issues.create(queue="HIRE", summary="Кандидат Иванов", unique="rec-2")
    again = official.issues.create(queue="HIRE", summary="Кандидат Иванов", unique="rec-2")
    assert (again.key, again.unique) == (first.key, "rec-2")


def test_official_client_finds_issues_by_keys_as_the_poller_does(official):
    keys = [official.issues.create(queue="HIRE", summary=f"К{n}").key for n in range(3)]
    found = official.issues.find(keys=keys[:2])
    assert sorted(issue.key for issue in found) == sorted(keys[:2])


def test_official_client_missing_issue_is_its_not_found(official):
    with pytest.raises(official_errors.NotFound):
        official.issues["HIRE-999"]  # noqa: B018 (the lookup is the request)


def test_our_adapter_does_the_same_jobs_on_the_same_emulator(official, tracker_url):
    client = ours(tracker_url)
    created = client.create(candidate=CANDIDATE, params=CreateParams(queue="HIRE"), marker="rec-3")
    again = client.create(candidate=CANDIDATE, params=CreateParams(queue="HIRE"), marker="rec-3")
    assert again.id == created.id
    assert client.find(marker="rec-3").id == created.id
    assert client.find(marker="rec-absent") is None
    assert client.statuses(ids=[created.id])[created.id].status == "open"
    # ... and the official client sees the adapter's issue under the same unique.
    assert official.issues[created.id].unique == "rec-3"
