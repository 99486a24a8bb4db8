"""Celery tasks of the core: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from annotator.queue import TRANSIENT_ERRORS
from annotator.task_limits import BoundedTask, limit_reason
from articles.services.segmentation import article_mark_failed, article_segment

log = logging.getLogger(__name__)


class SegmentTask(BoundedTask):
    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        article_mark_failed(article_id=args[0], task_id=task_id, reason=reason)


@shared_task(bind=True, base=SegmentTask, acks_late=True, reject_on_worker_lost=True, max_retries=5)
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
            reason=limit_reason(exc) or f"Segmentation failed: {type(exc).__name__}: {exc}",
        )
        return "failed"
