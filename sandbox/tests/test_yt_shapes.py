"""The YT emulator answers in the shape of yt/docs' own examples.

The examples are YTsaurus' (supportchat/tests/fixtures/yt/vendor/, sources in
its SOURCES.md): `/hosts`, a `get` of table attributes, JSON table rows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from sandbox.emulators import yson_text
from sandbox.emulators.yt import set_table
from sandbox.tests.shapes import shape_problems

pytestmark = pytest.mark.django_db
YT = Path(__file__).resolve().parents[2] / "supportchat" / "tests" / "fixtures" / "yt" / "vendor"
TABLE = "//tmp/test-json"
AUTH = {"HTTP_AUTHORIZATION": "OAuth y0_shapes"}
TEXT_JSON = json.dumps({"$value": "json", "$attributes": {"encode_utf8": False}})


def vendor_rows() -> list[dict]:
    return [json.loads(line) for line in (YT / "docs_json_rows.jsonl").read_text().splitlines()]


@pytest.fixture
def table():
    return set_table(
        TABLE, vendor_rows(), modification_time=datetime(2013, 12, 6, 19, 0, 48, 256444, tzinfo=UTC)
    )


def get(client, node: str):
    return client.get(
        "/sandbox/yt/api/v4/get", {"path": node}, HTTP_ACCEPT="application/json", **AUTH
    )


def test_attribute_map_is_typed_like_the_documented_one(client, table):
    ours = get(client, f"{TABLE}/@").json()["value"]
    theirs = json.loads((YT / "docs_get_attributes_v3.json").read_text())
    # The example's `"sorted": "false"` is a string where static-tables.md types
    # `sorted` as bool: the emulator follows the attribute's documented type.
    theirs.pop("sorted")
    shared = {key: value for key, value in ours.items() if key in theirs}
    assert set(shared) == {"row_count", "uncompressed_data_size"}
    assert shape_problems(shared, theirs) == []
    assert isinstance(ours["sorted"], bool)


def test_modification_time_is_spelled_like_the_documented_cypress_time(client, table):
    documented = yson_text.loads((YT / "docs_attributes_cli.yson").read_text())["creation_time"]
    assert get(client, f"{TABLE}/@modification_time").json() == {"value": documented}


def test_read_table_in_json_text_answers_the_documented_rows(client, table):
    answer = client.get(
        "/sandbox/yt/api/v4/read_table",
        HTTP_X_YT_PARAMETERS=json.dumps({"path": TABLE}),
        HTTP_X_YT_OUTPUT_FORMAT=TEXT_JSON,
        **AUTH,
    )
    assert answer.status_code == 202
    lines = b"".join(answer.streaming_content).decode().splitlines()
    assert [json.loads(line) for line in lines] == vendor_rows()


def test_read_table_in_default_json_spells_utf8_bytes_as_code_points(client, table):
    """formats.md: the json format's default is encode_utf8=%true."""
    answer = client.get(
        "/sandbox/yt/api/v4/read_table",
        {"path": TABLE},
        HTTP_X_YT_OUTPUT_FORMAT='"json"',
        **AUTH,
    )
    first = json.loads(b"".join(answer.streaming_content).decode().splitlines()[0])
    assert first["color"] == "красный".encode().decode("latin1")


def test_hosts_at_a_root_are_bare_host_names_like_the_documented_list(emulator_root):
    ours = requests.get(f"{emulator_root('yt')}/hosts", timeout=10).json()
    theirs = json.loads((YT / "docs_hosts.json").read_text())
    assert shape_problems(ours, theirs) == []
    assert all("/" not in host and ":" in host for host in ours)


def test_hosts_under_a_path_list_no_host(client):
    assert client.get("/sandbox/yt/hosts").json() == []
