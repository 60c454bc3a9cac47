"""The Tracker emulator answers in the shape of the vendor's examples.

The examples are Yandex's own (recruiting/tests/fixtures/tracker/vendor/,
sources in its SOURCES.md): the API documentation's issue and queue, and the
official client's test fixtures.
"""

from __future__ import annotations

import json

import pytest

from sandbox.tests.shapes import VENDOR_FIXTURES, shape_problems

pytestmark = pytest.mark.django_db
TRACKER = VENDOR_FIXTURES / "tracker" / "vendor"
HEADERS = {"HTTP_AUTHORIZATION": "OAuth y0_shapes", "HTTP_X_ORG_ID": "42"}


def vendor(name: str):
    return json.loads((TRACKER / name).read_text())


def docs_issue() -> dict:
    return vendor("docs_issues.json")[0]


def issue_example() -> dict:
    """Every key either vendor example of an issue documents."""
    return vendor("client_issue_with_unique.json") | docs_issue()


@pytest.fixture
def api(client):
    def call(method: str, path: str, body=None, **params):
        url = f"/sandbox/tracker/v2/{path}"
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        data = json.dumps(body) if body is not None else None
        return getattr(client, method)(url, data, content_type="application/json", **HEADERS)

    return call


def create(api, unique: str = "shape-1"):
    return api("post", "issues/", {"queue": "HIRE", "summary": "Кандидат", "unique": unique})


def test_created_issue_is_shaped_like_the_documented_issue(api):
    answer = create(api)
    assert answer.status_code == 201
    assert shape_problems(answer.json(), issue_example()) == []


def test_issue_read_by_key_is_shaped_like_the_documented_issue(api):
    key = create(api).json()["key"]
    assert shape_problems(api("get", f"issues/{key}").json(), issue_example()) == []


def test_search_answers_a_list_of_documented_issues(api):
    key = create(api).json()["key"]
    found = api("post", "issues/_search", {"keys": [key]}, perPage=50)
    assert isinstance(found.json(), list) and len(found.json()) == 1
    assert shape_problems(found.json(), [issue_example()]) == []


def test_find_by_unique_answers_like_the_official_clients_example(api):
    create(api, unique="shape-2")
    found = api("post", "issues/_findByUnique", unique="shape-2")
    assert found.status_code == 200
    assert found.json()["unique"] == "shape-2"
    assert shape_problems(found.json(), issue_example()) == []


def test_repeated_create_and_unknown_unique_answer_without_a_body(api):
    """The official client's tests: 409 on a repeated `unique`, 404 from _findByUnique."""
    create(api, unique="shape-3")
    again = create(api, unique="shape-3")
    assert (again.status_code, again.content) == (409, b"")
    missing = api("post", "issues/_findByUnique", unique="nobody")
    assert missing.status_code == 404


@pytest.mark.parametrize("example", ["docs_queue.json", "client_queue.json"])
def test_queue_is_shaped_like_the_vendor_examples(api, example):
    ours = api("get", "queues/HIRE").json()
    assert shape_problems(ours, vendor(example)) == []
    assert isinstance(ours["id"], int)  # both examples send a number
