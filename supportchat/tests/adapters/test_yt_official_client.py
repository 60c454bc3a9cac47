"""The official `ytsaurus-client` (yt.wrapper) judges the YT emulator, and our
adapter does the same job on the same emulator (served at the root of its own
port: the client keeps only the host of its proxy URL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yt.wrapper as yt

from sandbox.emulators.yt import set_table
from supportchat.adapters.yt import YtClient, YtExclusionSource

TABLE = "//home/support/clients_chat_exclusion"
MODIFIED = datetime(2024, 3, 1, 10, 15, 42, 123456, tzinfo=UTC)
ROWS = [
    {"client_id": 1001, "segment": "SMB", "note": "Ромашка"},
    {"client_id": 1002, "segment": "ENT", "note": "Acme"},
]


@pytest.fixture
def yt_url(emulator_root) -> str:
    set_table(TABLE, ROWS, modification_time=MODIFIED)
    return emulator_root("yt")


@pytest.fixture
def official(yt_url) -> yt.YtClient:
    config = {
        "proxy": {"url": yt_url, "enable_proxy_discovery": True, "retries": {"enable": False}},
        "token": "y0_official",
    }
    return yt.YtClient(config=config)


def test_official_client_gets_the_table_attributes(official):
    assert official.get(f"{TABLE}/@modification_time") == "2024-03-01T10:15:42.123456Z"
    assert official.get(f"{TABLE}/@row_count") == 2


def test_official_client_exists(official):
    assert official.exists(TABLE)
    assert not official.exists(f"{TABLE}_missing")


def test_official_client_reads_the_table_as_json_text(official):
    # The client's default read: a transaction, a snapshot lock, `#<node id>`.
    assert official.config["read_retries"]["create_transaction_and_take_snapshot_lock"]
    rows = list(official.read_table(TABLE, format="json"))
    assert rows == ROWS


def test_official_client_transaction_lives_until_committed_or_aborted(official):
    tx = official.start_transaction(timeout=60_000)
    official.ping_transaction(tx)
    with official.Transaction(transaction_id=tx):
        locked = official.lock(TABLE, mode="snapshot")
        rows = list(official.read_table(f"#{locked['node_id']}", format="json"))
    assert rows == ROWS
    official.commit_transaction(tx)
    with pytest.raises(yt.YtResponseError) as exc:
        official.ping_transaction(tx)
    assert exc.value.is_no_such_transaction()
    aborted = official.start_transaction()
    official.abort_transaction(aborted)
    with pytest.raises(yt.YtResponseError) as exc:
        official.commit_transaction(aborted)
    assert exc.value.is_no_such_transaction()


def test_official_client_missing_path_is_its_resolve_error(official):
    with pytest.raises(yt.YtResponseError) as exc:
        official.get(f"{TABLE}_missing/@modification_time")
    assert exc.value.is_resolve_error()


def test_our_adapter_does_the_same_jobs_on_the_same_emulator(yt_url):
    client = YtClient(base_url=yt_url, token="y0_ours", sleep=lambda _s: None)
    source = YtExclusionSource(client, table=TABLE, column="client_id")
    version = source.version()
    assert (version.modified_at, version.row_count) == (MODIFIED, 2)
    assert source.client_ids(version) == [1001, 1002]
    assert [row["note"] for row in client.read_table(TABLE)] == ["Ромашка", "Acme"]
