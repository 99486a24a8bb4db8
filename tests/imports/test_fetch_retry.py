"""Page fetches that fail for a passing reason are tried again, a bounded number of times."""

from __future__ import annotations

import pytest

from articles.models import Article
from imports.fetcher import FetchError, fetch_page
from imports.models import ImportJob
from imports.selectors import import_job_progress
from imports.services import FetchRetry, import_job_run, import_url_create
from tests.waiting import wait_for

from .conftest import NEWS_PAGE


@pytest.fixture
def quick_fetch(allow_local_server):
    allow_local_server.IMPORT_FETCH_TIMEOUT_SECONDS = 1
    allow_local_server.IMPORT_FETCH_ATTEMPTS = 3
    allow_local_server.IMPORT_FETCH_RETRY_BACKOFF_SECONDS = 2
    return allow_local_server


@pytest.mark.django_db
def test_timeouts_and_5xx_are_transient_4xx_and_refusals_are_not(page_server, quick_fetch):
    page_server.sequence("/busy", (503, "busy"))
    page_server.sequence("/gone", (410, "gone"))
    page_server.hang("/slow", 3)
    failures = {}
    for path in ("/busy", "/gone", "/slow", "/missing"):
        with pytest.raises(FetchError) as caught:
            fetch_page(page_server.url(path))
        failures[path] = caught.value
    with pytest.raises(FetchError) as refused:
        fetch_page(f"http://127.0.0.2:{page_server.port}/busy")

    assert failures["/busy"].transient and "503" in str(failures["/busy"])
    assert failures["/slow"].transient and "did not answer within 1s" in str(failures["/slow"])
    assert not failures["/gone"].transient and not failures["/missing"].transient
    assert not refused.value.transient and "loopback" in str(refused.value)


@pytest.mark.django_db
def test_each_try_is_recorded_and_the_job_says_it_is_retrying(
    corpus, owner, page_server, quick_fetch, django_capture_on_commit_callbacks
):
    page_server.sequence("/story", (503, "busy"), (502, "bad gateway"), (200, NEWS_PAGE))
    job = import_url_create(corpus=corpus, user=owner, url=page_server.url("/story"))

    delays = []
    for next_attempt in (2, 3):
        with pytest.raises(FetchRetry) as retry:
            import_job_run(job_id=job.pk)
        assert (retry.value.next_attempt, retry.value.attempts) == (next_attempt, 3)
        delays.append(retry.value.delay)
        job.refresh_from_db()
        progress = import_job_progress(job=job)
        assert progress["status"] == "running" and not progress["finished"]
        assert f"Retrying (attempt {next_attempt} of 3)" in progress["message"]
    with django_capture_on_commit_callbacks(execute=False):
        assert import_job_run(job_id=job.pk) == ImportJob.Status.DONE

    job.refresh_from_db()
    assert delays == [2, 4]  # backoff doubles
    assert [(a["attempt"], a["error"][:30]) for a in job.fetch_attempts] == [
        (1, "The server answered 503 Servic"),
        (2, "The server answered 502 Bad Ga"),
        (3, ""),
    ]
    assert job.article.title == "The Cost of Waiting"
    assert page_server.hits["/story"] == 3


@pytest.mark.django_db
def test_a_4xx_fails_at_once_without_a_retry(corpus, owner, page_server, quick_fetch, run_job):
    job = run_job(import_url_create(corpus=corpus, user=owner, url=page_server.url("/nope")))
    assert job.status == ImportJob.Status.FAILED
    assert "404" in job.error and "Gave up" not in job.error
    assert len(job.fetch_attempts) == 1 and page_server.hits["/nope"] == 1


# --- through a real worker ------------------------------------------------------


@pytest.fixture
def retrying_worker(worker_factory, monkeypatch, page_server):
    """A worker that may fetch from 127.0.0.1, with a 1 s timeout and 1 s backoff."""
    monkeypatch.setenv("IMPORT_ALLOWED_PRIVATE_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("IMPORT_FETCH_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("IMPORT_FETCH_ATTEMPTS", "3")
    monkeypatch.setenv("IMPORT_FETCH_RETRY_BACKOFF_SECONDS", "1")
    return worker_factory()


def _messages_until_finished(job_id: int, worker) -> tuple[ImportJob, list[str]]:
    seen: list[str] = []

    def finished():
        job = ImportJob.objects.get(pk=job_id)
        message = import_job_progress(job=job)["message"]
        if not seen or seen[-1] != message:
            seen.append(message)
        return job if job.status in ("done", "failed") else None

    job = wait_for(finished, timeout=60, interval=0.05, message=worker.output())
    return job, seen


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_a_503_until_the_page_comes(
    corpus, owner, page_server, retrying_worker, settings
):
    settings.IMPORT_FETCH_ATTEMPTS = 3  # what this process reports, as the worker's
    page_server.sequence("/story", (503, "busy"), (503, "busy"), (200, NEWS_PAGE))
    job = import_url_create(corpus=corpus, user=owner, url=page_server.url("/story"))

    job, messages = _messages_until_finished(job.pk, retrying_worker)

    assert job.status == ImportJob.Status.DONE, job.error
    assert page_server.hits["/story"] == 3
    assert [bool(a["error"]) for a in job.fetch_attempts] == [True, True, False]
    assert any("503" in m and "Retrying (attempt 2 of 3)" in m for m in messages), messages
    assert job.created_articles.get().title == "The Cost of Waiting"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_gives_up_on_a_page_that_always_times_out(
    corpus, owner, page_server, retrying_worker, settings
):
    settings.IMPORT_FETCH_ATTEMPTS = 3
    page_server.hang("/slow", 5)
    job = import_url_create(corpus=corpus, user=owner, url=page_server.url("/slow"))

    job, messages = _messages_until_finished(job.pk, retrying_worker)

    assert job.status == ImportJob.Status.FAILED
    assert "Gave up after trying 3 times" in job.error
    assert "did not answer within 1s" in job.error
    assert page_server.hits["/slow"] == 3
    assert len(job.fetch_attempts) == 3 and all(a["error"] for a in job.fetch_attempts)
    assert any("Retrying (attempt 3 of 3)" in m for m in messages), messages
    assert not Article.objects.filter(corpus=corpus).exists()
