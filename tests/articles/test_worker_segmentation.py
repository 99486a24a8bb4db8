"""Segmentation in a real Celery worker, on the configured database and broker."""

from __future__ import annotations

import pytest

from articles.models import Article, Sentence
from articles.services.articles import article_create
from articles.tasks import segment_article
from tests.conftest import SAMPLE_TEXT
from tests.locks import sentence_table_locked, worker_waits_on_the_lock
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
    with sentence_table_locked():
        article = article_create(corpus=corpus, text=SAMPLE_TEXT)
        wait_for(lambda: status_of(article.pk) == "segmenting", message=first.output())
        wait_for(worker_waits_on_the_lock, message="the worker never reached the sentence insert")
        first.kill()
    assert status_of(article.pk) == "segmenting"
    assert not Sentence.objects.filter(article=article).exists()

    second = worker_factory()
    wait_for(lambda: status_of(article.pk) == "ready", timeout=60, message=second.output())
    sentences = list(Sentence.objects.filter(article=article).order_by("index"))
    starts = [s.start for s in sentences]
    assert len(starts) == len(set(starts))
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(s.text == SAMPLE_TEXT[s.start : s.end] for s in sentences)
