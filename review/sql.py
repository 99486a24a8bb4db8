"""Hand-written SQL of the review app, each statement here because it measured worth it.

Columns are named, never positional: a statement's rows are read by the
names it selects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

from django.db import connection

from annotator.prepared import prepared_cursor
from annotator.rows import fetch_all, fetch_one
from articles.models import Annotation, Article, GoldLabel, Sentence
from review.models import AgreementReport, Disagreement

_REPORT = AgreementReport._meta.db_table


@functools.cache
def _insert_columns(vendor: str) -> tuple[list[str], list[object]]:
    """Every column of a fresh report row with its default, by name (the model decides them).

    Made once per database kind: it builds a model instance, and every label write
    asks for it (the defaults are constants).
    """
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

    The label write that runs it pays one round trip: a free or stale marker is
    taken, a taken one is left alone, and only a corpus's first change creates
    the report row (a second statement, once per corpus). Racing callers on any
    number of connections: exactly one wins.
    """
    if connection.vendor == "postgresql":
        # While a refresh is queued (nearly every write) the UPDATE matches
        # nothing and locks nothing: concurrent writers do not queue behind each
        # other. A free marker: racing UPDATEs re-check the condition on the row
        # the winner committed and match nothing. Prepared (annotator.prepared):
        # parsing this statement cost its database four times what running it did.
        with prepared_cursor() as cursor:
            cursor.execute(
                _CLAIM, {"due": due, "corpus_id": corpus_id, "stale_before": stale_before}
            )
            won, found = cursor.fetchone()
        if won or found:
            return bool(won)
    else:
        # SQLite runs one writer at a time: a taken marker (nearly every write) is
        # read, which waits for no writer, and only a free or stale one is written.
        # Skipping the write is what the UPDATE would have done: the refresh due
        # clears the marker before it reads, so it sees this change either way.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {_REPORT} WHERE corpus_id = %s AND NOT {_FREE}",
                [corpus_id, stale_before],
            )
            if cursor.fetchone() is not None:
                return False
    return _report_create_or_claim(corpus_id=corpus_id, due=due, stale_before=stale_before)


def _free(stale_before: str) -> str:
    """The condition of a free or stale marker, ``stale_before`` its placeholder."""
    return f"({_REPORT}.refresh_queued_at IS NULL OR {_REPORT}.refresh_queued_at < {stale_before})"


_FREE = _free("%s")

# The data-modifying WITH and the row check read the same snapshot: ``found`` is
# whether the corpus had its report row before this statement.
_CLAIM = (
    f"WITH taken AS (UPDATE {_REPORT} SET refresh_queued_at = %(due)s "
    f"WHERE corpus_id = %(corpus_id)s AND {_free('%(stale_before)s')} RETURNING corpus_id) "
    "SELECT EXISTS (SELECT 1 FROM taken) AS won, "
    f"EXISTS (SELECT 1 FROM {_REPORT} WHERE corpus_id = %(corpus_id)s) AS found"
)


def _report_create_or_claim(*, corpus_id: int, due: datetime, stale_before: datetime) -> bool:
    """Create the corpus's report row holding the marker ``due``, or take the marker of
    a row another writer created meanwhile if it is free; did this call win?"""
    names, values = _insert_columns(connection.vendor)
    columns = ", ".join(["corpus_id", "refresh_queued_at", *names])
    placeholders = ", ".join(["%s"] * (2 + len(names)))
    if connection.vendor == "postgresql":
        # A missing row: ON CONFLICT DO NOTHING lets one INSERT in. (INSERT ... ON
        # CONFLICT DO UPDATE would lock the row even when its WHERE refuses the update.)
        sql = (
            f"WITH taken AS (UPDATE {_REPORT} SET refresh_queued_at = %s "
            f"WHERE corpus_id = %s AND {_FREE} RETURNING corpus_id), "
            f"created AS (INSERT INTO {_REPORT} ({columns}) SELECT {placeholders} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {_REPORT} WHERE corpus_id = %s) "
            "ON CONFLICT (corpus_id) DO NOTHING RETURNING corpus_id) "
            "SELECT corpus_id FROM taken UNION ALL SELECT corpus_id FROM created"
        )
        params = [due, corpus_id, stale_before, corpus_id, due, *values, corpus_id]
    else:
        # SQLite has no data-modifying WITH.
        sql = (
            f"INSERT INTO {_REPORT} ({columns}) VALUES ({placeholders}) "
            "ON CONFLICT (corpus_id) DO UPDATE SET refresh_queued_at = excluded.refresh_queued_at "
            f"WHERE {_FREE} RETURNING corpus_id"
        )
        params = [corpus_id, due, *values, stale_before]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


# --- label counts, unanimous gold and the disagreement ranking ------------------------
# The background refresh works on every label of a corpus at once. Set-based
# statements over temporary tables measured a few statements per refresh where
# the ORM took a query (or a row) per sentence: see corpus_unanimous_gold_apply
# and corpus_disagreements_store in review/services/adjudication.py.

_SENTENCE = Sentence._meta.db_table
_ARTICLE = Article._meta.db_table
_ANNOTATION = Annotation._meta.db_table
_GOLD = GoldLabel._meta.db_table
_DISAGREEMENT = Disagreement._meta.db_table

# How many annotators gave each label to each labelable sentence of a corpus.
# Counts as floats: LN in double precision, not PostgreSQL's slower numeric.
_LABEL_COUNTS = f"""
    SELECT a.sentence_id, a.label_id, CAST(COUNT(*) AS DOUBLE PRECISION) AS n
    FROM {_ANNOTATION} a
    JOIN {_SENTENCE} s ON s.id = a.sentence_id
    JOIN {_ARTICLE} ar ON ar.id = s.article_id
    WHERE ar.corpus_id = %s AND s.kind = 'sentence' AND ar.status = 'ready'
    GROUP BY a.sentence_id, a.label_id
"""


def _ranked(counts: str) -> str:
    """Sentences with two or more different labels, ranked, from label counts (table/subquery).

    Columns: sentence_id, total (annotators), distinct_labels, entropy.
    """
    return f"""
        SELECT c.sentence_id,
               CAST(SUM(c.n) AS INTEGER) AS total,
               COUNT(*) AS distinct_labels,
               LN(SUM(c.n)) - SUM(c.n * LN(c.n)) / SUM(c.n) AS entropy
        FROM {counts} c
        GROUP BY c.sentence_id
        HAVING COUNT(*) > 1
    """


_RANKED_LIVE = _ranked(f"({_LABEL_COUNTS})")

_COUNTS_TABLE = "workflow_label_counts"
_UNANIMOUS_TABLE = "workflow_unanimous"
_RANKED_TABLE = "workflow_ranked"


class _Count(NamedTuple):
    n: int


@contextmanager
def _temporary_table(
    name: str, select: str, params: list | None = None, *, index_sentence: bool = True
) -> Iterator[str]:
    """``select`` stored as the temporary table ``name`` for a block, analysed, then dropped."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {select}", params or [])
        if index_sentence:
            cursor.execute(f"CREATE INDEX {name}_sentence ON {name} (sentence_id)")
        cursor.execute(f"ANALYZE {name}")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def label_counts_table(*, corpus_id: int) -> Iterator[str]:
    """The corpus's label counts (sentence_id, label_id, n) in a temporary table, for a block.

    Yields the table's name; the table is dropped when the block ends.
    """
    with _temporary_table(_COUNTS_TABLE, _LABEL_COUNTS, [corpus_id], index_sentence=False) as table:
        yield table


_CORPUS_SENTENCES = f"""
    SELECT s.id FROM {_SENTENCE} s
    JOIN {_ARTICLE} ar ON ar.id = s.article_id
    WHERE ar.corpus_id = %s
"""


def unanimous_gold_delete_all(*, corpus_id: int) -> int:
    """Delete every unanimous gold label of the corpus; how many went."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_GOLD} WHERE origin = 'unanimous' "
            f"AND sentence_id IN ({_CORPUS_SENTENCES})",
            [corpus_id],
        )
        return max(cursor.rowcount, 0)


@contextmanager
def unanimous_table(*, counts: str, quorum: int) -> Iterator[None]:
    """For a block: the sentences on which every annotator, ``quorum`` or more, gave one label.

    A temporary table (sentence_id, label_id) made from a ``label_counts_table``,
    read by the ``unanimous_gold_*`` statements below and dropped when the block ends.
    """
    select = (
        f"SELECT sentence_id, MIN(label_id) AS label_id FROM {counts} "
        "GROUP BY sentence_id HAVING COUNT(*) = 1 AND SUM(n) >= %s"
    )
    with _temporary_table(_UNANIMOUS_TABLE, select, [quorum]):
        yield


def unanimous_gold_delete_withdrawn(*, corpus_id: int) -> int:
    """Delete the corpus's unanimous gold on sentences no longer unanimous; how many went."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_GOLD} WHERE origin = 'unanimous' "
            f"AND sentence_id IN ({_CORPUS_SENTENCES}) "
            f"AND sentence_id NOT IN (SELECT sentence_id FROM {_UNANIMOUS_TABLE})",
            [corpus_id],
        )
        return max(cursor.rowcount, 0)


class RelabelRow(NamedTuple):
    """Unanimous gold whose annotators now agree on another label."""

    sentence_id: int
    label_id: int


def unanimous_gold_relabel_rows() -> list[RelabelRow]:
    """Unanimous gold whose label differs from the one the annotators now agree on."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.sentence_id, u.label_id FROM {_GOLD} g "
            f"JOIN {_UNANIMOUS_TABLE} u ON u.sentence_id = g.sentence_id "
            "WHERE g.origin = 'unanimous' AND g.label_id <> u.label_id"
        )
        return fetch_all(cursor, RelabelRow)


def unanimous_gold_insert_new(*, at: datetime) -> int:
    """Add unanimous gold where a unanimous sentence has no gold yet; how many were added.

    ON CONFLICT DO NOTHING: a reviewer deciding meanwhile keeps their decision.
    """
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_GOLD} "
            "(sentence_id, label_id, origin, note, source, created_at, updated_at) "
            "SELECT u.sentence_id, u.label_id, 'unanimous', '', '', %s, %s "
            f"FROM {_UNANIMOUS_TABLE} u "
            f"LEFT JOIN {_GOLD} g ON g.sentence_id = u.sentence_id "
            "WHERE g.id IS NULL "
            "ON CONFLICT (sentence_id) DO NOTHING",
            [stamp, stamp],
        )
        return max(cursor.rowcount, 0)


@contextmanager
def ranked_table(*, counts: str) -> Iterator[None]:
    """For a block: every disagreement of a ``label_counts_table``, ranked, in a temp table.

    Read by the ``disagreements_*`` statements below; dropped when the block ends.
    """
    with _temporary_table(_RANKED_TABLE, _ranked(counts)):
        yield


def disagreements_delete_stale(*, corpus_id: int) -> int:
    """Delete stored disagreements that are gone or ranked differently now; how many went."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_DISAGREEMENT} WHERE corpus_id = %s AND NOT EXISTS ("
            f"SELECT 1 FROM {_RANKED_TABLE} r WHERE r.sentence_id = {_DISAGREEMENT}.sentence_id"
            f" AND r.total = {_DISAGREEMENT}.total"
            f" AND r.distinct_labels = {_DISAGREEMENT}.distinct_labels"
            f" AND r.entropy = {_DISAGREEMENT}.entropy)",
            [corpus_id],
        )
        return max(cursor.rowcount, 0)


def disagreements_insert_new(*, corpus_id: int) -> int:
    """Store the ranked disagreements not stored yet (new or re-ranked); how many were added."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_DISAGREEMENT} "
            "(sentence_id, corpus_id, total, distinct_labels, entropy) "
            "SELECT r.sentence_id, %s, r.total, r.distinct_labels, r.entropy "
            f"FROM {_RANKED_TABLE} r LEFT JOIN {_DISAGREEMENT} d "
            "ON d.sentence_id = r.sentence_id WHERE d.sentence_id IS NULL",
            [corpus_id],
        )
        return max(cursor.rowcount, 0)


def ranked_count() -> int:
    """How many disagreements the ``ranked_table`` holds."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) AS n FROM {_RANKED_TABLE}")
        return int(fetch_one(cursor, _Count).n)


# --- the adjudication queue ----------------------------------------------------------

_UNDECIDED = f"""
    NOT EXISTS (
        SELECT 1 FROM {_GOLD} g
        WHERE g.sentence_id = q.sentence_id AND g.origin = 'adjudicated'
    )
"""
_STORED = f"""
    SELECT d.sentence_id, d.total, d.distinct_labels, d.entropy
    FROM {_DISAGREEMENT} d WHERE d.corpus_id = %s
"""
_DECIDED = f"""
    SELECT COUNT(*) AS n FROM {_GOLD} g
    JOIN {_DISAGREEMENT} d ON d.sentence_id = g.sentence_id
    WHERE g.origin = 'adjudicated' AND d.corpus_id = %s
"""
# After the cursor's row in the order entropy DESC, total DESC, sentence_id.
_AFTER = """
    (q.entropy < %s OR (q.entropy = %s AND (q.total < %s
        OR (q.total = %s AND q.sentence_id > %s))))
"""
_ORDER = "ORDER BY q.entropy DESC, q.total DESC, q.sentence_id"


class RankedRow(NamedTuple):
    """A disagreement as the queue ranks it."""

    sentence_id: int
    total: int
    distinct_labels: int
    entropy: float


def disagreements_ranked(
    *,
    corpus_id: int,
    stored: bool,
    after: tuple[float, int, int] | None,
    limit: int,
    offset: int,
) -> list[RankedRow]:
    """Undecided disagreements, most contested first, after ``after``.

    ``after`` is the (entropy, total, sentence_id) of the previous page's last
    row. From the stored ranking, or ranked live when ``stored`` is false.
    """
    source = _STORED if stored else _RANKED_LIVE
    where, where_params = _UNDECIDED, []
    if after is not None:
        entropy, total, sentence_id = after
        where += f" AND {_AFTER}"
        where_params = [entropy, entropy, total, total, sentence_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.sentence_id, q.total, q.distinct_labels, q.entropy FROM ({source}) q "
            f"WHERE {where} {_ORDER} LIMIT %s OFFSET %s",
            [corpus_id, *where_params, limit, offset],
        )
        return fetch_all(cursor, RankedRow)


def disagreements_decided_count(*, corpus_id: int) -> int:
    """How many of the corpus's stored disagreements a reviewer has decided."""
    with connection.cursor() as cursor:
        cursor.execute(_DECIDED, [corpus_id])
        return int(fetch_one(cursor, _Count).n)


def disagreements_undecided_live_count(*, corpus_id: int) -> int:
    """How many undecided disagreements the corpus has, ranked live."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) AS n FROM ({_RANKED_LIVE}) q WHERE {_UNDECIDED}", [corpus_id]
        )
        return int(fetch_one(cursor, _Count).n)
