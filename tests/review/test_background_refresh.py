"""Label changes recompute agreement and unanimous gold in a real Celery worker."""

from __future__ import annotations

import pytest

from articles.models import GoldLabel
from review.models import AgreementReport
from review.services.workflow import corpus_workflow_refresh_request
from tests.plugins.worker import purge_queue
from tests.review.conftest import label_sentences, labelable
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


def report_of(corpus):
    return AgreementReport.objects.filter(corpus=corpus).first()


def test_label_changes_recompute_agreement_and_gold_in_the_background(
    celery_worker, corpus, article, annotator, reviewer
):
    corpus.overlap, corpus.auto_gold_unanimous = 2, True
    corpus.save()
    sentences = labelable(article)
    label_sentences(article, annotator, "claim")
    label_sentences(article, reviewer, ["claim"] + ["speculation"] * (len(sentences) - 1))
    expected = 2 * len(sentences)

    report = wait_for(
        lambda: (r := report_of(corpus)) and r.labels_seen == expected and r,
        timeout=60,
        message=f"the worker did not compute agreement:\n{celery_worker.output()}",
    )
    assert report.data["pairable_units"] == len(sentences)
    assert report.data["pairs"][0]["n"] == len(sentences)
    gold = wait_for(lambda: list(GoldLabel.objects.filter(origin="unanimous")), timeout=30)
    assert [g.sentence_id for g in gold] == [sentences[0].pk]


def test_a_burst_of_changes_queues_one_refresh(corpus, article, annotator, celery_worker):
    # The article is segmented (in this process) before the worker starts, so the
    # worker never races it for its segmentation message.
    celery_worker.stop()  # nothing consumes the queue while the burst lands
    purge_queue()  # the fixture article's segmentation message
    label_sentences(article, annotator, "claim")
    label_sentences(article, annotator, "speculation")
    marker = report_of(corpus).refresh_queued_at
    assert marker is not None
    corpus_workflow_refresh_request(corpus_id=corpus.pk)  # outside a transaction: runs now
    assert report_of(corpus).refresh_queued_at == marker  # debounced: still the first request
    from annotator.celery import app

    with app.connection_for_write() as conn:
        _name, waiting, _consumers = conn.default_channel.queue_declare(
            queue=app.conf.task_default_queue, passive=True
        )
    assert waiting == 1


@pytest.mark.django_db(transaction=True)
def test_label_changes_claim_the_refresh_only_once_their_transaction_commits(
    corpus, article, annotator
):
    from django.db import transaction

    with transaction.atomic():
        label_sentences(article, annotator, "claim")
        label_sentences(article, annotator, "speculation")
        # Nothing is claimed (or queued) for changes that may still roll back.
        assert not AgreementReport.objects.filter(
            corpus=corpus, refresh_queued_at__isnull=False
        ).exists()
    assert report_of(corpus).refresh_queued_at is not None
