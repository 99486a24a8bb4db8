"""After a bulk import's segmentation, PostgreSQL's planner statistics catch up with the rows."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.models import Article, Sentence
from articles.services.articles import article_create
from articles.tasks import segment_articles
from ops.services import table_statistics_refresh


def _text(n: int) -> str:
    """An article of 100 sentences in 10 paragraphs, different for each ``n``."""
    sentence = "Sentence {i} of article {n} says what the talks mean."
    return "\n\n".join(
        " ".join(sentence.format(i=p * 10 + i, n=n) for i in range(10)) for p in range(10)
    )


def _last_analyze(model) -> object:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [model._meta.db_table],
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bulk_segmentation_batch_analyzes_the_sentences_it_added(corpus):
    articles = [article_create(corpus=corpus, text=_text(n)) for n in range(12)]
    before = _last_analyze(Sentence)

    segment_articles.apply(args=[[a.pk for a in articles]]).get()

    assert Sentence.objects.filter(article__in=articles).count() > 1000
    after = _last_analyze(Sentence)
    assert after is not None and after != before
    # Fresh now: nothing to do until the table changes again by as many rows as it has.
    assert table_statistics_refresh(models=[Article, Sentence]) == []


@pytest.mark.django_db
def test_a_few_rows_or_sqlite_analyze_nothing(article):
    # One article's sentences are far below the floor (and SQLite keeps no such statistics).
    assert Sentence._meta.db_table not in table_statistics_refresh(models=[Sentence])
