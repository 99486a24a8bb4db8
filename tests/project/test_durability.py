"""Segmentation's transactions commit without waiting for the disk; nothing else does.

``annotator.durability``: on PostgreSQL a redoable transaction sets
``synchronous_commit`` off for itself alone. Checked on the statements a real
segmentation sends, and on the connection's setting after it.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from annotator.durability import redoable_transaction
from articles.models import Article
from articles.services.articles import article_create
from articles.services.segmentation import article_segment
from tests.conftest import SAMPLE_TEXT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RELAXED = "SET LOCAL synchronous_commit TO OFF"


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_a_redoable_transaction_relaxes_its_own_commit_only():
    before = _synchronous_commit()
    assert before == "on"
    with redoable_transaction():
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == before
    with transaction.atomic():
        assert _synchronous_commit() == before


def test_an_articles_claim_and_its_sentences_are_written_in_redoable_transactions(corpus):
    article = article_create(corpus=corpus, text=SAMPLE_TEXT, queue=False)
    with CaptureQueriesContext(connection) as queries:
        article_segment(article_id=article.pk, task_id="t-1")
    statements = [q["sql"] for q in queries.captured_queries]
    claim = next(i for i, sql in enumerate(statements) if "UPDATE" in sql and "segmenting" in sql)
    insert = next(i for i, sql in enumerate(statements) if "INSERT INTO articles_sentence" in sql)
    # Each write is preceded, in its own transaction, by the setting.
    assert statements[claim - 1] == RELAXED
    assert RELAXED in statements[claim + 1 : insert]
    assert Article.objects.get(pk=article.pk).status == Article.Status.READY
    # The connection itself is left as it was for whatever it runs next.
    assert _synchronous_commit() == "on"
