"""Names for the few queries written as SQL on hot paths (the search pages'
reads and writes), taken from the models and quoted the database's way, so
a renamed table or column follows its model; their rows read back as model
instances (`rows`); and a new row inserted as `save()` inserts it
(`insert`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The column of `model`'s field `name` (a foreign key's `..._id`)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return connection.ops.quote_name(field.column)


@functools.cache
def attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The attnames of `model`'s concrete fields, in the model's order: the
    columns `rows` takes for a whole row."""
    return tuple(f.attname for f in model._meta.concrete_fields)


def columns(model: type[models.Model], names: Sequence[str], alias: str = "") -> str:
    """The columns of `model`'s fields `names`, comma-separated, each behind
    the table's `alias` when one is given."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + column(model, name) for name in names)


def rows(
    model: type[M],
    fields: Sequence[str],
    sql: str,
    params: Sequence[Any],
    *,
    joined: Sequence[tuple[type[models.Model], Sequence[str]]] = (),
) -> list[tuple[M, tuple[Any, ...]]]:
    """The rows of `sql` as `model` instances, as the ORM would give them:
    its columns are `fields` (attnames of `model`'s concrete fields, in the
    model's order; the others are deferred), then the columns of each
    `joined` (model, fields) in turn, then any more values. Beside each
    instance: the joined instances (None where the primary key is NULL: a
    LEFT JOIN that found no row), then the more values as they are.

    `RawQuerySet` worked out the column mapping and the converters anew on
    every query, at a third of a search page's read."""
    groups: list[tuple[type[models.Model], tuple[str, ...]]] = [(model, tuple(fields))]
    groups += [(m, tuple(f)) for m, f in joined]
    readers = []
    start = 0
    for group_model, group_fields in groups:
        pk = group_fields.index(group_model._meta.pk.attname)
        converters = _converters(connection.vendor, group_model, group_fields)
        readers.append((group_model, group_fields, start, pk, converters))
        start += len(group_fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    found = []
    for row in fetched:
        instances = [_instance(row, *reader) for reader in readers]
        first = instances[0]
        assert isinstance(first, model)  # its primary key is never NULL
        found.append((first, (*instances[1:], *row[start:])))
    return found


def _instance(
    row: tuple[Any, ...],
    model: type[models.Model],
    fields: tuple[str, ...],
    start: int,
    pk: int,
    converters: list[tuple[int, list[Any], Any]],
) -> models.Model | None:
    values = list(row[start : start + len(fields)])
    if values[pk] is None:
        return None
    for i, funcs, col in converters:
        value = values[i]
        for func in funcs:
            value = func(value, col, connection)
        values[i] = value
    return model.from_db(connection.alias, fields, values)


@functools.cache
def _converters(
    vendor: str, model: type[models.Model], fields: tuple[str, ...]
) -> list[tuple[int, list[Any], Any]]:
    """(position, converters, column) of each of `fields` that has converters
    (the database backend's, then the field's `from_db_value`), as the ORM's
    compiler applies them. Kept per vendor: the backend's are bound to the
    connection that asked first, and read nothing of it that differs
    between connections (SQLite's time zone is the settings')."""
    out = []
    for i, name in enumerate(fields):
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        col = field.get_col(model._meta.db_table)
        funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if funcs:
            out.append((i, funcs, col))
    return out


def insert(obj: models.Model) -> None:
    """Insert `obj`, a new row, and set its primary key: each field's value is
    its `pre_save` (`auto_now_add` included), prepared for the database, as
    `obj.save()` writes a plain value. For models with an automatic primary
    key, no parent model, no generated field, and values that are values (no
    expression, no database default to fill in): asserted. Sends no
    `pre_save` or `post_save` signal, so only for models nothing listens to;
    the default database. A search's first page inserts its session, and the
    ORM building that INSERT cost as much as encrypting its state."""
    model = type(obj)
    assert obj._state.adding and obj.pk is None, "insert() takes a new row"
    fields, sql, returning = _insert(connection.vendor, model)
    values = []
    for field in fields:
        value = field.pre_save(obj, True)
        assert not hasattr(value, "resolve_expression"), f"{field.name}: an expression"
        values.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            (pk,) = cursor.fetchone()
        else:  # SQLite before 3.35
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, _pk_column(model))
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


@functools.cache
def _insert(vendor: str, model: type[models.Model]) -> tuple[list[models.Field], str, bool]:
    """The fields `insert` writes (all concrete ones but the automatic primary
    key), its SQL, and whether that SQL returns the new key."""
    pk = model._meta.pk
    assert pk is not None and pk.db_returning, "an automatic primary key"
    assert not model._meta.parents, "no parent model (its fields live in its table)"
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    assert not any(f.generated for f in fields), "no generated field"
    returning = connection.features.can_return_columns_from_insert
    sql = (
        f"INSERT INTO {table(model)} ({columns(model, [f.name for f in fields])})"  # noqa: S608 - names from the model
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if returning:
        sql += f" RETURNING {column(model, pk.name)}"
    return fields, sql, returning


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None and pk.column
    return pk.column
