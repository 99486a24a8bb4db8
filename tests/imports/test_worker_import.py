"""A real Celery worker runs bulk imports end to end."""

from __future__ import annotations

import json

import pytest

from articles.models import Article
from imports.models import ImportJob
from imports.selectors import import_job_progress
from imports.services import import_file_create
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _finished(job_id: int) -> ImportJob | None:
    job = ImportJob.objects.get(pk=job_id)
    return job if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED) else None


@pytest.mark.postgres
def test_a_worker_imports_and_segments_a_jsonl_batch(corpus, owner, celery_worker):
    rows = [
        json.dumps({"text": f"Article {i} says a thing. It may be true.", "title": f"T{i}"})
        for i in range(30)
    ]
    rows.insert(10, "{broken")
    rows.append(rows[0])  # a duplicate
    job = import_file_create(
        corpus=corpus, user=owner, filename="batch.jsonl", data="\n".join(rows).encode()
    )

    job = wait_for(lambda: _finished(job.pk), timeout=60, message=celery_worker.output())
    assert (job.status, job.total, job.done, job.failed, job.duplicates) == ("done", 32, 30, 1, 1)
    assert list(job.failures.values_list("line", "kind")) == [(11, "error"), (32, "duplicate")]
    wait_for(
        lambda: Article.objects.filter(corpus=corpus, status=Article.Status.READY).count() == 30,
        timeout=60,
        message="not every imported article was segmented",
    )
    assert import_job_progress(job=job)["segmentation"] == {"ready": 30}


def test_a_worker_imports_a_csv_batch(corpus, owner, celery_worker):
    data = "text,title\n" + "".join(f'"Row {i}, with a comma.",R{i}\n' for i in range(5))
    job = import_file_create(corpus=corpus, user=owner, filename="b.csv", data=data.encode())
    job = wait_for(lambda: _finished(job.pk), timeout=60, message=celery_worker.output())
    assert (job.status, job.done, job.failed) == ("done", 5, 0)
    assert Article.objects.get(corpus=corpus, title="R3").text == "Row 3, with a comma."
