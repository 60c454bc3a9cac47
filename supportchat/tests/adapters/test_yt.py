"""The YT adapter at the transport level, with payloads shaped like the proxy's."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from core import errors
from supportchat.adapters.base import TableVersion
from supportchat.adapters.yt import YtClient, YtExclusionSource, parse_modification_time

FIXTURES = Path(__file__).parent.parent / "fixtures" / "yt"
PROXY = "https://cluster.yt.example.net"
HEAVY = "https://hp-01.cluster.yt.example.net"
TABLE = "//home/support/clients_chat_exclusion"
# JSON output with text as text (the documented default encode_utf8=%true is not).
TEXT_JSON = {"$value": "json", "$attributes": {"encode_utf8": False}}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def source(**kwargs) -> YtExclusionSource:
    client = YtClient(base_url=PROXY, token="secret-token", sleep=lambda _: None, **kwargs)
    return YtExclusionSource(client, table=TABLE, column="client_id")


def add_attributes(row_count: str = "get_row_count.json") -> None:
    responses.get(
        f"{PROXY}/api/v4/get",
        body=fixture("get_modification_time.json"),
        match=[responses.matchers.query_param_matcher({"path": f"{TABLE}/@modification_time"})],
    )
    responses.get(
        f"{PROXY}/api/v4/get",
        body=fixture(row_count),
        match=[responses.matchers.query_param_matcher({"path": f"{TABLE}/@row_count"})],
    )


@responses.activate
def test_version_reads_modification_time_and_row_count_with_the_token():
    add_attributes()
    version = source().version()
    assert version.modified_at == datetime(2024, 3, 1, 10, 15, 42, 123456, tzinfo=UTC)
    assert version.row_count == 3
    assert responses.calls[0].request.headers["Authorization"] == "OAuth secret-token"
    assert json.loads(responses.calls[0].request.headers["X-YT-Output-Format"]) == TEXT_JSON


@responses.activate
def test_missing_table_is_not_found():
    responses.get(f"{PROXY}/api/v4/get", body=fixture("resolve_error.json"), status=400)
    with pytest.raises(errors.NotFound) as exc:
        source().version()
    assert "Error resolving path" in exc.value.message
    assert len(responses.calls) == 1  # a resolve error is not retried


@responses.activate
def test_access_denied_is_permission_denied():
    responses.get(f"{PROXY}/api/v4/get", body=fixture("access_denied.json"), status=400)
    with pytest.raises(errors.PermissionDenied):
        source().version()


@responses.activate
def test_error_header_on_a_200_answer_is_an_error():
    responses.get(
        f"{PROXY}/api/v4/get",
        json={"value": None},
        headers={"X-YT-Error": fixture("resolve_error.json").replace("\n", "")},
    )
    with pytest.raises(errors.NotFound):
        source().version()


@responses.activate
def test_503_several_times_in_a_row_is_retried_until_success():
    for _ in range(3):
        responses.get(f"{PROXY}/api/v4/get", status=503)
    add_attributes()
    assert source(max_retries=5).version().row_count == 3


@responses.activate
def test_503_past_the_retry_budget_is_unavailable():
    responses.get(f"{PROXY}/api/v4/get", status=503)
    with pytest.raises(errors.Unavailable):
        source(max_retries=2).version()
    assert len(responses.calls) == 3


@responses.activate
def test_malformed_modification_time_is_invalid_response():
    responses.get(f"{PROXY}/api/v4/get", json={"value": "yesterday"})
    with pytest.raises(errors.InvalidResponse):
        source().version()


@responses.activate
def test_read_table_goes_to_the_first_heavy_proxy_and_parses_ids():
    add_attributes()
    responses.get(f"{PROXY}/hosts", body=fixture("hosts.json"))
    responses.get(f"{HEAVY}/api/v4/read_table", body=fixture("read_table.jsonl"), status=202)
    src = source()
    assert src.client_ids(src.version()) == [1001, 1002, 1003]
    read = responses.calls[-1].request
    assert json.loads(read.headers["X-YT-Parameters"]) == {"path": TABLE}
    assert json.loads(read.headers["X-YT-Output-Format"]) == TEXT_JSON


@responses.activate
def test_read_table_falls_back_to_the_proxy_without_a_host_list():
    add_attributes()
    responses.get(f"{PROXY}/hosts", status=404)
    responses.get(f"{PROXY}/api/v4/read_table", body=fixture("read_table.jsonl"))
    src = source()
    assert src.client_ids(src.version()) == [1001, 1002, 1003]


@responses.activate
def test_a_stream_shorter_than_row_count_is_unavailable():
    add_attributes()
    responses.get(f"{PROXY}/hosts", json=[])
    responses.get(f"{PROXY}/api/v4/read_table", body='{"client_id": 1001}\n')
    src = source()
    with pytest.raises(errors.Unavailable, match="read 1 rows"):
        src.client_ids(src.version())


@responses.activate
def test_a_table_changed_while_read_is_not_read_again_in_vain():
    """Every retry compared the new table with the old row count and failed
    the same way: the run says the table changed, and the next one reads it."""
    add_attributes()
    responses.get(
        f"{PROXY}/api/v4/get",
        json={"value": "2024-03-01T10:20:00.000000Z"},
        match=[responses.matchers.query_param_matcher({"path": f"{TABLE}/@modification_time"})],
    )
    responses.get(f"{PROXY}/hosts", json=[])
    responses.get(f"{PROXY}/api/v4/read_table", body='{"client_id": 1001}\n')
    sleeps: list[float] = []
    client = YtClient(base_url=PROXY, sleep=sleeps.append, max_retries=3)
    src = YtExclusionSource(client, table=TABLE, column="client_id")
    version = src.version()
    with pytest.raises(errors.Unavailable, match="changed while it was read") as exc:
        src.client_ids(version)
    assert exc.value.details["reason"] == "table_changed" and sleeps == []


@responses.activate
@pytest.mark.parametrize(
    "body", ['{"client_id": "x1"}\n', '{"client_id": -5}\n', '{"client_id": 1\n', "[1]\n"]
)
def test_a_row_without_a_valid_client_id_is_invalid_response(body):
    responses.get(f"{PROXY}/hosts", json=[])
    responses.get(f"{PROXY}/api/v4/read_table", body=body)
    src = source()
    version = parse_modification_time("2024-03-01T10:15:42Z")
    with pytest.raises(errors.InvalidResponse):
        src.client_ids(TableVersion(location=TABLE, modified_at=version))
    # Bad data reads the same every time: read once, not retried.
    assert len([c for c in responses.calls if c.request.url.endswith("read_table")]) == 1


@responses.activate
def test_a_read_that_breaks_off_is_retried_whole_with_backoff():
    add_attributes()
    responses.get(f"{PROXY}/hosts", json=[])
    short = '{"client_id": 1001}\n'
    responses.get(f"{PROXY}/api/v4/read_table", body=short)
    responses.get(f"{PROXY}/api/v4/read_table", body=short)
    responses.get(f"{PROXY}/api/v4/read_table", body=fixture("read_table.jsonl"))
    sleeps: list[float] = []
    client = YtClient(base_url=PROXY, sleep=sleeps.append, max_retries=3)
    src = YtExclusionSource(client, table=TABLE, column="client_id")
    assert src.client_ids(src.version()) == [1001, 1002, 1003]
    assert len(sleeps) == 2


@responses.activate
def test_a_read_that_keeps_breaking_off_fails_after_the_bounded_retries():
    add_attributes()
    responses.get(f"{PROXY}/hosts", json=[])
    responses.get(f"{PROXY}/api/v4/read_table", body='{"client_id": 1001}\n')
    src = source(max_retries=2)
    with pytest.raises(errors.Unavailable, match="read 1 rows"):
        src.client_ids(src.version())
    reads = [c for c in responses.calls if c.request.url.endswith("read_table")]
    assert len(reads) == 3


@responses.activate
def test_a_light_proxy_redirect_to_a_heavy_proxy_keeps_the_token():
    add_attributes()
    responses.get(f"{PROXY}/hosts", status=404)
    responses.get(
        f"{PROXY}/api/v4/read_table",
        status=307,
        headers={"Location": f"{HEAVY}/api/v4/read_table"},
    )
    responses.get(f"{HEAVY}/api/v4/read_table", body=fixture("read_table.jsonl"))
    src = source()
    assert src.client_ids(src.version()) == [1001, 1002, 1003]
    read = responses.calls[-1].request
    assert read.url == f"{HEAVY}/api/v4/read_table"
    assert read.headers["Authorization"] == "OAuth secret-token"
    assert json.loads(read.headers["X-YT-Parameters"]) == {"path": TABLE}


@responses.activate
def test_the_heavy_proxy_from_hosts_gets_the_token_directly():
    add_attributes()
    responses.get(f"{PROXY}/hosts", body=fixture("hosts.json"))
    responses.get(f"{HEAVY}/api/v4/read_table", body=fixture("read_table.jsonl"))
    src = source()
    src.client_ids(src.version())
    assert responses.calls[-1].request.headers["Authorization"] == "OAuth secret-token"
