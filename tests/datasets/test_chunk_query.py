"""A chunk's annotation query stays on the chunk's sentences.

With the corpus condition written through sentences and articles, SQLite
walked every sentence of the corpus for each chunk, so an export took time in
the square of the corpus. The query must name the chunk's sentence ids and no
article, and still show each caller only what their role allows.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Annotation, Sentence
from datasets.selectors import SENTENCE_FIELDS, dataset_chunk, dataset_scope

pytestmark = pytest.mark.django_db


def _chunk(user, corpus, **scope):
    rows = list(
        Sentence.objects.filter(article__corpus=corpus).order_by("pk").values_list(*SENTENCE_FIELDS)
    )
    with CaptureQueriesContext(connection) as queries:
        _, annotations = dataset_chunk(
            sentence_rows=rows, scope=dataset_scope(user=user, corpus_id=corpus.pk, **scope)
        )
    (query,) = [q["sql"] for q in queries if '"articles_annotation"' in q["sql"].split("WHERE")[0]]
    return annotations, query


def _annotators(annotations) -> set[str]:
    return {row[1] for rows in annotations.values() for row in rows}


def test_the_annotation_query_does_not_join_articles(owner, corpus, interleaved):
    annotations, query = _chunk(owner, corpus)
    assert "articles_article" not in query
    assert "corpus_id" not in query
    assert sum(len(rows) for rows in annotations.values()) == Annotation.objects.count()


def test_an_annotator_still_sees_only_their_own_labels(
    owner, annotator, reviewer, corpus, interleaved
):
    sentence = Sentence.objects.filter(article__corpus=corpus).order_by("pk").first()
    label = corpus.labels.first()
    for user in (annotator, reviewer):
        Annotation.objects.update_or_create(
            sentence=sentence, annotator=user, defaults={"label": label}
        )
    annotations, query = _chunk(annotator, corpus)
    assert "articles_article" not in query
    assert _annotators(annotations) == {annotator.username}
    everyone, _ = _chunk(owner, corpus)
    assert {annotator.username, reviewer.username} <= _annotators(everyone)


def test_the_annotator_filter_still_applies(owner, annotator, corpus, interleaved):
    sentence = Sentence.objects.filter(article__corpus=corpus).order_by("pk").first()
    Annotation.objects.update_or_create(
        sentence=sentence, annotator=annotator, defaults={"label": corpus.labels.first()}
    )
    annotations, _ = _chunk(owner, corpus, annotator=annotator.username)
    assert _annotators(annotations) == {annotator.username}


def test_on_sqlite_each_chunk_reads_only_its_own_rows(owner, corpus, interleaved):
    """Every query of a chunk finds its rows through an index, the sentences in id order.

    Through the index on the articles' corpus, SQLite read and sorted all the
    corpus's sentences after the chunk's start for every chunk (time in the
    square of the corpus): its plan then sorted ("TEMP B-TREE FOR ORDER BY").
    """
    from django.db.models import Q

    from datasets.selectors import dataset_chunks

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plans")
    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    with CaptureQueriesContext(connection) as queries:
        chunks = list(
            dataset_chunks(
                corpus_id=corpus.pk, scope=scope, chunk_size=5, sentences=Q(article__archived=False)
            )
        )
    assert len(chunks) > 3
    walked = 0
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = [row[3] for row in cursor.fetchall()]
            for table in ("articles_sentence", "articles_annotation", "articles_goldlabel"):
                assert not any(step.startswith(f"SCAN {table}") for step in plan), plan
            if query["sql"].startswith('SELECT "articles_sentence"."id"'):
                assert "SEARCH articles_sentence USING INTEGER PRIMARY KEY (rowid>?)" in plan
                assert "USE TEMP B-TREE FOR ORDER BY" not in plan
                walked += 1
    assert walked == len(chunks) + 1  # the last query finds no more rows


def test_on_sqlite_the_line_statement_walks_the_sentences_in_id_order(owner, corpus, interleaved):
    """The statement that writes a chunk's lines (``sql.sqlite_jsonl_rows``) reads the
    sentences from the chunk's start in id order and everything else by index."""
    from datasets import sql

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plans")
    query = sql.SqliteChunkQuery(
        corpus_id=corpus.pk, after=0, size=5, user_id=owner.pk, all_labels=True, show_gold=True
    )
    with connection.cursor() as cursor:
        rows = sql.sqlite_jsonl_rows(cursor, query)
        ids = [row.sentence_id for row in rows]
        assert len(ids) == 5 and ids == sorted(ids)
        cursor.execute("EXPLAIN QUERY PLAN " + sql._sqlite_jsonl_sql(), query._asdict())
        steps = cursor.fetchall()
    # (id, parent, _, detail): the statement's own steps have parent 0; a label's
    # few rows are sorted by annotator inside the subquery, not the chunk.
    outer = [detail for _, parent, _, detail in steps if parent == 0]
    assert outer[:2] == [
        "SEARCH s USING INTEGER PRIMARY KEY (rowid>?)",
        "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)",
    ], steps
    assert "USE TEMP B-TREE FOR ORDER BY" not in outer, steps
    assert not [d for *_, d in steps if d.startswith("SCAN") and "(subquery" not in d], steps
