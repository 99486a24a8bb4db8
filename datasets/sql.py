"""The datasets app's hand-written SQL: the JSONL export built in the database.

Building each JSON line in the database keeps Python out of the per-row work
(10x the rows per second of building it in Python; bench/api_export.py), and
two extra connections that share the export's snapshot build chunks side by
side. Rows are read by column name (``annotator.rows``); a line is one text
column, ``line_tail``. SQLite writes the same lines with its JSON functions
(``sqlite_jsonl_rows``), one chunk per statement; elsewhere, and where SQLite's
escapes differ from Python's, ``datasets.export`` builds them from ORM rows.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import NamedTuple

import psycopg
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection

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
def snapshot_readers_connecting(count: int) -> Iterator[list[Future[psycopg.Connection]]]:
    """``count`` extra connections that read the snapshot of this one's transaction, as
    they connect: each future gives its connection (or raises why it could not).

    They connect side by side, in the background: each connection's start-up
    (authentication included) takes milliseconds of waiting that the caller can
    spend on its own reads meanwhile. Every connection that opened is closed on
    leaving, one still connecting once it has.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot() AS snapshot")
        snapshot = fetch_one(cursor, _SnapshotRow).snapshot
    if not _SNAPSHOT_ID.fullmatch(snapshot):  # pragma: no cover - PostgreSQL's own format
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    params = connection.get_connection_params()
    given = {k: params[k] for k in _CONNECT_KEYS if params.get(k)}

    def reader() -> psycopg.Connection:
        conn = psycopg.connect(**given, autocommit=True)
        try:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        except BaseException:
            conn.close()
            raise
        return conn

    pool = ThreadPoolExecutor(count)
    pending = [pool.submit(reader) for _ in range(count)]
    pool.shutdown(wait=False)  # its threads end with their connection
    try:
        yield pending
    finally:
        for future in pending:
            if future.exception() is None:  # waits for one still connecting
                future.result().close()


@contextmanager
def snapshot_readers(count: int) -> Iterator[list[psycopg.Connection]]:
    """``count`` extra connections that read the snapshot of this one's transaction,
    all connected (the first failure is raised, and none is left open)."""
    with snapshot_readers_connecting(count) as pending:
        yield [future.result() for future in pending]


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


def line_tables() -> dict[str, str]:
    """The tables a dataset line's statement reads, by the names the statements give
    them (the JSONL export's here, a release's rows in ``releases.sql``)."""
    user = get_user_model()
    return {
        "sentence": Sentence._meta.db_table,
        "article": Article._meta.db_table,
        "annotation": Annotation._meta.db_table,
        "label": Label._meta.db_table,
        "gold": GoldLabel._meta.db_table,
        "user": user._meta.db_table,
        "username": user.USERNAME_FIELD,
    }


@functools.cache
def _jsonl_sql(articles: tuple[str, str] = _ARTICLES_OF_CORPUS) -> str:
    """Each sentence's JSONL line after its corpus and article, written by PostgreSQL.

    It writes the very bytes that ``datasets.export._jsonl_python`` writes:
    compact separators, keys in the same order, the same string escapes,
    timestamps as ``datasets.selectors.iso`` writes them.
    """
    tables = {
        **line_tables(),
        "suggestion": Suggestion._meta.db_table,
        "model": SuggestionModel._meta.db_table,
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
-- As UTF-8 bytes (read in binary): the lines go to the client as they come, with no
-- decoding into a Python string and encoding back (a megabyte each way per chunk).
SELECT convert_to(string_agg(concat(
         %(head)s::text, aj.article_json, r.line_head,
         ',"start_utf16":', r.start, ',"end_utf16":', r."end", r.line_tail
       ), E'\\n' ORDER BY r.sentence_id), 'UTF8') AS text,
       coalesce(bool_or(aj.astral), false) AS astral
FROM ({_jsonl_sql(_ARTICLES_OF_CHUNK)}) r
JOIN aj ON aj.id = r.article_id
"""


class JsonlChunkRow(NamedTuple):
    text: bytes | None
    astral: bool


def jsonl_chunk(conn: psycopg.Connection, query: ChunkQuery, *, head: str) -> JsonlChunkRow:
    """The lines of ``jsonl_rows``, each after ``head`` (the corpus), as one UTF-8 text
    (None for no sentence), unless ``astral``: then ``text`` is not to be used."""
    params = {**query._asdict(), "head": head, "astral_pattern": ASTRAL_PATTERN}
    # A server-binding cursor whatever the connection's own kind (Django's client-side
    # cursors return no binary results).
    with psycopg.Cursor(conn) as cursor:
        cursor.execute(_jsonl_chunk_sql(), params, binary=True)
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


# SQLite: the same lines, written by its JSON functions (``json_quote``), one
# keyset chunk per statement. ``datasets.export`` takes this path only where
# ``sqlite_json_matches`` holds and times are stored as Django writes them in UTC.


def _stored_time(column: str) -> str:
    """``datasets.export.iso_stored`` of a time SQLite stores as Django writes it in UTC
    (``YYYY-MM-DD HH:MM:SS.ffffff``, with ``+00:00`` when written through a cursor);
    NULL for any other form, which the caller then writes the Python way."""
    return f"""CASE WHEN substr({column}, 11, 1) = ' ' AND substr({column}, 20, 1) = '.'
  AND (length({column}) = 26 OR (length({column}) = 32 AND substr({column}, 27) = '+00:00'))
  THEN substr({column}, 1, 10) || 'T' || substr({column}, 12, 15) || 'Z' END"""


@functools.cache
def _sqlite_jsonl_sql() -> str:
    return """
SELECT s.id AS sentence_id, s.article_id, s.start, s."end",
  ',"sentence":{{"id":' || s.id || ',"index":' || s."index" || ',"text":' || json_quote(s.text)
  || ',"start":' || s.start || ',"end":' || s."end" AS line_head,
  ',"paragraph":' || s.paragraph || ',"kind":' || json_quote(s.kind) || '}},"annotations":['
  -- In annotator order. NULL (and so the whole line) when a label's time is in another
  -- form: group_concat would skip that label, so the count says whether it did.
  || (SELECT CASE WHEN count(*) = count(item) THEN coalesce(group_concat(item, ','), '') END
      FROM (
        SELECT '{{"annotator":' || json_quote(u."{username}") || ',"label":' || json_quote(l.key)
          || ',"note":' || json_quote(an.note) || ',"source":' || json_quote(an.source)
          || ',"guideline_version":' || an.guideline_version
          || ',"updated_at":"' || {annotation_time}
          || '","suggested_by":' || json_quote(an.suggested_by) || '}}' AS item
        FROM "{annotation}" an
        JOIN "{user}" u ON u.id = an.annotator_id
        JOIN "{label}" l ON l.id = an.label_id
        WHERE an.sentence_id = s.id AND (%(all_labels)s OR an.annotator_id = %(user_id)s)
        ORDER BY u."{username}"
      ))
  || '],"gold":' || CASE WHEN %(show_gold)s AND g.id IS NOT NULL THEN
    '{{"label":' || json_quote(gl.key) || ',"origin":' || json_quote(g.origin)
    || ',"decided_by":' || json_quote(gu."{username}") || ',"note":' || json_quote(g.note)
    || ',"source":' || json_quote(g.source) || ',"decided_at":"' || {gold_time} || '"}}'
    ELSE 'null' END AS line_tail
-- Walked in id order from ``after``: the corpus condition is kept out of the index on
-- the articles' corpus (``+ 0``), or SQLite would read and sort every sentence of the
-- corpus past ``after`` for each chunk.
FROM "{sentence}" s
JOIN "{article}" a ON a.id = s.article_id
LEFT JOIN "{gold}" g ON g.sentence_id = s.id
LEFT JOIN "{label}" gl ON gl.id = g.label_id
LEFT JOIN "{user}" gu ON gu.id = g.decided_by_id
WHERE s.id > %(after)s AND a.corpus_id + 0 = %(corpus_id)s AND NOT a.archived
ORDER BY s.id
LIMIT %(size)s
""".format(
        **line_tables(),
        annotation_time=_stored_time("an.updated_at"),
        gold_time=_stored_time("g.updated_at"),
    )


class SqliteJsonlRow(NamedTuple):
    """A sentence's line from ``,"sentence":`` to its gold label, in two parts as in
    ``JsonlRow`` (the UTF-16 offsets go between); ``line_tail`` is None where a time is
    not in the stored form ``_stored_time`` reads."""

    sentence_id: int
    article_id: int
    start: int
    end: int
    line_head: str
    line_tail: str | None


class SqliteChunkQuery(NamedTuple):
    """The next ``size`` sentences of the corpus after id ``after``; whose annotations
    (everyone's with ``all_labels``, else ``user_id``'s) and whether gold shows."""

    corpus_id: int
    after: int
    size: int
    user_id: int
    all_labels: bool
    show_gold: bool


def sqlite_jsonl_rows(cursor, query: SqliteChunkQuery) -> list[SqliteJsonlRow]:
    """The chunk's lines, in id order (SQLite)."""
    cursor.execute(_sqlite_jsonl_sql(), query._asdict())
    return fetch_all(cursor, SqliteJsonlRow)


# Every character whose escape could differ: the controls, the two JSON
# specials, DEL, the line separators, a non-character and one outside the BMP.
_JSON_PROBE = "".join(map(chr, range(0x80))) + "\u2028\u2029\ufeff\uffff\U0001f680é"


@functools.cache
def _sqlite_json_matches(version: str) -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT json_quote(%s)", [_JSON_PROBE])
            (quoted,) = cursor.fetchone()
    except DatabaseError:  # a build without the JSON functions
        return False
    return quoted == json.dumps(_JSON_PROBE, ensure_ascii=False)


def sqlite_json_matches() -> bool:
    """Whether this SQLite's ``json_quote`` writes every string as Python's ``json``
    does (checked once per SQLite version): if not, the export is built in Python."""
    return _sqlite_json_matches(sqlite3.sqlite_version)
