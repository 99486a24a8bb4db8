"""The selectors the import views read jobs through."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corpora.services.corpora import corpus_create
from imports.selectors import (
    import_job_corpus_id,
    import_job_get,
    import_job_progress,
    import_jobs_recent,
)
from imports.services import import_text_create

pytestmark = pytest.mark.django_db


def test_recent_jobs_newest_first_of_that_corpus_only(corpus, owner):
    jobs = [import_text_create(corpus=corpus, user=owner, text=f"Text {i}.") for i in range(3)]
    other = corpus_create(name="Elsewhere", owner=owner)
    import_text_create(corpus=other, user=owner, text="Not here.")
    assert [j.pk for j in import_jobs_recent(corpus=corpus, limit=2)] == [
        jobs[2].pk,
        jobs[1].pk,
    ]
    assert len(import_jobs_recent(corpus=corpus, limit=50)) == 3


def test_job_get_and_its_corpus(corpus, owner):
    job = import_text_create(corpus=corpus, user=owner, text="Hello.")
    other = corpus_create(name="Elsewhere", owner=owner)
    assert import_job_get(corpus=other, job_id=job.pk) is None
    assert import_job_corpus_id(job_id=job.pk) == corpus.pk
    assert import_job_corpus_id(job_id=job.pk + 1000) is None
    found = import_job_get(corpus=corpus, job_id=job.pk)
    assert found == job
    assert "payload" in found.get_deferred_fields()
    # The progress record needs the corpus's slug: already loaded, no further query.
    with CaptureQueriesContext(connection) as queries:
        assert found.corpus.slug == corpus.slug
    assert len(queries) == 0
    assert import_job_progress(job=found)["corpus"] == corpus.slug
