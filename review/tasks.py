"""Celery tasks of review: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from annotator.queue import TRANSIENT_ERRORS
from review.services.workflow import corpus_workflow_refresh, corpus_workflow_refresh_postpone


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def refresh_corpus_workflow(self, corpus_id: int) -> str:
    """Unanimous gold, finished assignments and agreement of one corpus; safe to re-run.
    Postponed (queued again) while the corpus's refresh pace asks for a pause."""
    try:
        due = corpus_workflow_refresh_postpone(corpus_id=corpus_id)
        if due is not None:
            return f"postponed to {due:%H:%M:%S} (REVIEW_REFRESH_PACE)"
        report = corpus_workflow_refresh(corpus_id=corpus_id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    return "gone" if report is None else f"{report.labels_seen} labels"
