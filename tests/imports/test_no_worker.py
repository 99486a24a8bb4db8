"""Without a worker, a queued import says so instead of spinning forever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from imports.models import ImportJob
from imports.selectors import import_job_progress
from imports.services import import_text_create
from ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _age(job: ImportJob, seconds: int) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=seconds)
    )
    job.refresh_from_db()
    return job


def test_a_queued_job_without_a_worker_says_so(corpus, owner):
    job = _age(import_text_create(corpus=corpus, user=owner, text="Hello."), 10)
    progress = import_job_progress(job=job)
    assert progress["worker_missing"] is True
    assert "No worker is running" in progress["message"]


def test_a_fresh_job_waits_quietly(corpus, owner):
    job = import_text_create(corpus=corpus, user=owner, text="Hello.")
    assert import_job_progress(job=job)["worker_missing"] is False


def test_a_live_heartbeat_means_the_job_is_just_queued(corpus, owner):
    WorkerHeartbeat.objects.create(hostname="w1@host", seen_at=timezone.now())
    job = _age(import_text_create(corpus=corpus, user=owner, text="Hello."), 10)
    progress = import_job_progress(job=job)
    assert progress["worker_missing"] is False
    assert "Waiting for a worker" in progress["message"]


def test_a_stale_heartbeat_counts_as_no_worker(corpus, owner, settings):
    WorkerHeartbeat.objects.create(
        hostname="w1@host", seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    job = _age(import_text_create(corpus=corpus, user=owner, text="Hello."), 10)
    assert import_job_progress(job=job)["worker_missing"] is True
