"""Many articles at once (a bulk import's batch): the same checks as one at a time, one insert."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.services.articles import article_create, articles_create_many

pytestmark = pytest.mark.django_db


def _message(result) -> str:
    assert isinstance(result, ValidationError)
    return " ".join(result.message_dict["text"])


def test_it_stores_every_new_text_with_one_insert(corpus):
    rows = [{"text": f"Article number {i}. It is new.", "title": f"T{i}"} for i in range(30)]
    with CaptureQueriesContext(connection) as queries:
        results = articles_create_many(corpus=corpus, rows=rows)
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "articles_article"')]
    assert len(inserts) == 1
    assert all(isinstance(r, Article) and r.pk for r in results)
    stored = dict(Article.objects.filter(corpus=corpus).values_list("pk", "title"))
    assert [stored[r.pk] for r in results] == [f"T{i}" for i in range(30)]
    assert {a.status for a in Article.objects.filter(corpus=corpus)} == {Article.Status.PENDING}


def test_duplicates_in_the_corpus_and_in_the_batch_name_the_article_holding_the_text(corpus):
    old = article_create(corpus=corpus, text="Already here.", title="Old", queue=False)
    results = articles_create_many(
        corpus=corpus,
        rows=[
            {"text": "Already here."},
            {"text": "Twice in the batch.", "title": "First"},
            {"text": "Twice in the batch.", "title": "Second"},
        ],
    )
    assert f"article {old.pk} (Old)" in _message(results[0])
    assert isinstance(results[1], Article)
    assert f"article {results[1].pk} (First)" in _message(results[2])
    assert all(
        r.message_dict["text"] and r.error_dict["text"][0].code == "duplicate"
        for r in (results[0], results[2])
    )
    assert Article.objects.filter(corpus=corpus, text="Twice in the batch.").count() == 1


def test_a_bad_row_gets_the_message_article_create_gives_and_the_others_are_stored(corpus):
    results = articles_create_many(
        corpus=corpus,
        rows=[
            {"text": "   "},
            {"text": "Fine text.", "source_url": "ftp://example.org/x"},
            {"text": "Fine text too."},
        ],
    )
    assert "no text" in _message(results[0])
    assert "is not an http(s) URL" in " ".join(results[1].message_dict["source_url"])
    assert isinstance(results[2], Article)
    assert Article.objects.filter(corpus=corpus).count() == 1
