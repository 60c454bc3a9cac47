"""The YT emulator's transactions and snapshot locks (yt/docs api/commands.md)."""

from __future__ import annotations

import json
import time

import pytest

from sandbox.emulators.yt import set_table

pytestmark = pytest.mark.django_db
TABLE = "//home/support/clients_chat_exclusion"
AUTH = {"HTTP_AUTHORIZATION": "OAuth y0_tx"}


def command(client, name: str, **params):
    return client.post(
        f"/sandbox/yt/api/v4/{name}",
        json.dumps(params),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        **AUTH,
    )


def code(answer) -> int:
    return json.loads(answer["X-YT-Error"])["code"]


def test_a_read_in_an_unknown_transaction_is_no_such_transaction(client):
    set_table(TABLE, [{"client_id": 1}])
    answer = client.get(
        "/sandbox/yt/api/v4/read_table",
        HTTP_X_YT_PARAMETERS=json.dumps({"path": TABLE, "transaction_id": "0-1-2-3"}),
        **AUTH,
    )
    assert (answer.status_code, code(answer)) == (400, 11000)


def test_lock_needs_a_live_transaction_and_names_the_node_read_by_id(client):
    set_table(TABLE, [{"client_id": 1}])
    assert command(client, "lock", path=TABLE, mode="snapshot").status_code == 400
    tx = command(client, "start_transaction", timeout=60_000).json()["transaction_id"]
    locked = command(client, "lock", path=TABLE, mode="snapshot", transaction_id=tx).json()
    assert set(locked) == {"lock_id", "node_id"}
    read = client.get(
        "/sandbox/yt/api/v4/read_table",
        HTTP_X_YT_PARAMETERS=json.dumps({"path": f"#{locked['node_id']}", "transaction_id": tx}),
        HTTP_X_YT_OUTPUT_FORMAT='"json"',
        **AUTH,
    )
    assert b"".join(read.streaming_content).decode().strip() == '{"client_id": 1}'


def test_a_transaction_not_pinged_within_its_timeout_is_gone(client):
    tx = command(client, "start_transaction", timeout=1).json()["transaction_id"]
    time.sleep(0.05)
    answer = command(client, "ping_transaction", transaction_id=tx)
    assert (answer.status_code, code(answer)) == (400, 11000)


def test_transaction_commands_are_post_only(client):
    answer = client.get("/sandbox/yt/api/v4/start_transaction", **AUTH)
    assert answer.status_code == 405
