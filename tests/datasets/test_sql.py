"""The export's raw statements (datasets/sql.py): each column lands in the field it names.

The values compared differ from column to column (a sentence's id is not its
article's), so two columns swapped in a statement make a test fail.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from articles.services.annotations import annotation_set
from corpora.models import Label
from datasets.sql import LAST_ID, ChunkQuery, articles_json, chunk_end, jsonl_chunk, jsonl_rows

# These statements serve the export built in PostgreSQL (datasets/export.py).
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def sentences(article):
    """The article's labelable sentences, none with the article's id."""
    labelable = article.sentences.filter(kind="sentence").order_by("pk")
    chosen = [s for s in labelable if s.pk != article.pk]
    assert len(chosen) >= 3
    return chosen


def _query(article, sentences, annotator) -> ChunkQuery:
    """The chunk of the first sentence alone, with the annotator's labels."""
    return ChunkQuery(
        corpus_id=article.corpus_id,
        after=sentences[0].pk - 1,
        upto=sentences[0].pk,
        user_id=annotator.pk,
        all_labels=False,
        show_gold=False,
    )


def test_jsonl_rows_name_sentence_article_and_line(article, sentences, annotator):
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=sentences[0], annotator=annotator, label=claim)
    rows = jsonl_rows(connection.cursor().connection, _query(article, sentences, annotator))
    assert [(r.sentence_id, r.article_id, r.start, r.end) for r in rows] == [
        (sentences[0].pk, article.pk, sentences[0].start, sentences[0].end)
    ]
    # The UTF-16 offsets go between the two parts.
    line = json.loads('{"x":0' + rows[0].line_head + ',"start_utf16":0' + rows[0].line_tail)
    assert line["sentence"]["id"] == sentences[0].pk
    assert line["sentence"]["end"] == sentences[0].end
    assert line["sentence"]["paragraph"] == sentences[0].paragraph
    assert [a["label"] for a in line["annotations"]] == ["claim"]


def test_articles_json_names_the_article_and_its_object(article):
    with connection.cursor() as cursor:
        (row,) = articles_json(cursor, ids=[article.pk])
    assert row.article_id == article.pk
    assert json.loads(row.article_json)["title"] == article.title


def test_chunk_end_is_the_last_sentence_id_of_the_chunk(article, sentences):
    everything = list(article.sentences.order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        end = chunk_end(cursor, corpus_id=article.corpus_id, after=0, size=2)
        rest = chunk_end(cursor, corpus_id=article.corpus_id, after=0, size=len(everything) + 1)
    assert (end, rest) == (everything[1], None)
    assert everything[-1] < LAST_ID


def test_jsonl_chunk_writes_whole_lines_and_says_when_it_cannot(
    article, sentences, annotator, make_article
):
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=sentences[0], annotator=annotator, label=claim)
    conn = connection.cursor().connection
    chunk = jsonl_chunk(
        conn, _query(article, sentences, annotator), head='{"corpus":"c","article":'
    )
    assert chunk.astral is False
    (line,) = [json.loads(text) for text in chunk.text.split(b"\n")]
    assert line["corpus"] == "c"
    assert line["article"]["id"] == article.pk
    assert line["sentence"]["id"] == sentences[0].pk
    assert (line["sentence"]["start_utf16"], line["sentence"]["end_utf16"]) == (
        sentences[0].start,
        sentences[0].end,
    )
    assert [a["label"] for a in line["annotations"]] == ["claim"]
    # An article with a character outside the Basic Multilingual Plane: its UTF-16
    # offsets differ, which the database does not compute; the chunk says so.
    emoji = make_article(article.corpus, "A rocket \U0001f680 went up. It came down again.")
    first = emoji.sentences.order_by("pk").first()
    query = ChunkQuery(
        corpus_id=article.corpus_id,
        after=first.pk - 1,
        upto=first.pk,
        user_id=annotator.pk,
        all_labels=False,
        show_gold=False,
    )
    assert jsonl_chunk(conn, query, head="").astral is True
    # No sentence in the range: no text.
    empty = query._replace(after=LAST_ID - 1, upto=LAST_ID)
    assert jsonl_chunk(conn, empty, head="") == (None, False)
