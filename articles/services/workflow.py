"""The corpus's background refresh after label changes: gold, assignments, agreement.

Label changes ask for a refresh with ``corpus_workflow_refresh_request``; it is
debounced through ``AgreementReport.refresh_queued_at``: the first change of a
burst sets the marker and queues one task (a couple of seconds later, so the
burst lands first); later changes see the marker and queue nothing. The task
clears the marker before it reads, so a change made while it runs queues the
next refresh, which will see it. Pages never wait for any of this.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import AgreementReport, Corpus
from articles.selectors.dashboard import corpus_progress_compute
from articles.services.adjudication import corpus_unanimous_gold_apply
from articles.services.agreement import corpus_agreement_refresh
from articles.services.assignment import assignments_mark_finished

log = logging.getLogger(__name__)

# A queued refresh older than this is presumed lost (broker wiped, worker
# gone), and the next label change may queue another.
STALE_QUEUE_SECONDS = 600
DEFAULT_COUNTDOWN = 2.0


def _claim_queue_slot(corpus_id: int) -> bool:
    """Set the debounce marker if it is free; True if this caller should queue the task."""
    now = timezone.now()
    stale = now - timedelta(seconds=STALE_QUEUE_SECONDS)
    # The hot path, during a burst of labeling: one read says a refresh is queued.
    row = AgreementReport.objects.filter(corpus_id=corpus_id).values_list("refresh_queued_at")
    current = row.first()
    if current is not None and current[0] is not None and current[0] >= stale:
        return False
    if current is None:
        AgreementReport.objects.get_or_create(corpus_id=corpus_id)
    free = Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=stale)
    # The conditional update decides between racing requests: one row, one winner.
    return bool(
        AgreementReport.objects.filter(free, corpus_id=corpus_id).update(refresh_queued_at=now)
    )


def corpus_workflow_refresh_request(
    *, corpus_id: int, countdown: float = DEFAULT_COUNTDOWN
) -> None:
    """After the current transaction commits, queue one refresh unless one is already queued."""

    def queue() -> None:
        if not _claim_queue_slot(corpus_id):
            return
        from articles.tasks import refresh_corpus_workflow

        try:
            refresh_corpus_workflow.apply_async(args=[corpus_id], countdown=countdown)
        except Exception:
            # The label is saved; only its refresh is late. Free the slot so the
            # next change queues again once the broker is back.
            log.exception("could not queue the refresh of corpus %s", corpus_id)
            AgreementReport.objects.filter(corpus_id=corpus_id).update(refresh_queued_at=None)

    # A bulk write changes many labels in one transaction: one callback will do.
    pending = getattr(transaction.get_connection(), "run_on_commit", [])
    if any(getattr(entry[1], "refresh_corpus_id", None) == corpus_id for entry in pending):
        return
    queue.refresh_corpus_id = corpus_id  # type: ignore[attr-defined]
    transaction.on_commit(queue)


def corpus_workflow_refresh(*, corpus_id: int) -> AgreementReport | None:
    """Apply unanimous gold, date finished assignments, recompute agreement."""
    corpus = Corpus.objects.filter(pk=corpus_id).first()
    if corpus is None:
        return None
    AgreementReport.objects.get_or_create(corpus=corpus)
    # Cleared before reading: changes from here on queue a refresh of their own.
    AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=None)
    as_of = timezone.now()
    try:
        gold = corpus_unanimous_gold_apply(corpus=corpus)
        assignments_mark_finished(corpus=corpus)
        progress = corpus_progress_compute(corpus=corpus)
        report = corpus_agreement_refresh(corpus=corpus, extra={"progress": progress}, as_of=as_of)
    except Exception as exc:
        AgreementReport.objects.filter(corpus=corpus).update(
            error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    log.info("refreshed corpus %s: gold %s", corpus_id, gold)
    return report
