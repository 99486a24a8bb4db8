"""Whole-corpus export as JSONL or CSV, streamed from the database in constant memory.

Invariant 6: an export is a pure function of the data at one point in time.
Sentences are read in keyset chunks (by id, ``CHUNK_SENTENCES`` at a time)
with their articles and annotations fetched per chunk, so memory does not
grow with the corpus; on PostgreSQL every chunk is read inside one
REPEATABLE READ, READ ONLY transaction, so all chunks see the same snapshot
even while people keep labeling. Ordering is by sentence id, and annotations
by annotator, so the same data always yields the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from articles.models import Annotation, Article, Corpus, GoldLabel, Label, Sentence
from articles.selectors.datasets import (
    SENTENCE_FIELDS,
    DatasetScope,
    dataset_chunk,
    dataset_row,
    iso,
)

CHUNK_SENTENCES = 2000

CSV_COLUMNS = [
    "corpus",
    "article_id",
    "article_title",
    "article_author",
    "article_outlet",
    "article_source_url",
    "article_published_on",
    "sentence_id",
    "sentence_index",
    "sentence_start",
    "sentence_end",
    "sentence_paragraph",
    "sentence_kind",
    "sentence_text",
    "annotator",
    "label",
    "note",
    "source",
    "guideline_version",
    "updated_at",
    "gold_label",
    "gold_origin",
    "gold_decided_by",
    "gold_note",
]


@contextmanager
def _snapshot():
    """One consistent snapshot for the whole export, where the database offers it."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite: its IMMEDIATE transactions would lock out writers for the
        # whole download. Inside an outer transaction (tests) it is one already.
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _chunks(*, corpus_id: int, scope: DatasetScope, chunk_size: int) -> Iterator[tuple]:
    """(sentence rows, articles, annotations) for each keyset chunk of the corpus."""
    last = 0
    while True:
        rows = list(
            Sentence.objects.filter(article__corpus_id=corpus_id, pk__gt=last)
            .order_by("pk")
            .values_list(*SENTENCE_FIELDS)[:chunk_size]
        )
        if not rows:
            return
        articles, annotations = dataset_chunk(sentence_rows=rows, scope=scope)
        yield rows, articles, annotations
        last = rows[-1][0]


def _jsonl_python(*, corpus_id: int, scope: DatasetScope, chunk_size: int) -> Iterator[bytes]:
    show_gold = corpus_id in scope.see_all
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for rows, articles, labels_of in _chunks(
        corpus_id=corpus_id, scope=scope, chunk_size=chunk_size
    ):
        lines = [
            dumps(
                dataset_row(row, articles[row[7]], labels_of.get(row[0], ()), show_gold=show_gold)
            )
            for row in rows
        ]
        lines.append("")
        yield "\n".join(lines).encode("utf-8")


def _jsonl_sql() -> str:
    """One query per chunk that writes each line in PostgreSQL.

    Building the JSON text in the database keeps Python out of the per-row
    work (10x the rows per second). It writes the very bytes that
    ``_jsonl_python`` writes: compact separators, keys in the same order,
    the same string escapes, timestamps as ``iso`` writes them.
    """
    user = get_user_model()
    tables = {
        "sentence": Sentence._meta.db_table,
        "article": Article._meta.db_table,
        "annotation": Annotation._meta.db_table,
        "label": Label._meta.db_table,
        "gold": GoldLabel._meta.db_table,
        "user": user._meta.db_table,
        "username": user.USERNAME_FIELD,
    }
    return """
SELECT s.id, s.article_id, concat(
  ',"sentence":{{"id":', s.id, ',"index":', s.index, ',"text":', to_json(s.text),
  ',"start":', s.start, ',"end":', s."end", ',"paragraph":', s.paragraph,
  ',"kind":', to_json(s.kind),
  '}},"annotations":[', coalesce((
    SELECT string_agg(concat(
      '{{"annotator":', to_json(u."{username}"), ',"label":', to_json(l.key),
      ',"note":', to_json(an.note), ',"source":', to_json(an.source),
      ',"guideline_version":', an.guideline_version,
      ',"updated_at":"', to_char(an.updated_at AT TIME ZONE 'UTC',
                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '"}}'
    ), ',' ORDER BY u."{username}")
    FROM "{annotation}" an
    JOIN "{user}" u ON u.id = an.annotator_id
    JOIN "{label}" l ON l.id = an.label_id
    WHERE an.sentence_id = s.id AND (%(all_labels)s OR an.annotator_id = %(user_id)s)
  ), ''),
  '],"gold":', CASE WHEN %(show_gold)s AND g.id IS NOT NULL THEN concat(
    '{{"label":', to_json(gl.key), ',"origin":', to_json(g.origin),
    ',"decided_by":', coalesce(to_json(gu."{username}")::text, 'null'),
    ',"note":', to_json(g.note), '}}') ELSE 'null' END,
  '}}')
FROM "{sentence}" s
JOIN "{article}" a ON a.id = s.article_id
LEFT JOIN "{gold}" g ON g.sentence_id = s.id
LEFT JOIN "{label}" gl ON gl.id = g.label_id
LEFT JOIN "{user}" gu ON gu.id = g.decided_by_id
WHERE a.corpus_id = %(corpus_id)s AND s.id > %(after)s
ORDER BY s.id
LIMIT %(limit)s
""".format(**tables)


def _articles_sql() -> str:
    return f"""
SELECT a.id, concat(
  '{{"id":', a.id, ',"title":', to_json(a.title), ',"author":', to_json(a.author),
  ',"outlet":', to_json(a.outlet), ',"source_url":', to_json(a.source_url),
  ',"published_on":', coalesce(to_json(a.published_on)::text, 'null'), '}}')
FROM "{Article._meta.db_table}" a WHERE a.id = ANY(%(ids)s)
"""


def _jsonl_postgres(*, corpus_id: int, scope: DatasetScope, chunk_size: int) -> Iterator[bytes]:
    slug = Corpus.objects.filter(pk=corpus_id).values_list("slug", flat=True).get()
    see_all = corpus_id in scope.see_all
    params = {
        "all_labels": see_all,
        "user_id": scope.user_id,
        "show_gold": see_all,
        "corpus_id": corpus_id,
        "after": 0,
        "limit": chunk_size,
    }
    if scope.only_annotator is not None:  # pragma: no cover - exports take no annotator filter
        raise ValueError("the export has no annotator filter")
    head = '{"corpus":' + json.dumps(slug, ensure_ascii=False) + ',"article":'
    sql, articles_sql = _jsonl_sql(), _articles_sql()
    # An article's JSON is rendered once, not once per sentence; sentences come
    # in id order, so an article rarely spans more than two chunks.
    articles: dict[int, str] = {}
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if not rows:
                return
            missing = list({aid for _, aid, _ in rows} - articles.keys())
            if missing:
                articles = {aid: json for aid, json in articles.items() if aid == rows[0][1]}
                cursor.execute(articles_sql, {"ids": missing})
                articles.update(cursor.fetchall())
            lines = [head + articles[aid] + tail for _, aid, tail in rows]
            lines.append("")
            yield "\n".join(lines).encode("utf-8")
            params["after"] = rows[-1][0]


def export_jsonl(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int = CHUNK_SENTENCES
) -> Iterator[bytes]:
    """One JSON object per sentence and line; the same shape as the dataset listing."""
    write = _jsonl_postgres if connection.vendor == "postgresql" else _jsonl_python
    with _snapshot():
        yield from write(corpus_id=corpus_id, scope=scope, chunk_size=chunk_size)


def export_csv(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int = CHUNK_SENTENCES
) -> Iterator[bytes]:
    """One line per sentence and annotation (a sentence without labels: one line, blank)."""
    show_gold = corpus_id in scope.see_all
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    with _snapshot():
        for rows, articles, labels_of in _chunks(
            corpus_id=corpus_id, scope=scope, chunk_size=chunk_size
        ):
            for row in rows:
                pk, index, text, start, end, paragraph, kind, article_id, slug = row[:9]
                g_label, g_origin, g_by, g_note = row[10:14] if show_gold else (None,) * 4
                article = articles[article_id]
                head = [
                    slug,
                    article[0],
                    article[1],
                    article[2],
                    article[3],
                    article[4],
                    article[5].isoformat() if article[5] else "",
                    pk,
                    index,
                    start,
                    end,
                    paragraph,
                    kind,
                    text,
                ]
                tail = [g_label or "", g_origin or "", g_by or "", g_note or ""]
                labels = labels_of.get(pk)
                if not labels:
                    writer.writerow([*head, "", "", "", "", "", "", *tail])
                for a in labels or ():
                    writer.writerow([*head, a[1], a[2], a[3], a[4], a[5], iso(a[6]), *tail])
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")
