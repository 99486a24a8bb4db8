"""annotator/rows.py: raw rows are read by column name, instances built from named values."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.db import connection

from annotator.rows import fetch_all, fetch_one, instance, reader
from corpora.models import Label

pytestmark = pytest.mark.django_db


class _Pair(NamedTuple):
    first: int
    second: int


def test_a_row_is_read_by_name_not_position():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2 AS second, 1 AS first")
        assert fetch_one(cursor, _Pair) == _Pair(first=1, second=2)


def test_a_column_the_row_type_does_not_name_is_refused():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 AS first, 2 AS other")
        with pytest.raises(TypeError):
            fetch_one(cursor, _Pair)


def test_many_rows_are_read_by_name_whatever_the_column_order():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2 AS second, 1 AS first UNION ALL SELECT 4, 3 ORDER BY 1")
        assert fetch_all(cursor, _Pair) == [_Pair(first=1, second=2), _Pair(first=3, second=4)]
        cursor.execute("SELECT 1 AS first, 2 AS second")
        assert fetch_all(cursor, _Pair) == [_Pair(first=1, second=2)]


@pytest.mark.parametrize(
    "sql", ["SELECT 1 AS first, 2 AS other", "SELECT 1 AS first", "SELECT 1 AS first, 2 AS first"]
)
def test_columns_that_do_not_match_the_fields_are_refused_before_any_row(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        with pytest.raises(TypeError, match="_Pair has the fields first, second"):
            reader(cursor, _Pair)


def test_instance_takes_values_in_any_order_and_defers_the_rest(corpus):
    stored = Label.objects.filter(corpus=corpus).first()
    label = instance(Label, name=stored.name, key=stored.key, id=stored.pk)
    assert (label.pk, label.key, label.name) == (stored.pk, stored.key, stored.name)
    assert "takes_source" in label.get_deferred_fields()
    assert label.takes_source == stored.takes_source  # loaded when read


def test_instance_refuses_an_unknown_field():
    with pytest.raises(TypeError, match="no field"):
        instance(Label, id=1, colour="red")


def test_column_names_are_the_descriptions_own():
    """Read from the result on PostgreSQL: the same names as ``cursor.description``."""
    from annotator.rows import columns

    with connection.cursor() as cursor:
        cursor.execute('SELECT 1 AS first, 2 AS "Mixed Case", 3 AS "üml"')
        assert (
            columns(cursor)
            == [c[0] for c in cursor.description]
            == [
                "first",
                "Mixed Case",
                "üml",
            ]
        )
