"""Celery tasks: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from articles import heartbeat  # noqa: F401 - connects the worker heartbeat signals
from articles.services.imports import FetchRetry, import_job_fail, import_job_run
from articles.services.segmentation import article_mark_failed, article_segment

log = logging.getLogger(__name__)

# Errors worth another try: the database went away or was busy for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def segment_article(self, article_id: int) -> str:
    task_id = self.request.id or f"direct-{article_id}"
    try:
        return str(article_segment(article_id=article_id, task_id=task_id))
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            article_mark_failed(
                article_id=article_id,
                task_id=task_id,
                reason=f"The database was unavailable after {self.max_retries} retries: {exc}",
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    except Exception as exc:
        log.exception("segmenting article %s failed", article_id)
        article_mark_failed(
            article_id=article_id,
            task_id=task_id,
            reason=f"Segmentation failed: {type(exc).__name__}: {exc}",
        )
        return "failed"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def run_import_job(self, job_id: int) -> str:
    """Run an import job; a retry or redelivery continues after its last batch.

    A page fetch that failed for a passing reason is tried again after a
    growing wait; the job counts its tries (``IMPORT_FETCH_ATTEMPTS``), so this
    retry does not use up the database retries below.
    """
    try:
        return str(import_job_run(job_id=job_id))
    except FetchRetry as retry:
        log.info("import job %s: %s", job_id, retry)
        raise self.retry(countdown=retry.delay, max_retries=self.request.retries + 1) from None
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            import_job_fail(
                job_id=job_id,
                reason=f"The database was unavailable after {self.max_retries} retries: {exc}",
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def refresh_corpus_workflow(self, corpus_id: int) -> str:
    """Unanimous gold, finished assignments and agreement of one corpus; safe to re-run."""
    from articles.services.workflow import corpus_workflow_refresh

    try:
        report = corpus_workflow_refresh(corpus_id=corpus_id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    return "gone" if report is None else f"{report.labels_seen} labels"
