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
