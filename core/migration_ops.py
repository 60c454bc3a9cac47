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
from django.db.models.fields import AutoFieldMixin

# PostgreSQL's per-column storage: EXTERNAL is out of line, never compressed;
# EXTENDED (a text column's default) is compressed first.
UNCOMPRESSED, COMPRESSED = "EXTERNAL", "EXTENDED"


class _TableOnPostgresql(Operation):
    """A change of how PostgreSQL keeps `model_name`'s table, not of model
    state: `_set(schema_editor, model, value)` applies `forwards` or, reversed,
    `backwards`. Nothing happens on another database, nor on one the router
    keeps the model off (a ppc shard)."""

    reversible = True
    reduces_to_sql = True
    model_name: str
    forwards: str
    backwards: str

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._on_postgresql(app_label, schema_editor, to_state, self.forwards)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self._on_postgresql(app_label, schema_editor, to_state, self.backwards)

    def _on_postgresql(self, app_label: str, schema_editor: Any, state: Any, value: str) -> None:
        model = state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            self._set(schema_editor, model, value)

    def _set(self, schema_editor: Any, model: Any, value: str) -> None:
        raise NotImplementedError


class StoreUncompressed(_TableOnPostgresql):
    """Store `fields` of `model_name` uncompressed (PostgreSQL's STORAGE
    EXTERNAL); reversed, the default (EXTENDED). Every encrypted column
    takes it (`core.tests.test_migration_ops` checks)."""

    forwards, backwards = UNCOMPRESSED, COMPRESSED

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "fields": self.fields},
        )

    def describe(self) -> str:
        return f"Store {self.model_name}.{', '.join(self.fields)} uncompressed"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_uncompressed"

    def _set(self, schema_editor: Any, model: Any, value: str) -> None:
        quote = schema_editor.quote_name
        for name in self.fields:
            column = model._meta.get_field(name).column
            schema_editor.execute(
                f"ALTER TABLE {quote(model._meta.db_table)}"
                f" ALTER COLUMN {quote(column)} SET STORAGE {value}"
            )


class Unlogged(_TableOnPostgresql):
    """Keep `model_name`'s rows out of PostgreSQL's WAL (`SET UNLOGGED`);
    reversed, logged again. For rows nobody needs after a crash: the table
    is emptied then, and a standby holds none of them. No logged table may
    have a foreign key to it.

    The table's id sequence stays logged: PostgreSQL 15 makes it unlogged
    with the table, and an unlogged sequence starts again after a crash, so
    an id handed out before it (a search cursor holds one) would name a new
    row. Either way, PostgreSQL copies the table under an exclusive lock."""

    forwards, backwards = "UNLOGGED", "LOGGED"

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [], {"model_name": self.model_name})

    def describe(self) -> str:
        return f"Keep {self.model_name}'s rows out of the WAL"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_unlogged"

    def _set(self, schema_editor: Any, model: Any, value: str) -> None:
        table = model._meta.db_table
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET {value}")
        sequenced = isinstance(model._meta.pk, AutoFieldMixin)
        # PostgreSQL 14 never makes the sequence unlogged (nor knows how).
        if value == "UNLOGGED" and sequenced and schema_editor.connection.pg_version >= 150000:
            schema_editor.execute(
                "DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %%s SET LOGGED',"
                f" pg_get_serial_sequence('{table}', '{model._meta.pk.column}')); END $$"
            )
