"""A failed import can be tried again, from its page and through the API (owners only)."""

from __future__ import annotations

import pytest

from imports.models import ImportFailure, ImportJob
from imports.services import import_file_create, import_text_create
from tests.conftest import SAMPLE_TEXT

pytestmark = pytest.mark.django_db


def failed_job(corpus, owner, **changes) -> ImportJob:
    job = import_text_create(corpus=corpus, user=owner, text=SAMPLE_TEXT)
    ImportFailure.objects.create(job=job, reason="Stopped after 2 s")
    ImportJob.objects.filter(pk=job.pk).update(
        status="failed", error="Stopped after 2 s", attempts=2, failed=1, **changes
    )
    job.refresh_from_db()
    return job


def test_the_api_queues_a_failed_single_document_import_afresh(corpus, owner, client_for):
    job = failed_job(corpus, owner)
    response = client_for(owner).post(f"/api/imports/{job.pk}/retry/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["error"], body["attempts"], body["failed"]) == (
        "queued",
        "",
        0,
        0,
    )
    assert body["attempts_allowed"] >= 1
    assert not ImportFailure.objects.filter(job=job).exists()


def test_a_batch_keeps_its_progress_and_continues(corpus, owner, client_for):
    job = import_file_create(
        corpus=corpus, user=owner, filename="rows.jsonl", data=b'{"text": "A row."}\n'
    )
    ImportJob.objects.filter(pk=job.pk).update(status="failed", error="x", done=5, total=9)
    response = client_for(owner).post(f"/api/imports/{job.pk}/retry/")
    assert response.status_code == 202
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("queued", 5, 9)


def test_an_import_that_has_not_failed_answers_409(corpus, owner, client_for):
    job = import_text_create(corpus=corpus, user=owner, text=SAMPLE_TEXT)
    response = client_for(owner).post(f"/api/imports/{job.pk}/retry/")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "Only a failed import can be tried again; this one is queued."
    )


@pytest.mark.parametrize(("who", "status"), [("annotator", 403), ("outsider", 404)])
def test_only_owners_may_retry(corpus, owner, persona, client_for, who, status):
    job = failed_job(corpus, owner)
    response = client_for(persona(who)).post(f"/api/imports/{job.pk}/retry/")
    assert response.status_code == status
    job.refresh_from_db()
    assert job.status == "failed"


def test_the_job_page_shows_the_reason_and_a_retry_button_that_works(corpus, owner, client):
    job = failed_job(corpus, owner)
    client.force_login(owner)
    page = client.get(f"/corpora/{corpus.slug}/imports/{job.pk}/")
    html = page.content.decode()
    assert "Stopped after 2 s" in html
    assert f'action="/corpora/{corpus.slug}/imports/{job.pk}/retry/"' in html
    response = client.post(f"/corpora/{corpus.slug}/imports/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"
    follow = client.get(response["Location"])
    assert "Queued again" in follow.content.decode()
