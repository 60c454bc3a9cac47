"""The certification adapter at the transport level (`responses`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import requests
import responses

from core import errors
from freelancers.adapters.base import CertificateInfo
from freelancers.adapters.certification import CertificationClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "certification"
BASE = "https://certification.example"
URL = f"{BASE}/v1/certificates/findByUids"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def client() -> CertificationClient:
    return CertificationClient(base_url=BASE, max_retries=2, sleep=lambda _: None)


@responses.activate
def test_answer_is_parsed_per_uid_and_a_left_out_uid_is_not_an_answer(client):
    responses.post(URL, json=fixture("find_by_uids.json"))
    result = client.find_by_uids([1001, 1002, 1003])
    assert json.loads(responses.calls[0].request.body) == {"uids": [1001, 1002, 1003]}
    assert result.by_uid[1001].certificates == (
        CertificateInfo("cert-1", "direct", date(2025, 1, 20), date(2026, 1, 20)),
        CertificateInfo("77", "metrika", date(2025, 3, 1), date(2026, 3, 1)),
    )
    assert result.by_uid[1002].certificates == ()
    assert 1003 not in result.by_uid
    assert result.not_reported == (1003,)


@responses.activate
def test_broken_certificates_are_skipped_and_counted_not_fatal(client, caplog):
    responses.post(URL, json=fixture("find_by_uids_broken_certificates.json"))
    result = client.find_by_uids([1001])
    assert [c.id for c in result.by_uid[1001].certificates] == ["ok"]
    assert result.by_uid[1001].skipped == 3
    assert len(result.problems) == 3
    assert "malformed date" in caplog.text
    assert "unknown fields ['level']" in caplog.text


@responses.activate
def test_server_error_is_retried_then_succeeds(client):
    responses.post(URL, status=503)
    responses.post(URL, json=fixture("find_by_uids.json"))
    assert client.find_by_uids([1001]).by_uid[1001].certificates
    assert len(responses.calls) == 2


@responses.activate
def test_persistent_server_error_is_unavailable(client):
    responses.post(URL, status=500)
    with pytest.raises(errors.Unavailable):
        client.find_by_uids([1001])
    assert len(responses.calls) == 3


@responses.activate
def test_timeout_is_deadline_exceeded(client):
    responses.post(URL, body=requests.exceptions.ReadTimeout())
    with pytest.raises(errors.DeadlineExceeded):
        client.find_by_uids([1001])


@responses.activate
def test_rejected_request_carries_the_service_description(client):
    responses.post(URL, status=400, json=fixture("error.json"))
    with pytest.raises(errors.ServiceError) as caught:
        client.find_by_uids([1001])
    assert "at most 1000 uids" in caught.value.message
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        b'{"result": [{"uid": ',
        b'{"items": []}',
        b'{"result": [{"uid": "1001", "certificates": []}]}',
        b'{"result": [{"uid": 1001, "certificates": null}]}',
        b"[]",
    ],
)
def test_broken_frame_is_invalid_response(client, body):
    responses.post(URL, body=body, content_type="application/json")
    with pytest.raises(errors.InvalidResponse):
        client.find_by_uids([1001])
