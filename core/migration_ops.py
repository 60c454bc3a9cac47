"""Migration operations of the project's own. Each is PostgreSQL's alone:
elsewhere, and on a database the router keeps the model off (a ppc shard),
it does nothing.

`StoreUncompressed`: PostgreSQL keeps the values of encrypted columns as
they are. A value over about 2 KB is compressed (pglz) before it is stored,
unless its column says otherwise; ciphertext never compresses, so every such
write paid for the attempt and stored the value unchanged. A search's session
row (10-15 KB of ciphertext) cost PostgreSQL 0.27-0.31 ms of CPU to insert
with the attempt and 0.18 ms without it. Other databases compress nothing.

`Unlogged`: PostgreSQL writes no WAL for a table's rows (an UNLOGGED
table), for state a user can make again and nobody needs after a crash. A
search's session row took 16 KB of WAL to insert (its ciphertext, through
TOAST): at 150 searches a second, 2.4 MB a second to write, archive and
replicate. After a crash, or on a standby promoted in its place, the table
is empty (README, Deploying).
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations.base import Operation

# PostgreSQL's per-column storage: EXTERNAL is out of line, never compressed;
# EXTENDED (a text column's default) is compressed first.
UNCOMPRESSED, COMPRESSED = "EXTERNAL", "EXTENDED"


class StoreUncompressed(Operation):
    """Store `fields` of `model_name` uncompressed (PostgreSQL's STORAGE
    EXTERNAL); reversed, the default (EXTENDED). Every encrypted column
    takes it (`core.tests.test_migration_ops` checks)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "fields": self.fields},
        )

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # the columns' storage is not model state

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._store(app_label, schema_editor, to_state, UNCOMPRESSED)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._store(app_label, schema_editor, to_state, COMPRESSED)

    def describe(self) -> str:
        return f"Store {self.model_name}.{', '.join(self.fields)} uncompressed"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_uncompressed"

    def _store(self, app_label: str, schema_editor: Any, state: Any, storage: str) -> None:
        model = _postgresql_model(self, app_label, schema_editor, state)
        if model is None:
            return
        quote = schema_editor.quote_name
        for name in self.fields:
            column = model._meta.get_field(name).column
            schema_editor.execute(
                f"ALTER TABLE {quote(model._meta.db_table)}"
                f" ALTER COLUMN {quote(column)} SET STORAGE {storage}"
            )


class Unlogged(Operation):
    """Keep `model_name`'s rows out of PostgreSQL's WAL (`SET UNLOGGED`);
    reversed, logged again. For rows nobody needs after a crash: the table
    is emptied then, and a standby holds none of them. No logged table may
    have a foreign key to it."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [], {"model_name": self.model_name})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # how a table is written is not model state

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._set(app_label, schema_editor, to_state, "UNLOGGED")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._set(app_label, schema_editor, to_state, "LOGGED")

    def describe(self) -> str:
        return f"Keep {self.model_name}'s rows out of the WAL"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_unlogged"

    def _set(self, app_label: str, schema_editor: Any, state: Any, persistence: str) -> None:
        model = _postgresql_model(self, app_label, schema_editor, state)
        if model is not None:
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET {persistence}")


def _postgresql_model(operation: Operation, app_label: str, schema_editor: Any, state: Any):
    """The model `operation` changes, where it applies: None on a database the
    router keeps the model off (a ppc shard) and on any but PostgreSQL."""
    model = state.apps.get_model(app_label, operation.model_name)  # type: ignore[attr-defined]
    if not operation.allow_migrate_model(schema_editor.connection.alias, model):
        return None
    if schema_editor.connection.vendor != "postgresql":
        return None
    return model
