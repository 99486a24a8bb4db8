"""Segmentation in a real Celery worker, on the configured database and broker."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from articles.models import Article, Sentence
from articles.services.articles import article_create
from articles.tasks import segment_article
from tests.conftest import SAMPLE_TEXT
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def status_of(article_id: int) -> str:
    return Article.objects.values_list("status", flat=True).get(pk=article_id)


def test_a_worker_segments_an_article_once_it_is_committed(corpus, celery_worker):
    article = article_create(corpus=corpus, text=SAMPLE_TEXT, title="Talks")
    wait_for(lambda: status_of(article.pk) == "ready", message=celery_worker.output())
    sentences = list(Sentence.objects.filter(article=article).order_by("index"))
    assert len(sentences) >= 5
    for s in sentences:
        assert s.text == SAMPLE_TEXT[s.start : s.end]


def test_a_duplicate_delivery_changes_nothing(corpus, celery_worker):
    article = article_create(corpus=corpus, text=SAMPLE_TEXT)
    wait_for(lambda: status_of(article.pk) == "ready", message=celery_worker.output())
    before = list(Sentence.objects.filter(article=article).values_list("id", "start", "end"))
    # The same message delivered twice more, as a broker may do.
    segment_article.apply_async(args=[article.pk], task_id="duplicate-delivery")
    segment_article.apply_async(args=[article.pk], task_id="duplicate-delivery")
    wait_for(lambda: celery_worker.output().count("succeeded") >= 3, message=celery_worker.output())
    assert "skipped" in celery_worker.output()
    after = list(Sentence.objects.filter(article=article).values_list("id", "start", "end"))
    assert after == before


def test_a_failure_shows_its_reason(corpus, celery_worker):
    # Rows written by an older version or by hand can hold what the import
    # refuses today; the worker must say what went wrong, not stay silent.
    article = Article.objects.create(corpus=corpus, text=" \n\n ", content_hash="0" * 64)
    segment_article.delay(article.pk)
    wait_for(lambda: status_of(article.pk) == "failed", message=celery_worker.output())
    article.refresh_from_db()
    assert article.failure_reason == "The article has no text to segment."
    assert not Sentence.objects.filter(article=article).exists()


@pytest.mark.postgres
def test_a_worker_killed_mid_task_leaves_exactly_one_set_after_redelivery(
    corpus, worker_factory, settings
):
    """SIGKILL while the sentences are being written; the broker delivers again."""
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("the filesystem broker does not redeliver unacknowledged messages")
    first = worker_factory()
    blocker_ready = threading.Event()
    release = threading.Event()

    def hold_sentence_table() -> None:
        # A second connection locks the sentence table, so the worker's insert
        # waits inside its transaction: the task is mid-way when it dies.
        from django.db import connections

        conn = connections.create_connection("default")
        try:
            with conn.cursor() as cur:
                cur.execute("BEGIN")
                cur.execute("LOCK TABLE articles_sentence IN SHARE MODE")
                blocker_ready.set()
                release.wait(60)
                cur.execute("ROLLBACK")
        finally:
            conn.close()

    holder = threading.Thread(target=hold_sentence_table)
    holder.start()
    try:
        assert blocker_ready.wait(10)
        article = article_create(corpus=corpus, text=SAMPLE_TEXT)
        wait_for(lambda: status_of(article.pk) == "segmenting", message=first.output())

        def worker_waits_on_lock() -> bool:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE %s",
                    ["%articles_sentence%"],
                )
                return cur.fetchone()[0] > 0

        wait_for(worker_waits_on_lock, message="the worker never reached the sentence insert")
        first.kill()
    finally:
        release.set()
        holder.join(30)
    assert status_of(article.pk) == "segmenting"
    assert not Sentence.objects.filter(article=article).exists()

    second = worker_factory()
    wait_for(lambda: status_of(article.pk) == "ready", timeout=60, message=second.output())
    sentences = list(Sentence.objects.filter(article=article).order_by("index"))
    starts = [s.start for s in sentences]
    assert len(starts) == len(set(starts))
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(s.text == SAMPLE_TEXT[s.start : s.end] for s in sentences)
