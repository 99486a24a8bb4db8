"""A task past its soft time limit ends its import as failed, with the reason shown."""

from __future__ import annotations

import pytest

from imports.models import ImportJob
from imports.selectors import import_job_progress
from imports.services import import_url_create
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_fetch_that_outlasts_the_soft_time_limit_fails_the_job_with_the_reason(
    corpus, owner, page_server, allow_local_server, worker_factory
):
    page_server.hang("/slow", seconds=30)  # answers long after the task's limit
    worker = worker_factory(
        TASK_SOFT_TIME_LIMIT_SECONDS="2",
        TASK_HARD_TIME_LIMIT_SECONDS="60",
        IMPORT_ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32",
        IMPORT_FETCH_TIMEOUT_SECONDS="25",
    )
    job = import_url_create(corpus=corpus, user=owner, url=page_server.url("/slow"))
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == "failed",
        timeout=40,
        message=worker.output,
    )
    job.refresh_from_db()
    assert job.error.startswith("Stopped after 2 s, the time limit of one background task")
    assert import_job_progress(job=job)["message"] == job.error  # what the page shows
