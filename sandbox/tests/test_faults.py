"""The emulator frame over real HTTP: fault knobs reach the client base."""

from __future__ import annotations

import pytest
import requests

from core import errors
from core.http import ApiClient
from sandbox.faults import set_faults

pytestmark = pytest.mark.django_db(transaction=True)


class Echo(ApiClient):
    system = "echo"


def client(sandbox_url: str, **kwargs) -> Echo:
    return Echo(base_url=f"{sandbox_url}/echo", sleep=lambda _: None, **kwargs)


def test_emulator_answers_without_login(sandbox_url):
    assert client(sandbox_url)._json("GET", "status/200", params={"q": "1"})["query"] == {"q": "1"}


def test_fail_next_fails_that_many_calls_then_recovers(sandbox_url):
    set_faults("echo", fail_next=2, error_status=503)
    assert client(sandbox_url)._json("GET", "status/200")["method"] == "GET"
    with pytest.raises(errors.Unavailable):
        set_faults("echo", fail_next=3, error_status=503)
        client(sandbox_url, max_retries=2)._request("GET", "status/200")


def test_error_rate_one_answers_the_configured_status(sandbox_url):
    set_faults("echo", error_rate=1.0, error_status=403)
    with pytest.raises(errors.PermissionDenied):
        client(sandbox_url)._request("GET", "status/200")


def test_malformed_body_is_invalid_response(sandbox_url):
    set_faults("echo", malformed_rate=1.0)
    with pytest.raises(errors.InvalidResponse):
        client(sandbox_url)._json("GET", "status/200")


def test_latency_beyond_the_read_timeout_is_deadline_exceeded(sandbox_url):
    set_faults("echo", latency_ms=600)
    with pytest.raises(errors.DeadlineExceeded):
        client(sandbox_url, timeout=(1, 0.2), max_retries=0)._request("GET", "status/200")


def test_settings_supply_defaults_until_the_admin_overrides(sandbox_url, settings):
    settings.SANDBOX_FAULTS = {"echo": {"error_rate": 1.0, "error_status": 404}}
    with pytest.raises(errors.NotFound):
        client(sandbox_url)._request("GET", "status/200")
    set_faults("echo", error_rate=0.0)
    assert client(sandbox_url)._request("GET", "status/200").status_code == 200


def test_endpoint_knobs_apply_to_that_endpoint_alone(sandbox_url):
    set_faults("hh-dictionaries", error_rate=1.0, error_status=503)
    dictionaries = requests.get(f"{sandbox_url}/hh/dictionaries", timeout=5)
    assert dictionaries.status_code == 503
    token = requests.post(f"{sandbox_url}/hh/token", data={"grant_type": "x"}, timeout=5)
    assert token.status_code == 400  # answered by the emulator, not the fault
    set_faults("hh", error_rate=1.0, error_status=502)  # the system's knobs still apply
    assert requests.post(f"{sandbox_url}/hh/token", timeout=5).status_code == 502
