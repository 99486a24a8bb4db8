"""Celery tasks of the core: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from annotator.queue import TRANSIENT_ERRORS, task_try_send
from annotator.task_limits import BoundedTask, limit_reason
from articles.models import Article, Sentence
from articles.services.articles import SEGMENT_BATCH_TASK, articles_mark_unsent
from articles.services.segmentation import article_mark_failed, article_segment
from ops.services import table_statistics_refresh

log = logging.getLogger(__name__)


class SegmentTask(BoundedTask):
    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        article_mark_failed(article_id=args[0], task_id=task_id, reason=reason)


class SegmentBatchTask(BoundedTask):
    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        # Only the article in progress holds this task's claim; the batch's
        # articles not yet started stay pending for the reconciler.
        for article_id in args[0]:
            article_mark_failed(article_id=article_id, task_id=task_id, reason=reason)


@shared_task(bind=True, base=SegmentTask, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def segment_article(self, article_id: int) -> str:
    task_id = self.request.id or f"direct-{article_id}"
    return _segment(self, article_id, task_id)


@shared_task(
    bind=True, base=SegmentBatchTask, acks_late=True, reject_on_worker_lost=True, max_retries=5
)
def segment_articles(self, article_ids: list[int]) -> str:
    """Segment a bulk import's batch, each article claimed for this task as it comes.

    A retry or redelivery skips the articles already done and takes back the
    claim of the one in progress (its start is counted).
    """
    task_id = self.request.id or f"direct-{article_ids[0] if article_ids else 0}"
    outcomes: list[str] = []
    for position, article_id in enumerate(article_ids):
        try:
            outcomes.append(_segment(self, article_id, task_id, stop_on_limit=True))
        except SoftTimeLimitExceeded:
            # The article in progress is marked failed with the reason; the
            # ones not started go on in a task of their own.
            rest = article_ids[position + 1 :]
            if rest and not task_try_send(SEGMENT_BATCH_TASK, rest):
                articles_mark_unsent(article_ids=rest)
            outcomes.append("failed")
            break
    # A bulk import: the planner's statistics must catch up with the new rows.
    table_statistics_refresh(models=[Article, Sentence])
    return ",".join(outcomes)


def _segment(self, article_id: int, task_id: str, *, stop_on_limit: bool = False) -> str:
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
        if stop_on_limit and isinstance(exc, SoftTimeLimitExceeded):
            raise
        return "failed"
