"""YT emulator: master transactions and snapshot locks, as yt.wrapper reads a table.

yt.wrapper's default read (`read_retries.create_transaction_and_take_snapshot_lock`)
starts a transaction, takes a snapshot lock on the table inside it, reads
`#<node_id>` (the locked node) with that `transaction_id`, pings the
transaction while it reads and aborts it when done. After yt/docs
api/commands.md (start_tx, ping_tx, commit_tx, abort_tx, lock; the v4 names
`start_transaction`, ... and v4 answers `{"transaction_id": ...}`,
`{"lock_id": ..., "node_id": ...}`).

Transactions live in the cache (shared by the web workers) for their
`timeout` (ms) after the last ping; an unknown or expired one is YT's
"no such transaction" (11000). A snapshot lock here names the node but does
not freeze its rows: the emulator keeps only the current version of a table.
"""

from __future__ import annotations

import math
import secrets
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sandbox.emulators import yt_http as proxy
from sandbox.faults import emulator
from sandbox.models import YtTable

DEFAULT_TIMEOUT_MS = 15_000  # commands.md start_tx: the documented default timeout


def _key(transaction_id: str) -> str:
    return f"sandbox-yt-tx:{transaction_id}"


def _new_id() -> str:
    # The documented shape of YT object ids: four hex parts ("0-54b-1-36223d20").
    return "-".join(secrets.token_hex(n) for n in (2, 3, 1, 4))


def _timeout_seconds(params: dict) -> float:
    try:
        return max(int(params.get("timeout", DEFAULT_TIMEOUT_MS)), 1) / 1000
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT_MS / 1000


def _keep(transaction_id: str, timeout: float) -> None:
    """Keep the transaction alive `timeout` seconds from now. The deadline is
    stored, not left to the cache's expiry, which some backends round to whole
    seconds."""
    deadline = time.time() + timeout
    cache.set(_key(transaction_id), (timeout, deadline), math.ceil(timeout) + 1)


def _alive(transaction_id: str) -> float | None:
    """The transaction's timeout (seconds) if it is alive, else None."""
    kept = cache.get(_key(transaction_id)) if transaction_id else None
    if kept is None or kept[1] < time.time():
        return None
    return kept[0]


def _no_such_transaction(transaction_id: str) -> HttpResponse:
    return proxy.error_response(
        {
            "code": proxy.NO_SUCH_TRANSACTION,
            "message": f"No such transaction {transaction_id}",
            "attributes": {"datetime": proxy.yt_time(timezone.now())},
            "inner_errors": [],
        },
        400,
    )


def transaction_problem(params: dict) -> HttpResponse | None:
    """The error of a command run in a transaction that does not exist, if so."""
    transaction_id = str(params.get("transaction_id") or "")
    if transaction_id and _alive(transaction_id) is None:
        return _no_such_transaction(transaction_id)
    return None


def node_id(table: YtTable) -> str:
    """The table's object id (what `lock` answers and `#<id>` paths name)."""
    return f"1-{table.pk:x}-191-{table.revision:x}"


def find_table(node: str) -> YtTable | None:
    """The present table at Cypress path `node`, or `#<object id>` (a locked node)."""
    if node.startswith("#"):
        return _table_by_id(node[1:])
    return YtTable.objects.filter(path=node, is_present=True).first()


def _table_by_id(ident: str) -> YtTable | None:
    parts = ident.split("-")
    try:
        pk = int(parts[1], 16) if len(parts) == 4 else None
    except ValueError:
        pk = None
    return YtTable.objects.filter(pk=pk, is_present=True).first() if pk else None


def _command(view):
    """Authentication and parameters of a transaction command."""

    @emulator("yt")
    def wrapped(request: HttpRequest) -> HttpResponse:
        denied = proxy.unauthenticated(request)
        if denied:
            return denied
        if request.method != "POST":  # http-reference.md: mutating commands are POST
            return proxy.error_response({"code": 1, "message": "Use POST"}, 405)
        return view(request, proxy.params(request))

    return wrapped


def _empty() -> HttpResponse:
    response = HttpResponse(status=200)
    response["X-YT-Response-Code"] = "0"
    return response


@_command
def start_transaction(request: HttpRequest, params: dict) -> HttpResponse:
    transaction_id = _new_id()
    _keep(transaction_id, _timeout_seconds(params))
    return proxy.structured({"transaction_id": transaction_id}, request, params, wrap=False)


@_command
def ping_transaction(request: HttpRequest, params: dict) -> HttpResponse:
    transaction_id = str(params.get("transaction_id") or "")
    timeout = _alive(transaction_id)
    if timeout is None:
        return _no_such_transaction(transaction_id)
    _keep(transaction_id, timeout)
    return _empty()


def _finish(params: dict) -> HttpResponse:
    transaction_id = str(params.get("transaction_id") or "")
    if _alive(transaction_id) is None:
        return _no_such_transaction(transaction_id)
    cache.delete(_key(transaction_id))
    return _empty()


@_command
def commit_transaction(request: HttpRequest, params: dict) -> HttpResponse:
    return _finish(params)


@_command
def abort_transaction(request: HttpRequest, params: dict) -> HttpResponse:
    return _finish(params)


@_command
def lock(request: HttpRequest, params: dict) -> HttpResponse:
    # commands.md lock: "Be sure to specify the transaction ID for this command."
    if not params.get("transaction_id"):
        return proxy.error_response({"code": 1, "message": "lock needs a transaction"}, 400)
    problem = transaction_problem(params)
    if problem:
        return problem
    node = proxy.ypath(params)
    table = find_table(node)
    if table is None:
        return proxy.resolve_error(node)
    value = {"lock_id": _new_id(), "node_id": node_id(table)}
    return proxy.structured(value, request, params, wrap=False)


COMMANDS = {
    "start_transaction": start_transaction,
    "ping_transaction": ping_transaction,
    "commit_transaction": commit_transaction,
    "abort_transaction": abort_transaction,
    "lock": lock,
}
