"""Splitting an article into sentences, safely under retries and redelivery.

The work is claimed with a conditional UPDATE (pending -> segmenting) so a
duplicate delivery does nothing, and all sentences are written in one
transaction, so an article has exactly one set of sentences whatever happens
to the worker (docs/architecture.md, invariants 1 and 2: exact offsets;
idempotent, atomic segmentation). Re-segmenting keeps every sentence whose
span is unchanged, with its labels, and carries the labels of the others to
the new sentences (``articles.services.boundaries``; invariant 3: no label is
lost). Nothing is refused for having labels.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.utils import timezone

from annotator.durability import redoable_transaction
from annotator.queue import attempts_exhausted_reason
from articles import segmenter
from articles.models import Article
from articles.services.boundaries import (
    sentences_first_store,
    sentences_resegment,
    validate_segments,
)
from articles.sql import segmentation_claim, segmentation_done, segmentation_lock

__all__ = ["Outcome", "article_claim", "article_mark_failed", "article_segment",
           "validate_segments"]  # fmt: skip


class Outcome(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


def article_claim(*, article_id: int, task_id: str) -> bool:
    """Claim a pending article for ``task_id``; True if this caller holds it.

    The same task delivered again (its worker died, or it is retrying) takes
    back its own claim; any other delivery finds nothing to do. Each start is
    counted: a task that has already started ``TASK_MAX_ATTEMPTS`` times
    without finishing (a poison message that kills its worker) is not started
    again; the article ends failed, with the reason.
    """
    return _claim(article_id, task_id) is not None


def _claim(article_id: int, task_id: str) -> str | None:
    """``article_claim``, giving the claimed article's text (None: not claimed)."""
    limit = settings.TASK_MAX_ATTEMPTS
    now = timezone.now()
    # A claim a database crash loses leaves the article as it was: the reconciler
    # queues it again. Its start is still counted once COMMIT returns, even if the
    # worker dies right after (annotator.durability).
    with redoable_transaction():
        text = segmentation_claim(article_id=article_id, task_id=task_id, limit=limit, now=now)
        if text is not None:
            return text
        Article.objects.filter(
            pk=article_id,
            status=Article.Status.SEGMENTING,
            segmentation_task_id=task_id,
            attempts__gte=limit,
        ).update(
            status=Article.Status.FAILED,
            failure_reason=attempts_exhausted_reason("segmenting this article", limit),
            segmentation_task_id="",
            status_changed_at=now,
        )
        return None


def article_segment(*, article_id: int, task_id: str) -> Outcome:
    """Segment one article for the task ``task_id``: the whole job of the task.

    Every article of a bulk import comes through here, so its statements are
    written out (``articles.sql``): the claim returns the text, and the lock
    tells whether the article has sentences already (a re-segmentation, which
    carries labels and hand edits) or not (the first: its sentences are stored
    as they are).
    """
    text = _claim(article_id, task_id)
    if text is None:
        return Outcome.SKIPPED
    segments = segmenter.segment(text)
    if not segments:
        article_mark_failed(
            article_id=article_id, task_id=task_id, reason="The article has no text to segment."
        )
        return Outcome.FAILED
    validate_segments(text, segments)
    # Lost in a database crash, the whole transaction is: the article stays segmenting
    # with its old sentences and labels, and the reconciler queues it again.
    with redoable_transaction():
        locked = segmentation_lock(article_id=article_id, task_id=task_id)
        if locked is None:  # Re-queued by someone else meanwhile.
            return Outcome.SKIPPED
        if locked.text != text:  # Corrected meanwhile: segment what is stored now.
            text = locked.text
            segments = segmenter.segment(text)
            validate_segments(text, segments)
        if locked.segmented:
            article = Article.objects.get(pk=article_id)
            sentences_resegment(article=article, segments=segments)
            labelable = article.labelable_count
        else:
            labelable = sentences_first_store(article_id=article_id, text=text, segments=segments)
        segmentation_done(
            article_id=article_id,
            version=segmenter.SEGMENTER_VERSION,
            labelable=labelable,
            now=timezone.now(),
        )
    return Outcome.DONE


def article_mark_failed(*, article_id: int, task_id: str, reason: str) -> bool:
    """Record why segmentation failed; only the task holding the claim may."""
    return bool(
        Article.objects.filter(
            pk=article_id, status=Article.Status.SEGMENTING, segmentation_task_id=task_id
        ).update(
            status=Article.Status.FAILED,
            failure_reason=reason[:5000],
            segmentation_task_id="",
            status_changed_at=timezone.now(),
        )
    )
