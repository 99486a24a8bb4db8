"""annotator/rows.py: raw rows are read by column name, instances built from named values."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.db import connection

from annotator.rows import fetch_one, instance
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


def test_instance_takes_values_in_any_order_and_defers_the_rest(corpus):
    stored = Label.objects.filter(corpus=corpus).first()
    label = instance(Label, name=stored.name, key=stored.key, id=stored.pk)
    assert (label.pk, label.key, label.name) == (stored.pk, stored.key, stored.name)
    assert "takes_source" in label.get_deferred_fields()
    assert label.takes_source == stored.takes_source  # loaded when read


def test_instance_refuses_an_unknown_field():
    with pytest.raises(TypeError, match="no field"):
        instance(Label, id=1, colour="red")
