"""The HTTP client base, against `responses` (transport level) and the echo emulator."""

from __future__ import annotations

import math
import random
import socket
from datetime import date

import pytest
import requests
import responses

from core import errors, jsontext
from core.http import ApiClient, parse_retry_after
from core.tests.loopback import Server

BASE = "https://api.example.test"


class Client(ApiClient):
    system = "example"


class MaxJitter(random.Random):
    """Always draws the top of the jitter range, so the backoff caps show."""

    def uniform(self, a: float, b: float) -> float:
        return b


def make(**kwargs) -> tuple[Client, list[float]]:
    slept: list[float] = []
    return Client(base_url=BASE, sleep=slept.append, **kwargs), slept


@responses.activate
def test_get_retries_503_then_succeeds():
    responses.get(f"{BASE}/items", status=503)
    responses.get(f"{BASE}/items", json={"ok": True})
    client, slept = make()
    assert client._json("GET", "/items") == {"ok": True}
    assert len(responses.calls) == 2
    assert len(slept) == 1 and 0 <= slept[0] <= 0.25


@responses.activate
def test_retries_are_bounded_and_end_in_unavailable():
    responses.get(f"{BASE}/items", status=502)
    client, slept = make(max_retries=2)
    with pytest.raises(errors.Unavailable) as exc:
        client._request("GET", "/items")
    assert len(responses.calls) == 3
    assert exc.value.details == {"system": "example", "status": 502}


@responses.activate
def test_backoff_grows_exponentially_within_its_cap():
    responses.get(f"{BASE}/items", status=503)
    client, slept = make(max_retries=5, backoff_base=1.0, backoff_max=4.0, rng=MaxJitter())
    with pytest.raises(errors.Unavailable):
        client._request("GET", "/items")
    assert slept == [1, 2, 4, 4, 4]


@responses.activate
def test_post_is_not_retried_on_5xx():
    responses.post(f"{BASE}/leads", status=503)
    client, _ = make()
    with pytest.raises(errors.Unavailable):
        client._request("POST", "/leads", json={})
    assert len(responses.calls) == 1


@responses.activate
def test_idempotent_post_is_retried_on_5xx():
    responses.post(f"{BASE}/issues", status=500)
    responses.post(f"{BASE}/issues", status=201, json={"key": "Q-1"})
    client, _ = make()
    assert client._json("POST", "/issues", json={}, idempotent=True) == {"key": "Q-1"}


@responses.activate
def test_429_honours_retry_after_even_for_post():
    responses.post(f"{BASE}/leads", status=429, headers={"Retry-After": "2"})
    responses.post(f"{BASE}/leads", status=200, json={"id": 1})
    client, slept = make()
    assert client._json("POST", "/leads", json={}) == {"id": 1}
    assert slept == [2.0]


@responses.activate
def test_retry_after_beyond_the_cap_gives_up_with_resource_exhausted():
    responses.get(f"{BASE}/items", status=429, headers={"Retry-After": "3600"})
    client, slept = make()
    with pytest.raises(errors.ResourceExhausted):
        client._request("GET", "/items")
    assert slept == [] and len(responses.calls) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, errors.InvalidArgument),
        (401, errors.Unauthenticated),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (409, errors.AlreadyExists),
        (412, errors.FailedPrecondition),
        (418, errors.Unavailable),
    ],
)
@responses.activate
def test_client_errors_map_to_codes_without_retry(status, error):
    responses.get(f"{BASE}/items", status=status)
    client, slept = make()
    with pytest.raises(error):
        client._request("GET", "/items")
    assert slept == []


@responses.activate
def test_ok_statuses_are_returned_not_raised():
    responses.get(f"{BASE}/items", status=404)
    client, _ = make()
    assert client._request("GET", "/items", ok=[404]).status_code == 404


@responses.activate
def test_malformed_json_is_invalid_response():
    responses.get(f"{BASE}/items", body='{"items": [', content_type="application/json")
    client, _ = make()
    with pytest.raises(errors.InvalidResponse) as exc:
        client._json("GET", "/items")
    assert exc.value.code is errors.Code.UNAVAILABLE


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"name": "Иванов"}'.encode(), "application/json"),
        ('\ufeff{"name": "Иванов"}'.encode(), "application/json"),  # a byte order mark
        ('{"name": "Иванов"}'.encode("cp1251"), "application/json; charset=windows-1251"),
    ],
    ids=["utf-8", "utf-8 with BOM", "declared windows-1251"],
)
@responses.activate
def test_json_answers_in_any_declared_encoding_are_read(body, content_type):
    responses.get(f"{BASE}/items", body=body, content_type=content_type)
    client, _ = make()
    assert client._json("GET", "/items") == {"name": "Иванов"}


def test_json_text_is_compact_utf8_and_keeps_the_key_order():
    assert jsontext.dumps({"b": 1, "a": "ё"}) == '{"b":1,"a":"ё"}'
    assert jsontext.dumps(jsontext.loads('{"b":1,"a":"ё"}')) == '{"b":1,"a":"ё"}'
    assert jsontext.loads(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    with pytest.raises(ValueError):
        jsontext.loads("{")


def test_json_text_reads_and_refuses_what_the_standard_library_does():
    """orjson refuses NaN and huge exponents and writes dates and int keys;
    `json`, which wrote the rows stored before, does the opposite."""
    read = jsontext.loads('{"rate": NaN, "far": 1e400, "big": 18446744073709551615}')
    assert math.isnan(read["rate"]) and read["far"] == math.inf
    assert read["big"] == 2**64 - 1 and isinstance(read["big"], int)
    assert jsontext.dumps({1: "a"}) == '{"1":"a"}'
    with pytest.raises(TypeError):
        jsontext.dumps({"day": date(2026, 1, 1)})


@responses.activate
def test_a_declared_charset_other_than_utf8_is_decoded_as_declared():
    # Valid UTF-8 bytes, but the server says latin-1: read as latin-1, as requests reads it.
    responses.get(
        f"{BASE}/items",
        body='{"a": "é"}'.encode(),
        content_type="application/json; charset=latin-1",
    )
    client, _ = make()
    assert client._json("GET", "/items") == {"a": "Ã©"}


@responses.activate
def test_connection_error_is_unavailable_after_retries():
    responses.get(f"{BASE}/items", body=requests.exceptions.ConnectionError("refused"))
    client, slept = make(max_retries=1)
    with pytest.raises(errors.Unavailable):
        client._request("GET", "/items")
    assert len(responses.calls) == 2


@responses.activate
def test_read_timeout_on_post_is_deadline_exceeded_without_retry():
    responses.post(f"{BASE}/leads", body=requests.exceptions.ReadTimeout("slow"))
    client, slept = make()
    with pytest.raises(errors.DeadlineExceeded):
        client._request("POST", "/leads", json={})
    assert len(responses.calls) == 1


@responses.activate
def test_read_timeout_on_post_says_the_outcome_is_unknown():
    responses.post(f"{BASE}/token", body=requests.exceptions.ReadTimeout("slow"))
    client, _ = make()
    with pytest.raises(errors.DeadlineExceeded) as raised:
        client._request("POST", "/token", data={})
    assert raised.value.details["outcome_unknown"] is True


@responses.activate
def test_per_call_timeout_replaces_the_clients_default():
    responses.post(f"{BASE}/token", json={})
    responses.get(f"{BASE}/items", json={})
    client, _ = make(timeout=(1.0, 4.0))
    client._request("POST", "/token", timeout=(1.0, 30.0))
    client._request("GET", "/items")
    assert [c.request.req_kwargs["timeout"] for c in responses.calls] == [(1.0, 30.0), (1.0, 4.0)]


@responses.activate
def test_no_retry_sleeps_past_the_deadline():
    import time

    responses.get(f"{BASE}/items", status=503, headers={"Retry-After": "5"})
    client, slept = make()
    with pytest.raises(errors.Unavailable):
        client._request("GET", "/items", deadline=time.monotonic() + 1)
    assert slept == []


def test_passed_deadline_is_deadline_exceeded_before_any_call():
    import time

    client, _ = make()
    with pytest.raises(errors.DeadlineExceeded):
        client._request("GET", "/items", deadline=time.monotonic() - 1)


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@responses.activate
def test_logs_never_contain_query_strings(caplog):
    responses.get(f"{BASE}/items", json={})
    client, _ = make()
    with caplog.at_level("INFO", logger="core.http"):
        client._request("GET", "/items?access_token=s3cr3t-t0ken")
    assert "s3cr3t-t0ken" not in caplog.text
    assert "/items" in caplog.text


@responses.activate
def test_get_read_timeout_is_retried():
    responses.get(f"{BASE}/items", body=requests.exceptions.ReadTimeout("slow"))
    responses.get(f"{BASE}/items", json={"ok": 1})
    client, slept = make()
    assert client._json("GET", "/items") == {"ok": 1}


@responses.activate
def test_503_honours_retry_after():
    responses.get(f"{BASE}/items", status=503, headers={"Retry-After": "4"})
    responses.get(f"{BASE}/items", json={})
    client, slept = make()
    client._request("GET", "/items")
    assert slept == [4.0]


@responses.activate
def test_408_is_retried_as_a_deadline():
    responses.get(f"{BASE}/items", status=408)
    client, _ = make(max_retries=1)
    with pytest.raises(errors.DeadlineExceeded):
        client._request("GET", "/items")
    assert len(responses.calls) == 2


def test_post_is_never_resent_after_the_connection_broke_mid_request():
    server = Server(b"", close=True)  # reads each request, then closes without answering
    try:
        client = Client(base_url=server.url, sleep=lambda _: None, max_retries=3)
        with pytest.raises(errors.Unavailable) as raised:
            client._request("POST", "/leads", json={"name": "x"})
        assert server.requests == 1
        assert raised.value.details["outcome_unknown"] is True
        with pytest.raises(errors.Unavailable):
            client._request("GET", "/leads")
        assert server.requests == 1 + 4  # a GET may go again
    finally:
        server.stop.set()


def test_refused_connection_is_retried_even_for_post():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now: connection refused
    slept: list[float] = []
    client = Client(base_url=f"http://127.0.0.1:{port}", sleep=slept.append, max_retries=2)
    with pytest.raises(errors.Unavailable) as raised:
        client._request("POST", "/leads", json={})
    assert len(slept) == 2
    assert "outcome_unknown" not in raised.value.details  # nothing reached the server


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ('{"error": "x"}', "application/json", {"error": "x"}),
        ("[1, 2]", "application/json", {}),
        ("Bad Gateway", "text/plain", {}),
        ("", "text/plain", {}),
    ],
)
@responses.activate
def test_error_body_is_the_json_object_or_nothing(body, content_type, expected):
    from core.http import error_body

    responses.get(f"{BASE}/x", status=502, body=body, content_type=content_type)
    assert error_body(requests.get(f"{BASE}/x", timeout=1)) == expected


@responses.activate
def test_proxies_from_the_environment_are_used_and_no_proxy_is_honoured(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", "direct.example.test")
    responses.get(f"{BASE}/items", json={})
    responses.get("https://direct.example.test/items", json={})
    client, _ = make()
    client._json("GET", "/items")
    client._json("GET", "/items")  # the second call uses what the first read
    client._json("GET", "https://direct.example.test/items")
    proxied, again, direct = (call.request.req_kwargs for call in responses.calls)
    assert (
        proxied["proxies"]["https"] == again["proxies"]["https"] == "http://proxy.example.test:3128"
    )
    assert "https" not in direct["proxies"]
