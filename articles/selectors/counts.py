"""Counting related rows inside one query."""

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce


def count_subquery(queryset, group_field: str):
    """A correlated COUNT subquery, so several counts never multiply each other."""
    return Coalesce(
        Subquery(
            queryset.values(group_field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )
