"""A YT error tree as the vendor's own test quotes it (fixtures/yt/vendor/,
sources in its SOURCES.md) through the adapter, and the emulator's beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from django.test import Client

from core import errors
from sandbox.emulators import yson_text
from supportchat.adapters.yt import YtClient, YtExclusionSource

VENDOR = Path(__file__).parent.parent / "fixtures" / "yt" / "vendor"
PROXY = "https://cluster.yt.example.net"
TREE = (VENDOR / "error_ut_resolve.json").read_text().strip()


def source() -> YtExclusionSource:
    client = YtClient(base_url=PROXY, token="t", sleep=lambda _: None)
    return YtExclusionSource(client, table="//home/user/link", column="client_id")


@responses.activate
def test_vendor_tree_in_x_yt_error_is_not_found():
    responses.get(f"{PROXY}/api/v4/get", body="", status=400, headers={"X-YT-Error": TREE})
    with pytest.raises(errors.NotFound) as exc:
        source().version()
    assert "Error resolving path //home/user/link" in exc.value.message


@responses.activate
def test_vendor_tree_in_the_body_alone_is_not_found():
    responses.get(f"{PROXY}/api/v4/get", body=TREE, status=400, content_type="application/json")
    with pytest.raises(errors.NotFound):
        source().version()


@responses.activate
def test_vendor_tree_in_the_header_of_a_200_is_an_error():
    responses.get(f"{PROXY}/api/v4/get", json={"value": None}, headers={"X-YT-Error": TREE})
    with pytest.raises(errors.NotFound):
        source().version()


def node_shape(node: dict) -> list:
    """Keys and JSON types of every node of an error tree, attributes' contents aside."""
    kinds = {k: type(v).__name__ for k, v in node.items()}
    return [kinds, [node_shape(inner) for inner in node["inner_errors"][:1]]]


@pytest.mark.django_db
def test_emulated_resolve_error_tree_is_shaped_like_the_vendors(settings):
    response = Client().get(
        "/sandbox/yt/api/v4/get",
        {"path": "//home/nowhere/table/@row_count"},
        HTTP_AUTHORIZATION=f"OAuth {settings.YT_TOKEN or 'sandbox'}",
    )
    assert response.status_code == 400
    ours = json.loads(response["X-YT-Error"])
    assert "\n" not in response["X-YT-Error"]
    assert ours == json.loads(response.content)
    assert node_shape(ours) == node_shape(json.loads(TREE))
    assert ours["code"] == json.loads(TREE)["code"]


def vendor_json(name: str):
    return json.loads((VENDOR / name).read_text())


# yt/docs storage/attributes.md: the documented spelling of a Cypress time
# (`creation_time`; `@modification_time` shares it).
DOCS_TIME = yson_text.loads((VENDOR / "docs_attributes_cli.yson").read_text())["creation_time"]


# yt/docs proxy/http.md: `get` of a table's attributes (v3, bare; v4 wraps it in "value").
@responses.activate
def test_vendor_time_and_row_count_make_the_table_version():
    attributes = vendor_json("docs_get_attributes_v3.json")
    responses.get(
        f"{PROXY}/api/v4/get",
        json={"value": DOCS_TIME},
        match=[
            responses.matchers.query_param_matcher({"path": "//home/user/link/@modification_time"})
        ],
    )
    responses.get(
        f"{PROXY}/api/v4/get",
        json={"value": attributes["row_count"]},
        match=[responses.matchers.query_param_matcher({"path": "//home/user/link/@row_count"})],
    )
    version = source().version()
    assert version.modified_at == datetime(2013, 12, 6, 19, 0, 48, 256444, tzinfo=UTC)
    assert version.row_count == 8488


# yt/docs proxy/http.md: `/hosts` lists bare host names; heavy reads go to the first.
# The rows are http.md's JSON table rows (`encode_utf8=%false`, as the adapter asks).
@responses.activate
def test_vendor_hosts_and_json_rows_are_read_from_the_first_heavy_proxy():
    responses.get(f"{PROXY}/hosts", json=vendor_json("docs_hosts.json"))
    responses.get(
        "https://n0008-sas.cluster-name/api/v4/read_table",
        body=(VENDOR / "docs_json_rows.jsonl").read_bytes(),
        status=202,
        headers={"X-YT-Response-Code": "0"},
    )
    client = YtClient(base_url=PROXY, token="t", sleep=lambda _: None)
    rows = list(client.read_table("//tmp/test-json"))
    assert rows == [{"color": "красный", "value": "#f00"}, {"color": "red", "value": "#f00"}]
