"""The request an `ApiClient` sends: what `Session.request` would send
(`ApiClient._prepared`), against `responses` (transport level)."""

from __future__ import annotations

import responses

from core import jsontext
from core.http import ApiClient

BASE = "https://api.example.test"


class Client(ApiClient):
    system = "example"


def make(**kwargs) -> tuple[Client, list[float]]:
    slept: list[float] = []
    return Client(base_url=BASE, sleep=slept.append, **kwargs), slept


@responses.activate
def test_the_sessions_headers_go_with_the_calls_own_which_win():
    responses.get(f"{BASE}/items", json={})
    client, _ = make(headers={"X-App": "app", "Accept": "application/json"})
    client._request(
        "GET", "/items", params={"q": "разработчик", "page": 2}, headers={"accept": "text/csv"}
    )
    sent = responses.calls[0].request
    assert sent.headers["X-App"] == "app"
    assert sent.headers["Accept"] == "text/csv"  # the call's, whatever its case
    assert sent.headers["User-Agent"].startswith("recruiting-platform")
    assert (
        sent.url
        == f"{BASE}/items?q=%D1%80%D0%B0%D0%B7%D1%80%D0%B0%D0%B1%D0%BE%D1%82%D1%87%D0%B8%D0%BA&page=2"
    )


@responses.activate
def test_a_header_the_call_sets_to_none_is_not_sent():
    responses.get(f"{BASE}/items", json={})
    client, _ = make(headers={"X-App": "app"})
    client._request("GET", "/items", headers={"X-App": None})
    assert "X-App" not in responses.calls[0].request.headers


@responses.activate
def test_a_cookie_the_system_set_is_sent_back():
    responses.get(f"{BASE}/login", json={}, headers={"Set-Cookie": "route=b2; Path=/"})
    responses.get(f"{BASE}/items", json={})
    client, _ = make()
    client._request("GET", "/login")
    client._request("GET", "/items")
    assert responses.calls[1].request.headers["Cookie"] == "route=b2"
    client._request("GET", "/items", cookies={"lang": "ru"})  # the call's own join them
    assert responses.calls[2].request.headers["Cookie"] == "route=b2; lang=ru"
    client._request("GET", "/items")
    assert responses.calls[3].request.headers["Cookie"] == "route=b2"


@responses.activate
def test_redirects_are_followed_unless_the_call_says_not_to():
    responses.get(f"{BASE}/old", status=302, headers={"Location": f"{BASE}/new"})
    responses.get(f"{BASE}/new", json={"moved": True})
    client, _ = make()
    assert client._json("GET", "/old") == {"moved": True}
    kept = client._request("GET", "/old", allow_redirects=False, ok=[302])
    assert kept.status_code == 302 and kept.headers["Location"] == f"{BASE}/new"


@responses.activate
def test_a_json_body_and_a_form_are_sent_as_requests_sends_them():
    responses.post(f"{BASE}/items", json={})
    client, _ = make()
    client._request("POST", "/items", json={"name": "Анна"}, idempotent=True)
    client._request("POST", "/items", data={"grant_type": "refresh_token"}, idempotent=True)
    json_call, form_call = (c.request for c in responses.calls)
    assert json_call.headers["Content-Type"] == "application/json"
    assert jsontext.loads(json_call.body) == {"name": "Анна"}
    assert form_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_call.body == "grant_type=refresh_token"
