"""On PostgreSQL, `StoreUncompressed` stores every encrypted column
uncompressed and `Unlogged` keeps search sessions out of the WAL; both do
nothing elsewhere."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, connections
from django.db.migrations.state import ProjectState

from core.fields import EncryptedTextField
from core.migration_ops import StoreUncompressed, Unlogged

pytestmark = pytest.mark.django_db

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="column storage is PostgreSQL's"
)


def _encrypted_columns() -> list[tuple[str, str]]:
    return [
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def _storage(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
            [table, column],
        )
        return cursor.fetchone()[0]


@postgresql
def test_every_encrypted_column_is_stored_uncompressed():
    """A new encrypted field needs `StoreUncompressed` in its migration."""
    columns = _encrypted_columns()
    assert ("recruiting_searchsession", "buffers") in columns
    compressed = [(t, c) for t, c in columns if _storage(t, c) != "e"]  # e: EXTERNAL
    assert compressed == []


@postgresql
def test_reversed_the_column_is_compressed_again():
    operation = StoreUncompressed("searchsession", ["state"])
    state = ProjectState.from_apps(apps)
    try:
        with connection.schema_editor() as editor:
            operation.database_backwards("recruiting", editor, state, state)
        assert _storage("recruiting_searchsession", "state") == "x"  # x: EXTENDED
    finally:
        with connection.schema_editor() as editor:
            operation.database_forwards("recruiting", editor, state, state)
    assert _storage("recruiting_searchsession", "state") == "e"


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor starts its own
def test_the_statement_is_postgresql_only():
    """Collected, not run."""
    operation = StoreUncompressed("searchsession", ["state"])
    state = ProjectState.from_apps(apps)
    with connection.schema_editor(collect_sql=True) as editor:
        operation.database_forwards("recruiting", editor, state, state)
    statements = [s for s in editor.collected_sql if "STORAGE" in s]
    assert statements == (
        ['ALTER TABLE "recruiting_searchsession" ALTER COLUMN "state" SET STORAGE EXTERNAL;']
        if connection.vendor == "postgresql"
        else []
    )


@pytest.mark.django_db(transaction=True, databases=["default", "ppc_2"])
def test_a_database_the_router_keeps_the_model_off_is_left_alone():
    """The ppc shards hold no recruiting table: `migrate` runs there too."""
    operation = StoreUncompressed("searchsession", ["state"])
    state = ProjectState.from_apps(apps)
    with connections["ppc_2"].schema_editor(collect_sql=True) as editor:
        operation.database_forwards("recruiting", editor, state, state)
    assert editor.collected_sql == []


def _persistence(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def _id_sequence() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('recruiting_searchsession', 'id')")
        return cursor.fetchone()[0]


@postgresql
def test_search_sessions_are_kept_out_of_the_wal_and_reversed_logged_again():
    assert _persistence("recruiting_searchsession") == "u"  # u: unlogged
    assert _persistence("recruiting_resume") == "p"  # stored contacts are kept: permanent
    # A crash would start an unlogged sequence again: a new session would
    # take the id an old cursor holds.
    assert _persistence(_id_sequence()) == "p"
    operation = Unlogged("searchsession")
    state = ProjectState.from_apps(apps)
    try:
        with connection.schema_editor() as editor:
            operation.database_backwards("recruiting", editor, state, state)
        assert _persistence("recruiting_searchsession") == "p"
    finally:
        with connection.schema_editor() as editor:
            operation.database_forwards("recruiting", editor, state, state)
    assert _persistence("recruiting_searchsession") == "u"
    assert _persistence(_id_sequence()) == "p"


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor starts its own
def test_unlogged_is_postgresql_only():
    """Collected, not run."""
    state = ProjectState.from_apps(apps)
    with connection.schema_editor(collect_sql=True) as editor:
        Unlogged("searchsession").database_forwards("recruiting", editor, state, state)
    statements = [s for s in editor.collected_sql if "LOGGED" in s]
    if connection.vendor != "postgresql":
        assert statements == []
        return
    assert statements[0] == 'ALTER TABLE "recruiting_searchsession" SET UNLOGGED;'
    if connection.pg_version >= 150000:
        assert "ALTER SEQUENCE %s SET LOGGED" in statements[1]


@pytest.mark.django_db(transaction=True, databases=["default", "ppc_2"])
def test_unlogged_leaves_a_database_the_router_keeps_the_model_off_alone():
    state = ProjectState.from_apps(apps)
    with connections["ppc_2"].schema_editor(collect_sql=True) as editor:
        Unlogged("searchsession").database_forwards("recruiting", editor, state, state)
    assert editor.collected_sql == []
