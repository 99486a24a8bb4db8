"""The datasets app's hand-written SQL: the JSONL export built in PostgreSQL.

Building each JSON line in the database keeps Python out of the per-row work
(10x the rows per second of building it in Python; bench/api_export.py), and
two extra connections that share the export's snapshot build chunks side by
side. Rows are read by column name (``annotator.rows``); a line is one text
column, ``line_tail``. PostgreSQL only: the other databases take the ORM path
in ``datasets.export``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection

from annotator.rows import fetch_all, fetch_one
from articles.models import Annotation, Article, GoldLabel, Sentence
from articles.offsets import ASTRAL_PATTERN
from corpora.models import Label
from suggestions.models import Suggestion, SuggestionModel

# Past every id: the end of the last chunk.
LAST_ID = 2**63 - 1

_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")
_CONNECT_KEYS = ("dbname", "user", "password", "host", "port", "sslmode", "sslrootcert")


def snapshot_begin() -> None:
    """Make the current transaction (just begun) one read-only snapshot for all its reads."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


class _SnapshotRow(NamedTuple):
    snapshot: str


@contextmanager
def snapshot_readers(count: int) -> Iterator[list[psycopg.Connection]]:
    """``count`` extra connections that read the snapshot of this one's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot() AS snapshot")
        snapshot = fetch_one(cursor, _SnapshotRow).snapshot
    if not _SNAPSHOT_ID.fullmatch(snapshot):  # pragma: no cover - PostgreSQL's own format
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    params = connection.get_connection_params()
    readers = []
    try:
        for _ in range(count):
            reader = psycopg.connect(
                **{k: params[k] for k in _CONNECT_KEYS if params.get(k)}, autocommit=True
            )
            readers.append(reader)
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            reader.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        yield readers
    finally:
        for reader in readers:
            reader.close()


@functools.cache
def _chunk_end_sql() -> str:
    return f"""
SELECT s.id AS sentence_id FROM "{Sentence._meta.db_table}" s
WHERE s.article_id IN (
    SELECT id FROM "{Article._meta.db_table}" WHERE corpus_id = %(corpus_id)s AND NOT archived
  )
  AND s.id > %(after)s
ORDER BY s.id OFFSET %(skip)s LIMIT 1
"""


class _ChunkEndRow(NamedTuple):
    sentence_id: int


def chunk_end(cursor, *, corpus_id: int, after: int, size: int) -> int | None:
    """The id that ends the keyset chunk of ``size`` sentences after ``after``, or None.

    An index-only walk. None when fewer are left: the last chunk runs to ``LAST_ID``.
    """
    cursor.execute(_chunk_end_sql(), {"corpus_id": corpus_id, "after": after, "skip": size - 1})
    row = fetch_one(cursor, _ChunkEndRow)
    return row.sentence_id if row else None


# Where a statement finds the chunk's articles, and which it keeps: the corpus's
# articles not archived. ``jsonl_rows`` reads them from the table; the whole chunk's
# statement (``_jsonl_chunk_sql``) from its ``aj``, which holds only those.
_ARTICLES_OF_CORPUS = (
    'JOIN "{article}" a ON a.id = s.article_id',
    "a.corpus_id = %(corpus_id)s AND NOT a.archived AND ",
)
_ARTICLES_OF_CHUNK = ("JOIN aj a ON a.id = s.article_id", "")


@functools.cache
def _jsonl_sql(articles: tuple[str, str] = _ARTICLES_OF_CORPUS) -> str:
    """Each sentence's JSONL line after its corpus and article, written by PostgreSQL.

    It writes the very bytes that ``datasets.export._jsonl_python`` writes:
    compact separators, keys in the same order, the same string escapes,
    timestamps as ``datasets.selectors.iso`` writes them.
    """
    user = get_user_model()
    tables = {
        "sentence": Sentence._meta.db_table,
        "article": Article._meta.db_table,
        "annotation": Annotation._meta.db_table,
        "label": Label._meta.db_table,
        "gold": GoldLabel._meta.db_table,
        "suggestion": Suggestion._meta.db_table,
        "model": SuggestionModel._meta.db_table,
        "user": user._meta.db_table,
        "username": user.USERNAME_FIELD,
        # A running training's suggestions are stored batch by batch; only done models show.
        "done": SuggestionModel.Status.DONE,
        **{
            column: f"CASE WHEN an.{column} = '' THEN '\"\"' ELSE to_json(an.{column})::text END"
            for column in ("note", "source", "suggested_by")
        },
    }
    return """
SELECT s.id AS sentence_id, s.article_id, s.start, s."end", concat(
  ',"sentence":{{"id":', s.id, ',"index":', s.index, ',"text":', to_json(s.text),
  ',"start":', s.start, ',"end":', s."end") AS line_head, concat(
  ',"paragraph":', s.paragraph, ',"kind":', to_json(s.kind),
  '}},"annotations":[', coalesce(ann.items, ''),
  '],"gold":', CASE WHEN %(show_gold)s AND g.id IS NOT NULL THEN concat(
    '{{"label":', to_json(gl.key), ',"origin":', to_json(g.origin),
    ',"decided_by":', coalesce(to_json(gu."{username}")::text, 'null'),
    ',"note":', to_json(g.note), ',"source":', to_json(g.source),
    ',"decided_at":"', to_char(g.updated_at AT TIME ZONE 'UTC',
                               'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '"}}') ELSE 'null' END,
  ',"suggestions":', CASE WHEN %(show_gold)s THEN concat('[', coalesce(sug.items, ''), ']')
                          ELSE 'null' END,
  '}}') AS line_tail
FROM "{sentence}" s
{join_articles}
-- Each sentence's annotations and suggestions, aggregated for the whole id range at
-- once (one range scan each, joined by hash) rather than looked up sentence by sentence.
-- The annotator's and the label's JSON strings come from subqueries that the planner
-- memoizes by id (OFFSET 0 keeps them apart): written once per annotator and label,
-- not once per annotation; empty texts (most notes, sources, suggested_by) need no
-- to_json. 16.5 -> 14.8 ms a chunk of 2,000 (EXPLAIN ANALYZE, bench/api_export.py).
LEFT JOIN (
    SELECT an.sentence_id, string_agg(concat(
      '{{"annotator":', u.name_json, ',"label":', l.key_json,
      ',"note":', {note}, ',"source":', {source},
      ',"guideline_version":', an.guideline_version,
      ',"updated_at":"', to_char(an.updated_at AT TIME ZONE 'UTC',
                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      '","suggested_by":', {suggested_by}, '}}'
    ), ',' ORDER BY u.name) AS items
    FROM "{annotation}" an
    JOIN LATERAL (
      SELECT u0."{username}" AS name, to_json(u0."{username}")::text AS name_json
      FROM "{user}" u0 WHERE u0.id = an.annotator_id OFFSET 0
    ) u ON true
    JOIN LATERAL (
      SELECT to_json(l0.key)::text AS key_json
      FROM "{label}" l0 WHERE l0.id = an.label_id OFFSET 0
    ) l ON true
    WHERE an.sentence_id > %(after)s AND an.sentence_id <= %(upto)s
      AND (%(all_labels)s OR an.annotator_id = %(user_id)s)
    GROUP BY an.sentence_id
  ) ann ON ann.sentence_id = s.id
LEFT JOIN (
    SELECT sg.sentence_id, string_agg(concat(
      '{{"model":', to_json(concat(m.name, ' v', m.version)), ',"label":', to_json(sg.label),
      -- Python's json writes 0.0 and 1.0 where PostgreSQL writes 0 and 1; other
      -- scores print the same (shortest round-trip digits in both).
      ',"score":', CASE WHEN sg.score IN (0, 1) THEN concat(sg.score::int, '.0')
                        ELSE sg.score::text END, '}}'
    ), ',' ORDER BY m.name, m.version, m.id) AS items
    FROM "{suggestion}" sg
    JOIN "{model}" m ON m.id = sg.model_id AND m.status = '{done}'
    WHERE %(show_gold)s AND sg.sentence_id > %(after)s AND sg.sentence_id <= %(upto)s
    GROUP BY sg.sentence_id
  ) sug ON sug.sentence_id = s.id
-- The range again: whatever the plan, the gold labels are read for the chunk alone.
LEFT JOIN "{gold}" g ON g.sentence_id = s.id
  AND g.sentence_id > %(after)s AND g.sentence_id <= %(upto)s
LEFT JOIN "{label}" gl ON gl.id = g.label_id
LEFT JOIN "{user}" gu ON gu.id = g.decided_by_id
WHERE {articles_kept}s.id > %(after)s AND s.id <= %(upto)s
""".format(**tables, join_articles=articles[0].format(**tables), articles_kept=articles[1])


class JsonlRow(NamedTuple):
    """A sentence's line from ``,"sentence":`` to its end (the corpus and article go before),
    in two parts: up to its ``end`` offset, and from its paragraph on. The UTF-16
    offsets go between (``datasets.export``: computed from the article's text)."""

    sentence_id: int
    article_id: int
    start: int
    end: int
    line_head: str
    line_tail: str


class ChunkQuery(NamedTuple):
    """Which sentences a chunk's statement reads (``after`` < id <= ``upto`` in the
    corpus) and whose annotations: everyone's with ``all_labels``, else ``user_id``'s."""

    corpus_id: int
    after: int
    upto: int
    user_id: int
    all_labels: bool
    show_gold: bool


def jsonl_rows(conn: psycopg.Connection, query: ChunkQuery) -> list[JsonlRow]:
    """The lines of the chunk's sentences, in id order.

    ``conn`` is this process's connection or a snapshot reader: the chunks may
    be read on other threads.
    """
    with conn.cursor() as cursor:
        cursor.execute(_jsonl_sql() + "ORDER BY s.id\n", query._asdict())
        return fetch_all(cursor, JsonlRow)


# An article as the JSON object a dataset row holds.
_ARTICLE_JSON = """concat(
  '{"id":', a.id, ',"title":', to_json(a.title), ',"author":', to_json(a.author),
  ',"outlet":', to_json(a.outlet), ',"source_url":', to_json(a.source_url),
  ',"published_on":', coalesce(to_json(a.published_on)::text, 'null'), '}')"""


@functools.cache
def _jsonl_chunk_sql() -> str:
    """A whole chunk's JSONL lines as one text, when none of its articles holds a character
    outside the Basic Multilingual Plane (then the UTF-16 offsets are the code point
    offsets, and the database can write them too); ``astral`` says it does."""
    return f"""
-- Materialized: each article's JSON and its test for astral characters are
-- computed once, not once per sentence of the chunk. The chunk's articles are
-- looked up by id (an array, so the planner cannot turn it into a join): joined,
-- PostgreSQL read the whole table of articles for every chunk (7 ms of 30 for a
-- chunk of 2,000 sentences among 10,000 articles; bench/api_export.py).
WITH aj AS MATERIALIZED (
  SELECT a.id, {_ARTICLE_JSON} AS article_json, a.text ~ %(astral_pattern)s AS astral
  FROM "{Article._meta.db_table}" a
  WHERE a.id = ANY(ARRAY(
    SELECT DISTINCT article_id FROM "{Sentence._meta.db_table}"
    WHERE id > %(after)s AND id <= %(upto)s
  )) AND a.corpus_id = %(corpus_id)s AND NOT a.archived
)
SELECT string_agg(concat(
         %(head)s::text, aj.article_json, r.line_head,
         ',"start_utf16":', r.start, ',"end_utf16":', r."end", r.line_tail
       ), E'\\n' ORDER BY r.sentence_id) AS text,
       coalesce(bool_or(aj.astral), false) AS astral
FROM ({_jsonl_sql(_ARTICLES_OF_CHUNK)}) r
JOIN aj ON aj.id = r.article_id
"""


class JsonlChunkRow(NamedTuple):
    text: str | None
    astral: bool


def jsonl_chunk(conn: psycopg.Connection, query: ChunkQuery, *, head: str) -> JsonlChunkRow:
    """The lines of ``jsonl_rows``, each after ``head`` (the corpus), as one text (None
    for no sentence), unless ``astral``: then ``text`` is not to be used."""
    params = {**query._asdict(), "head": head, "astral_pattern": ASTRAL_PATTERN}
    with conn.cursor() as cursor:
        cursor.execute(_jsonl_chunk_sql(), params)
        row = fetch_one(cursor, JsonlChunkRow)
    return row or JsonlChunkRow(text=None, astral=False)


@functools.cache
def _articles_sql() -> str:
    return f"""
SELECT a.id AS article_id, {_ARTICLE_JSON} AS article_json
FROM "{Article._meta.db_table}" a WHERE a.id = ANY(%(ids)s)
"""


class ArticleJsonRow(NamedTuple):
    article_id: int
    article_json: str


def articles_json(cursor, *, ids: list[int]) -> list[ArticleJsonRow]:
    """These articles, each as the JSON object a dataset row holds."""
    cursor.execute(_articles_sql(), {"ids": ids})
    return fetch_all(cursor, ArticleJsonRow)
