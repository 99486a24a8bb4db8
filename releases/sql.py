"""The releases app's hand-written SQL: a release's rows built in PostgreSQL.

A release of 1,000,000 labeled sentences shaped row by row in Python cost some
230 µs of CPU a row (bench/release.py); here PostgreSQL writes each row's JSONL
line and CSV lines as text, in pieces that Python joins around the UTF-16
offsets (computed in Python, from the few article texts that need them), and
hands the values of the Parquet columns over as plain columns. The bytes are
the very bytes of the Python path in ``releases.services.build`` (the
reference, and what SQLite runs): JSON as ``json`` writes it with
``ensure_ascii=False`` and compact separators, CSV cells as ``csv.writer``
writes them (quoted when they hold a comma, a double quote or a newline) after
``datasets.export.csv_cells``, times as ``datasets.selectors.iso`` writes them
and, for the CSV's gold time, as ``str(datetime)`` does. tests/releases/
test_sql_rows.py builds one release both ways and compares the files.

Rows are read by column name (``annotator.rows``). PostgreSQL only.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from annotator.rows import fetch_all, fetch_tuples
from datasets.export import CSV_FORMULA_STARTS
from datasets.sql import line_tables
from releases.models import ArticleSplit

# datasets.export.CSV_FORMULA_STARTS as character codes: a text cell that starts
# with one of these gets an apostrophe in front.
_FORMULA_CODES = ", ".join(str(ord(c)) for c in sorted(CSV_FORMULA_STARTS))
_ISO = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""


def _csv(expr: str) -> str:
    """The CSV cell of a text value: '' for null, the formula guard, quotes where needed.

    The apostrophe the guard puts in front never calls for quotes, so whether the
    cell is quoted depends on the value alone.
    """
    # ascii() of the first character (0 for ''), and strpos rather than a regular
    # expression: a third of the time, on every text cell of every row.
    guard = f"CASE WHEN ascii({expr}) IN ({_FORMULA_CODES}) THEN '''' END"
    quoted = f"""strpos({expr}, ',') > 0 OR strpos({expr}, '"') > 0 OR strpos({expr}, E'\\n') > 0"""
    return f"""CASE WHEN {quoted}
      THEN concat('"', {guard}, replace({expr}, '"', '""'), '"')
      ELSE concat({guard}, {expr}) END"""


def _iso(expr: str) -> str:
    return f"to_char({expr} AT TIME ZONE 'UTC', {_ISO})"


def _str_datetime(expr: str) -> str:
    """``str()`` of an aware UTC datetime: microseconds only when there are any."""
    return f"""concat(to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
      CASE WHEN to_char({expr}, 'US') <> '000000' THEN to_char({expr}, '.US') END, '+00:00')"""


def _epoch_us(expr: str) -> str:
    return f"(extract(epoch FROM {expr}) * 1000000)::bigint"


def _tables() -> dict[str, str]:
    return {**line_tables(), "split": ArticleSplit._meta.db_table}


# The sentences of one keyset chunk that a release holds: in a releasable article
# (ready, not archived, among the chosen ones if any), with a gold label or, when
# the release holds every label, with a label.
_WHERE = """
WHERE a.corpus_id = %(corpus_id)s AND a.status = 'ready' AND NOT a.archived
  AND (%(article_ids)s::bigint[] IS NULL OR a.id = ANY(%(article_ids)s::bigint[]))
  AND s.id > %(after)s AND s.id <= %(upto)s
"""

# The names a release gives people (pseudonyms unless the owner chose usernames),
# handed over as two arrays: user ids and names.
_NAMES = "unnest(%(user_ids)s::bigint[], %(user_names)s::text[]) AS {alias}(id, name)"


@functools.cache
def _sentences_sql() -> str:
    t = _tables()
    return f"""
SELECT
  s.id AS sentence_id, s.article_id, s.index, s.start, s."end", s.paragraph, s.kind, s.text,
  a.title, a.author, a.outlet, a.source_url, a.published_on, sp.split,
  gl.key AS gold_label, g.origin AS gold_origin, gn.name AS gold_decided_by,
  {_epoch_us("g.updated_at")} AS gold_decided_at_us, g.note AS gold_note,
  g.source AS gold_source,
  concat(
    ',"article":{{"id":', a.id, ',"title":', to_json(a.title), ',"author":', to_json(a.author),
    ',"outlet":', to_json(a.outlet), ',"source_url":', to_json(a.source_url),
    ',"published_on":', coalesce(to_json(a.published_on)::text, 'null'),
    '}},"sentence":{{"id":', s.id, ',"index":', s.index, ',"text":', to_json(s.text),
    ',"start":', s.start, ',"end":', s."end") AS json_head,
  concat(',"paragraph":', s.paragraph, ',"kind":', to_json(s.kind), '}}') AS json_kind,
  concat(',"gold":', CASE WHEN g.id IS NULL THEN 'null' ELSE concat(
    '{{"label":', to_json(gl.key), ',"origin":', to_json(g.origin),
    ',"decided_by":', coalesce(to_json(gn.name)::text, 'null'),
    ',"note":', to_json(g.note), ',"source":', to_json(g.source),
    ',"decided_at":"', {_iso("g.updated_at")}, '"}}') END,
    ',"split":', to_json(sp.split), '}}') AS json_tail,
  concat_ws(',', a.id, {_csv("a.title")}, {_csv("a.author")}, {_csv("a.outlet")},
    {_csv("a.source_url")}, coalesce(to_char(a.published_on, 'YYYY-MM-DD'), ''), s.id, s.index,
    s.start, s."end") AS csv_head,
  concat_ws(',', s.paragraph, {_csv("s.kind")}, {_csv("s.text")}, {_csv("sp.split")})
    AS csv_middle,
  CASE WHEN g.id IS NULL THEN ',,,,,' ELSE concat_ws(',', {_csv("gl.key")},
    {_csv("g.origin")}, {_csv("gn.name")}, {_str_datetime("g.updated_at")}, {_csv("g.note")},
    {_csv("g.source")}) END AS csv_gold
FROM "{t["sentence"]}" s
JOIN "{t["article"]}" a ON a.id = s.article_id
LEFT JOIN "{t["split"]}" sp ON sp.article_id = a.id
-- Each joined table is given the chunk's id range too: without it PostgreSQL scans
-- all of its rows for every chunk (1,000,000 labels), and the build grows with the
-- square of the corpus.
LEFT JOIN "{t["gold"]}" g ON g.sentence_id = s.id
  AND g.sentence_id > %(after)s AND g.sentence_id <= %(upto)s
LEFT JOIN "{t["label"]}" gl ON gl.id = g.label_id
LEFT JOIN {_NAMES.format(alias="gn")} ON gn.id = g.decided_by_id
{_WHERE}
  AND (g.id IS NOT NULL OR (%(with_labels)s AND s.id IN (
    SELECT an.sentence_id FROM "{t["annotation"]}" an
    WHERE an.sentence_id > %(after)s AND an.sentence_id <= %(upto)s)))
ORDER BY s.id
"""


class SentenceRow(NamedTuple):
    """One sentence a release holds: the values of its Parquet columns (but the corpus
    and the UTF-16 offsets, which Python adds), and its JSONL and CSV text in pieces.

    The JSONL line: ``{"corpus":..`` + json_head + ``,"start_utf16":..,"end_utf16":..``
    + json_kind (+ ``,"annotations":[..]`` in the ``labels`` configuration, the ``json``
    of its ``AnnotationRow``s joined by commas) + json_tail. A CSV line: corpus,
    csv_head, the UTF-16 offsets, csv_middle, then (``labels``) one line per label with
    its ``csv`` cells (eight empty cells if none), then csv_gold.
    ``split`` is null for an article given no split yet (left out, counted).
    """

    sentence_id: int
    article_id: int
    index: int
    start: int
    end: int
    paragraph: int
    kind: str
    text: str
    title: str
    author: str
    outlet: str
    source_url: str
    published_on: object
    split: str | None
    gold_label: str | None
    gold_origin: str | None
    gold_decided_by: str | None
    gold_decided_at_us: int | None
    gold_note: str | None
    gold_source: str | None
    json_head: str
    json_kind: str
    json_tail: str
    csv_head: str
    csv_middle: str
    csv_gold: str


@functools.cache
def _annotations_sql() -> str:
    t = _tables()
    annotation_json = f"""concat(
      '{{"annotator":', to_json(nm.name), ',"label":', to_json(l.key),
      ',"note":', to_json(an.note), ',"source":', to_json(an.source),
      ',"guideline_version":', an.guideline_version,
      ',"updated_at":"', {_iso("an.updated_at")},
      '","suggested_by":', to_json(an.suggested_by), ',"origin":"human"}}')"""
    annotation_csv = f"""concat_ws(',', {_csv("nm.name")}, {_csv("l.key")}, {_csv("an.note")},
      {_csv("an.source")}, an.guideline_version, {_iso("an.updated_at")}, 'human',
      {_csv("an.suggested_by")})"""
    return f"""
SELECT an.sentence_id, s.article_id, nm.name AS annotator, l.key AS label, an.note, an.source,
  an.guideline_version, {_epoch_us("an.updated_at")} AS updated_at_us, an.suggested_by,
  s.kind, {annotation_json} AS json, {annotation_csv} AS csv
FROM "{t["annotation"]}" an
JOIN "{t["sentence"]}" s ON s.id = an.sentence_id
JOIN "{t["article"]}" a ON a.id = s.article_id
JOIN "{t["split"]}" sp ON sp.article_id = a.id
JOIN "{t["user"]}" u ON u.id = an.annotator_id
JOIN "{t["label"]}" l ON l.id = an.label_id
JOIN {_NAMES.format(alias="nm")} ON nm.id = an.annotator_id
{_WHERE}
  AND an.sentence_id > %(after)s AND an.sentence_id <= %(upto)s
  AND (%(with_labels)s OR an.sentence_id IN (
    SELECT g.sentence_id FROM "{t["gold"]}" g
    WHERE g.sentence_id > %(after)s AND g.sentence_id <= %(upto)s))
ORDER BY an.sentence_id, u."{t["username"]}"
"""


class AnnotationRow(NamedTuple):
    """One label of a sentence the release holds (its ``annotations`` Parquet column)."""

    sentence_id: int
    article_id: int
    annotator: str
    label: str
    note: str
    source: str
    guideline_version: int
    updated_at_us: int
    suggested_by: str
    kind: str
    json: str  # its JSON object in the row's "annotations"
    csv: str  # its eight CSV cells


def _params(
    *,
    corpus_id: int,
    article_ids: list[int] | None,
    after: int,
    upto: int,
    with_labels: bool,
    names: dict[int, str],
) -> dict:
    return {
        "corpus_id": corpus_id,
        "article_ids": article_ids,
        "after": after,
        "upto": upto,
        "with_labels": with_labels,
        "user_ids": list(names),
        "user_names": list(names.values()),
    }


def sentence_rows(cursor, **chunk) -> list[tuple]:
    """The release's sentences with ``after`` < id <= ``upto``, in id order, as tuples
    of ``SentenceRow``'s fields.

    ``chunk``: corpus_id, article_ids (None: every releasable article), after,
    upto, with_labels (every annotator's labels, or gold only), names (user id ->
    the name the release gives them, for everyone with a label or a gold decision).
    """
    cursor.execute(_sentences_sql(), _params(**chunk))
    return fetch_tuples(cursor, SentenceRow)


def annotation_rows(cursor, **chunk) -> list[tuple]:
    """The labels of the sentences ``sentence_rows`` gives (with a split), by sentence id
    and then username, as the JSONL and CSV list them: tuples of ``AnnotationRow``'s fields."""
    cursor.execute(_annotations_sql(), _params(**chunk))
    return fetch_tuples(cursor, AnnotationRow)


@functools.cache
def _people_sql() -> str:
    t = _tables()
    return f"""
SELECT an.annotator_id AS user_id FROM "{t["annotation"]}" an
JOIN "{t["sentence"]}" s ON s.id = an.sentence_id
JOIN "{t["article"]}" a ON a.id = s.article_id
WHERE a.corpus_id = %(corpus_id)s
UNION
SELECT g.decided_by_id FROM "{t["gold"]}" g
JOIN "{t["sentence"]}" s ON s.id = g.sentence_id
JOIN "{t["article"]}" a ON a.id = s.article_id
WHERE a.corpus_id = %(corpus_id)s AND g.decided_by_id IS NOT NULL
"""


class PersonRow(NamedTuple):
    user_id: int


def people(cursor, *, corpus_id: int) -> list[int]:
    """Everyone with a label or a gold decision in the corpus (user ids)."""
    cursor.execute(_people_sql(), {"corpus_id": corpus_id})
    return [row.user_id for row in fetch_all(cursor, PersonRow)]
