"""A YT error tree as the vendor's own test quotes it (fixtures/yt/vendor/,
sources in its SOURCES.md) through the adapter, and the emulator's beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from django.test import Client

from core import errors
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
