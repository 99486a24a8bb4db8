"""A bulk import sends its articles' segmentation as a few batches, each article claimed alone."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from annotator.celery import app
from articles.models import Article
from articles.services.articles import SEGMENT_BATCH_SIZE, SEGMENT_BATCH_TASK
from articles.tasks import segment_articles
from imports.services import import_file_create, import_job_run
from tests.plugins.worker import process_queue, purge_queue

pytestmark = pytest.mark.django_db


def waiting_messages() -> list[tuple[str, list]]:
    """Take every message waiting in this test process's queue: (task name, args)."""
    taken = []
    with app.connection_for_write() as conn:
        while (message := conn.default_channel.basic_get(process_queue(), no_ack=True)) is not None:
            args, _kwargs, _embed = message.decode()
            taken.append((message.headers["task"], args))
    return taken


def test_a_bulk_import_queues_segmentation_in_batches(
    corpus, owner, django_capture_on_commit_callbacks
):
    count = 2 * SEGMENT_BATCH_SIZE + 3
    rows = (json.dumps({"text": f"Article {i} says so. It is news."}) for i in range(count))
    data = "\n".join(rows)
    job = import_file_create(corpus=corpus, user=owner, filename="b.jsonl", data=data.encode())
    purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        import_job_run(job_id=job.pk)

    messages = waiting_messages()
    created = set(Article.objects.filter(corpus=corpus).values_list("pk", flat=True))
    assert len(created) == count
    assert [name for name, _ in messages] == [SEGMENT_BATCH_TASK] * 3
    batches = [args[0] for _, args in messages]
    # (the filesystem broker does not keep the order of messages)
    assert sorted(len(batch) for batch in batches) == [3, SEGMENT_BATCH_SIZE, SEGMENT_BATCH_SIZE]
    assert sorted(pk for batch in batches for pk in batch) == sorted(created)


def test_a_batch_claims_each_article_as_one_task_would(corpus, make_article):
    texts = [f"Article {i} opens. It closes." for i in range(4)]
    ready, pending, mine, theirs = (make_article(corpus, t, segment=False) for t in texts)
    Article.objects.filter(pk=ready.pk).update(status=Article.Status.READY)
    # A redelivery of this batch: its own claim is taken back (the start counted),
    # another task's claim is left alone.
    Article.objects.filter(pk=mine.pk).update(
        status=Article.Status.SEGMENTING, segmentation_task_id="batch-1", attempts=1
    )
    Article.objects.filter(pk=theirs.pk).update(
        status=Article.Status.SEGMENTING, segmentation_task_id="other", attempts=1
    )

    ids = [ready.pk, pending.pk, mine.pk, theirs.pk]
    result = segment_articles.apply(args=[ids], task_id="batch-1").get()

    assert result.split(",") == ["skipped", "done", "done", "skipped"]
    rows = {a.pk: a for a in Article.objects.filter(pk__in=ids)}
    assert rows[pending.pk].status == rows[mine.pk].status == Article.Status.READY
    assert (rows[pending.pk].attempts, rows[mine.pk].attempts) == (1, 2)
    assert rows[pending.pk].sentences.count() == 2
    assert rows[theirs.pk].status == Article.Status.SEGMENTING
    assert rows[ready.pk].sentences.count() == 0


def test_a_batch_at_the_attempt_limit_fails_only_that_article(corpus, make_article):
    first, second = (make_article(corpus, f"Text {i}. More.", segment=False) for i in range(2))
    Article.objects.filter(pk=first.pk).update(
        status=Article.Status.SEGMENTING,
        segmentation_task_id="batch-2",
        attempts=settings.TASK_MAX_ATTEMPTS,
    )
    segment_articles.apply(args=[[first.pk, second.pk]], task_id="batch-2").get()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Article.Status.FAILED
    assert f"{settings.TASK_MAX_ATTEMPTS} times" in first.failure_reason
    assert second.status == Article.Status.READY
