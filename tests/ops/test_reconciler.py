"""Lost messages are noticed and sent again; a request never fails because the broker is down.

The reconciler's sweeps (articles and import jobs) run against the real database and
the configured broker; the broker being down is a real connection refused.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from annotator.queue import queue_depth
from articles.models import Article
from articles.services.articles import article_create, articles_reconcile
from imports.models import ImportJob
from imports.services import (
    import_file_create,
    import_job_run,
    import_jobs_reconcile,
    import_text_create,
)
from ops.services import sweep_all
from tests.conftest import SAMPLE_TEXT
from tests.plugins.worker import purge_queue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_queue():
    purge_queue()
    yield
    purge_queue()


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_creating_an_article_while_the_broker_is_down_succeeds_and_is_sent_later(
    corpus, broker_switch, settings
):
    broker_switch(None)
    article = article_create(corpus=corpus, text=SAMPLE_TEXT)  # commits, then fails to send
    article.refresh_from_db()
    assert article.status == "pending"
    assert article.sent_at is None  # marked for the reconciler

    assert articles_reconcile(queue_depth=None) == 0  # still down: nothing sent, still marked
    article.refresh_from_db()
    assert article.sent_at is None

    broker_switch(settings.CELERY_BROKER_URL)  # the broker is back
    assert articles_reconcile(queue_depth=queue_depth()) == 1
    article.refresh_from_db()
    assert article.sent_at is not None
    assert queue_depth() == 1


def test_an_import_through_the_api_answers_202_while_the_broker_is_down(
    corpus, owner, client_for, broker_switch, settings
):
    broker_switch(None)
    response = client_for(owner).post(
        f"/api/corpora/{corpus.slug}/imports/",
        {"kind": "text", "text": SAMPLE_TEXT, "title": "Talks"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "queued"
    assert job.sent_at is None
    broker_switch(settings.CELERY_BROKER_URL)
    assert sweep_all()["imports"] == 1
    assert queue_depth() == 1


def test_a_pending_article_whose_message_was_lost_is_sent_again_once_the_queue_is_empty(
    corpus, settings
):
    article = article_create(corpus=corpus, text=SAMPLE_TEXT)
    assert queue_depth() == 1
    purge_queue()  # the broker lost it
    after = later(settings.REQUEUE_QUEUED_AFTER_SECONDS + 1)
    assert articles_reconcile(now=timezone.now(), queue_depth=0) == 0  # not overdue yet
    assert articles_reconcile(now=after, queue_depth=3) == 0  # a backlog: likely still there
    assert articles_reconcile(now=after, queue_depth=0) == 1
    assert articles_reconcile(now=after, queue_depth=0) == 0  # taken: not sent twice
    assert queue_depth() == 1
    article.refresh_from_db()
    assert article.sent_at == after


def test_an_article_left_segmenting_past_the_stuck_threshold_is_sent_again_under_its_task_id(
    corpus, settings
):
    article = article_create(corpus=corpus, text=SAMPLE_TEXT)
    purge_queue()
    Article.objects.filter(pk=article.pk).update(
        status="segmenting", segmentation_task_id="lost-task", attempts=1
    )
    assert articles_reconcile(now=later(60), queue_depth=0) == 0  # may still be running
    stuck = later(settings.WORK_STUCK_AFTER_SECONDS + 1)
    assert articles_reconcile(now=stuck, queue_depth=5) == 1  # a lost start, whatever the queue
    article.refresh_from_db()
    assert (article.status, article.segmentation_task_id) == ("segmenting", "lost-task")
    assert articles_reconcile(now=stuck, queue_depth=0) == 0


def test_a_bulk_import_whose_segmentation_batch_was_not_sent_is_sent_later(
    corpus, owner, broker_switch, settings
):
    rows = "\n".join(f'{{"text": "Bulk article {i}. It ends."}}' for i in range(3))
    job = import_file_create(corpus=corpus, user=owner, filename="b.jsonl", data=rows.encode())
    purge_queue()
    broker_switch(None)
    import_job_run(job_id=job.pk)  # the batch commits; its segmentation cannot be sent
    articles = Article.objects.filter(corpus=corpus)
    assert articles.count() == 3
    assert list(articles.values_list("sent_at", flat=True)) == [None] * 3

    broker_switch(settings.CELERY_BROKER_URL)
    assert articles_reconcile(queue_depth=queue_depth()) == 3  # one message per article
    assert queue_depth() == 3


def test_import_jobs_are_swept_the_same_way(corpus, owner, settings):
    job = import_text_create(corpus=corpus, user=owner, text=SAMPLE_TEXT)
    purge_queue()
    after = later(settings.REQUEUE_QUEUED_AFTER_SECONDS + 1)
    assert import_jobs_reconcile(now=after, queue_depth=2) == 0
    assert import_jobs_reconcile(now=after, queue_depth=0) == 1
    assert import_jobs_reconcile(now=after, queue_depth=0) == 0
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    stuck = later(settings.WORK_STUCK_AFTER_SECONDS + settings.REQUEUE_QUEUED_AFTER_SECONDS + 2)
    assert import_jobs_reconcile(now=stuck, queue_depth=0) == 1
    assert queue_depth() == 2


def test_the_reconcile_command_runs_every_sweep(corpus, owner, broker_switch, settings):
    broker_switch(None)
    article_create(corpus=corpus, text=SAMPLE_TEXT)
    import_text_create(corpus=corpus, user=owner, text=SAMPLE_TEXT + " Again.")
    broker_switch(settings.CELERY_BROKER_URL)
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert "articles: 1" in out.getvalue()
    assert "imports: 1" in out.getvalue()
    assert queue_depth() == 2
