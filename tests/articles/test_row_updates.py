"""How an article's row is stored and updated (migration 0013)."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.services.segmentation import article_claim

pytestmark = pytest.mark.django_db


def _hot_updates() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_tuples_hot_updated('articles_article'::regclass)")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_segmentation_status_changes_update_the_row_in_place(corpus, make_article):
    """No index holds the status, and pages keep room: a claim writes no index entry
    (the full-text ones included), as a HOT update."""
    articles = [
        make_article(corpus, text=f"Article {n}. It has two sentences.", segment=False)
        for n in range(5)
    ]
    before = _hot_updates()
    for article in articles:
        assert article_claim(article_id=article.pk, task_id=f"task-{article.pk}")
    assert _hot_updates() - before == len(articles)


@pytest.mark.postgres
def test_no_index_holds_the_status_and_pages_keep_room():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'articles_article' "
            "AND indexdef LIKE '%%status%%'"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'articles_article'")
        assert cursor.fetchone()[0] == ["fillfactor=70"]


def test_sqlite_keeps_an_index_on_the_status():
    """SQLite keeps an article's text in its row: the reconciler's sweep by status
    reads the index, not every text."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plans")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM articles_article WHERE status = 'pending'"
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "article_status_sqlite" in plan


def test_sqlite_keeps_its_foreign_key_indexes():
    """PostgreSQL goes without the indexes other indexes cover; SQLite's planner read the
    dataset page more slowly without them (migration 0015)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
        indexes = set(cursor.fetchall())
    assert {
        ("article_corpus_sqlite", "articles_article"),
        ("sentence_article_sqlite", "articles_sentence"),
        ("annotation_sentence_sqlite", "articles_annotation"),
        ("annotationevent_sentence_sqlite", "articles_annotationevent"),
        ("articlelabelcount_annotator_sqlite", "articles_articlelabelcount"),
    } <= indexes
