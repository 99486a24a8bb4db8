"""Real workers heal lost work, give up on poison messages, and stop at their limits.

Each test starts a real ``celery worker`` with the settings under test in its
environment (short thresholds, small limits).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
from celery.exceptions import TimeLimitExceeded
from django.utils import timezone

from articles.models import Article, Sentence
from articles.services.articles import article_create
from articles.tasks import segment_article
from imports.models import ImportJob
from imports.services import import_file_create
from imports.tasks import run_import_job
from tests.conftest import SAMPLE_TEXT
from tests.locks import (
    end_sessions_waiting_on_the_lock,
    sentence_table_locked,
    worker_waits_on_the_lock,
)
from tests.plugins.worker import purge_queue
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FAST_SWEEPS = {"RECONCILE_EVERY_SECONDS": "1", "REQUEUE_QUEUED_AFTER_SECONDS": "1"}


def article_row(article_id: int) -> Article:
    return Article.objects.get(pk=article_id)


def test_a_worker_sends_again_an_article_whose_message_was_lost(corpus, worker_factory):
    """Any broker, the embedded filesystem one included: the worker's own sweep heals it."""
    article = article_create(corpus=corpus, text=SAMPLE_TEXT)
    purge_queue()  # the broker lost the message (e.g. Redis restarted without persistence)
    worker = worker_factory(**FAST_SWEEPS)
    wait_for(lambda: article_row(article.pk).status == "ready", timeout=40, message=worker.output)
    assert Sentence.objects.filter(article=article).count() >= 5


def test_a_worker_sends_again_an_import_that_could_not_be_sent(
    corpus, owner, worker_factory, broker_switch, settings
):
    broker_switch(None)
    job = import_file_create(
        corpus=corpus,
        user=owner,
        filename="two.jsonl",
        data=b'{"text": "One article. It is short."}\n{"text": "Another one. Also short."}\n',
    )
    broker_switch(settings.CELERY_BROKER_URL)
    assert ImportJob.objects.get(pk=job.pk).sent_at is None
    worker = worker_factory(**FAST_SWEEPS)
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == "done",
        timeout=40,
        message=worker.output,
    )
    assert ImportJob.objects.get(pk=job.pk).done == 2


def child_pids(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in out.stdout.split()]


@pytest.mark.postgres
def test_a_poison_message_that_kills_its_worker_is_given_up_after_the_attempt_limit(
    corpus, worker_factory, settings
):
    """Each start kills the worker's child (as the OOM killer would); no endless redelivery."""
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("the filesystem broker does not redeliver a message whose worker died")
    worker = worker_factory(TASK_MAX_ATTEMPTS="2")
    with sentence_table_locked():
        article = article_create(corpus=corpus, text=SAMPLE_TEXT)
        for attempt in (1, 2):
            wait_for(
                lambda attempt=attempt: (
                    article_row(article.pk).attempts == attempt and worker_waits_on_the_lock()
                ),
                timeout=40,
                message=worker.output,
            )
            for child in child_pids(worker.proc.pid):
                os.kill(child, signal.SIGKILL)
            # The dead child's database session sits in its lock wait (PostgreSQL notices a
            # lost client at its next read); end it, as the server would, to free its row lock.
            end_sessions_waiting_on_the_lock()
        wait_for(
            lambda: article_row(article.pk).status == "failed", timeout=40, message=worker.output
        )
    failed = article_row(article.pk)
    assert failed.attempts == 2
    assert "started segmenting this article 2 times and was lost each time" in (
        failed.failure_reason
    )
    assert not Sentence.objects.filter(article=article).exists()


def test_the_hard_time_limit_marks_the_work_failed_from_the_main_process(corpus, owner):
    """Celery calls the task's on_failure in the worker's main process after killing the child."""
    article = article_create(corpus=corpus, text=SAMPLE_TEXT)
    Article.objects.filter(pk=article.pk).update(
        status="segmenting", segmentation_task_id="killed-task", status_changed_at=timezone.now()
    )
    segment_article.on_failure(TimeLimitExceeded(30), "killed-task", (article.pk,), {}, None)
    assert article_row(article.pk).status == "failed"
    assert article_row(article.pk).failure_reason.startswith("Killed after")

    job = import_file_create(corpus=corpus, user=owner, filename="a.txt", data=b"Some text.")
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    run_import_job.on_failure(TimeLimitExceeded(30), "killed-import", (job.pk,), {}, None)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("Killed after")


def test_a_job_that_exhausts_the_workers_memory_cap_fails_with_the_reason(
    corpus, owner, worker_factory
):
    rows = "".join(
        json.dumps({"text": f"Article {n}. " + "Words of an opinion piece. " * 2000}) + "\n"
        for n in range(1500)
    ).encode()
    assert len(rows) > 60_000_000
    job = import_file_create(corpus=corpus, user=owner, filename="big.jsonl", data=rows)
    worker = worker_factory(WORKER_MEMORY_LIMIT_MB="400")
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == "failed",
        timeout=90,
        message=worker.output,
    )
    assert ImportJob.objects.get(pk=job.pk).error.startswith("Ran out of memory"), worker.output()
