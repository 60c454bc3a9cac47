"""Names for the few queries written as SQL on hot paths (the search pages'
reads), taken from the models and quoted the database's way, so a renamed
table or column follows its model."""

from __future__ import annotations

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The column of `model`'s field `name` (a foreign key's `..._id`)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return connection.ops.quote_name(field.column)
