"""Hand-written SQL of the review app, each statement here because it measured worth it.

Columns are named, never positional: a statement's rows are read by the
names it selects.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from review.models import AgreementReport

_REPORT = AgreementReport._meta.db_table


def _insert_columns() -> tuple[list[str], list[object]]:
    """Every column of a fresh report row with its default, by name (the model decides them)."""
    fresh = AgreementReport()
    names, values = [], []
    for field in AgreementReport._meta.concrete_fields:
        if field.primary_key or field.name in {"corpus", "refresh_queued_at"}:
            continue
        names.append(field.column)
        values.append(field.get_db_prep_save(getattr(fresh, field.attname), connection))
    return names, values


def refresh_marker_claim(*, corpus_id: int, due: datetime, stale_before: datetime) -> bool:
    """Set the corpus's refresh marker to ``due`` if it is free or stale; did this call win?

    One statement, so the label write that runs it pays one round trip: it
    creates the report row on a corpus's first change, takes a free or stale
    marker, and leaves a taken one alone (then no row comes back). Racing
    callers on any number of connections: the row's lock lets exactly one win.
    """
    names, values = _insert_columns()
    columns = ", ".join(["corpus_id", "refresh_queued_at", *names])
    placeholders = ", ".join(["%s"] * (2 + len(names)))
    sql = (
        f"INSERT INTO {_REPORT} ({columns}) VALUES ({placeholders}) "
        "ON CONFLICT (corpus_id) DO UPDATE SET refresh_queued_at = excluded.refresh_queued_at "
        f"WHERE {_REPORT}.refresh_queued_at IS NULL OR {_REPORT}.refresh_queued_at < %s "
        "RETURNING corpus_id"
    )
    params = [corpus_id, due, *values, stale_before]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None
