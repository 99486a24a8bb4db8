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

from django.db import connection, transaction

from articles.models import Sentence
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


def export_jsonl(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int = CHUNK_SENTENCES
) -> Iterator[bytes]:
    """One JSON object per sentence and line; the same shape as the dataset listing."""
    show_gold = corpus_id in scope.see_all
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with _snapshot():
        for rows, articles, annotations in _chunks(
            corpus_id=corpus_id, scope=scope, chunk_size=chunk_size
        ):
            lines = [
                dumps(
                    dataset_row(
                        row, articles[row[7]], annotations.get(row[0], ()), show_gold=show_gold
                    )
                )
                for row in rows
            ]
            lines.append("")
            yield "\n".join(lines).encode("utf-8")


def export_csv(
    *, corpus_id: int, scope: DatasetScope, chunk_size: int = CHUNK_SENTENCES
) -> Iterator[bytes]:
    """One line per sentence and annotation (a sentence without labels: one line, blank)."""
    show_gold = corpus_id in scope.see_all
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    with _snapshot():
        for rows, articles, annotations in _chunks(
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
                labels = annotations.get(pk)
                if not labels:
                    writer.writerow([*head, "", "", "", "", "", "", *tail])
                for a in labels or ():
                    writer.writerow([*head, a[1], a[2], a[3], a[4], a[5], iso(a[6]), *tail])
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")
