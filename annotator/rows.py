"""Rows of hand-written SQL, read by column name.

Each app keeps its few measured raw statements in its ``sql`` module. Their
rows are read here by the names the statement gives its columns, never by
position: a row type's fields must be exactly the statement's column names,
or reading fails at once. Model instances are built from values named by
field, converted as the ORM converts them; fields not given stay deferred and
load if ever read, as with ``QuerySet.only()``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

from django.db import connection
from django.db.models import DEFERRED, Model

Row = TypeVar("Row", bound=NamedTuple)
M = TypeVar("M", bound=Model)


def columns(cursor) -> list[str]:
    """The names of the columns of the cursor's last statement.

    On PostgreSQL read from the result itself: psycopg's ``description`` builds
    an object for every column each time it is asked (a sixteenth of a label
    write's CPU, bench/api_label_profile.py --profile).
    """
    result = getattr(cursor, "pgresult", None)
    if result is not None:
        return [result.fname(i).decode() for i in range(result.nfields)]
    return [column[0] for column in cursor.description]


def fetch_one(cursor, row_type: type[Row]) -> Row | None:
    """The next row as ``row_type``, its fields filled by column name; None when none is left."""
    row = cursor.fetchone()
    return None if row is None else reader(cursor, row_type)(row)


def reader(cursor, row_type: type[Row]) -> Callable[[Iterable], Row]:
    """A function that makes one of the cursor's rows a ``row_type``, its fields by column name.

    The columns are matched to the fields once, so reading many rows costs a
    tuple each; a column the row type does not name (or a field no column
    fills) raises TypeError at once.
    """
    names = columns(cursor)
    fields = row_type._fields
    if len(set(names)) != len(names) or set(names) != set(fields):
        raise TypeError(
            f"{row_type.__name__} has the fields {', '.join(fields)}; "
            f"the statement gives the columns {', '.join(names)}."
        )
    make = row_type._make
    if tuple(names) == fields:
        return make
    pick = operator.itemgetter(*(names.index(name) for name in fields))
    return lambda row: make(pick(row))


def fetch_all(cursor, row_type: type[Row]) -> list[Row]:
    """Every remaining row as ``row_type``, its fields filled by column name."""
    read = reader(cursor, row_type)
    return [read(row) for row in cursor.fetchall()]


def fetch_tuples(cursor, row_type: type[Row]) -> list[tuple]:
    """Every remaining row as a plain tuple, for reading by column in bulk.

    The statement's columns must be exactly ``row_type``'s fields in their order
    (TypeError at once if not), so ``row_type._fields`` names each position.
    """
    names = tuple(columns(cursor))
    if names != row_type._fields:
        raise TypeError(
            f"{row_type.__name__} has the fields {', '.join(row_type._fields)}; "
            f"the statement gives the columns {', '.join(names)}."
        )
    return cursor.fetchall()


def instance(model: type[M], **values) -> M:
    """A ``model`` instance loaded with these values, keyed by field attname (``label_id``).

    Unknown names raise TypeError, as the model's constructor would.
    """
    loaded = []
    for name, column, converters in _fields(model, connection.vendor):
        value = values.pop(name, DEFERRED)
        if value is not DEFERRED:
            for convert in converters:
                value = convert(value, column, connection)
        loaded.append(value)
    if values:
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(sorted(values))}.")
    # Every concrete field in the model's order (DEFERRED where not given), so
    # from_db() takes the values as they stand.
    names = [name for name, _, _ in _fields(model, connection.vendor)]
    return model.from_db(connection.alias, names, loaded)


@functools.cache
def _fields(model: type[Model], vendor: str) -> list[tuple]:
    # The ORM's converters for each field (dates on SQLite, for one); most
    # fields have none on PostgreSQL.
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        out.append((field.attname, column, converters))
    return out
