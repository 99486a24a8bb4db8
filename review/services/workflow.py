"""The corpus's background refresh after label changes: gold, assignments, agreement.

Label changes ask for a refresh with ``corpus_workflow_refresh_request``; it is
debounced through ``AgreementReport.refresh_queued_at``, which holds the time
the queued refresh is due: the first change of a burst claims it and queues one
task for that moment (a couple of seconds later, so the burst lands first);
later changes find it taken and queue nothing. The claim is one conditional
UPDATE that only a free (or stale) marker satisfies, so among racing writers in
any number of processes on any number of hosts exactly one wins: nothing about
it is kept in process memory. The task clears the marker before it reads, so a
change made while it runs queues the next refresh, which will see it. Pages
never wait for any of this.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotator.queue import task_try_send
from corpora.models import Corpus
from review.models import AgreementReport
from review.selectors.dashboard import corpus_progress_compute
from review.services.adjudication import (
    corpus_disagreements_store,
    corpus_label_counts,
    corpus_unanimous_gold_apply,
)
from review.services.agreement import corpus_agreement_refresh
from review.services.assignment import assignments_mark_finished
from review.sql import refresh_marker_claim
from suggestions.services import training_check_due

log = logging.getLogger(__name__)

REFRESH_TASK = "review.tasks.refresh_corpus_workflow"

# A queued refresh due longer ago than this is presumed lost (broker wiped,
# worker gone), and the next label change may queue another.
STALE_QUEUE_SECONDS = 600
DEFAULT_COUNTDOWN = 2.0


def _claim_queue_slot(corpus_id: int, countdown: float) -> datetime | None:
    """Take the marker if it is free; the due time of the task to queue, or None if taken."""
    now = timezone.now()
    due = now + timedelta(seconds=countdown)
    stale = now - timedelta(seconds=STALE_QUEUE_SECONDS)
    if refresh_marker_claim(corpus_id=corpus_id, due=due, stale_before=stale):
        return due
    return None


def corpus_workflow_refresh_request(
    *, corpus_id: int, countdown: float = DEFAULT_COUNTDOWN
) -> None:
    """After the current transaction commits, queue one refresh unless one is already queued."""

    def queue() -> None:
        due = _claim_queue_slot(corpus_id, countdown)
        if due is None:
            return
        if not task_try_send(REFRESH_TASK, corpus_id, eta=due):
            # The label is saved; only its refresh is late. Free the slot so the
            # next change queues again once the broker is back.
            AgreementReport.objects.filter(corpus_id=corpus_id).update(refresh_queued_at=None)

    transaction.on_commit(queue)


def corpus_auto_gold_set(*, corpus: Corpus, enabled: bool) -> Corpus:
    """Turn unanimous gold on or off; the background refresh applies the change."""
    if corpus.auto_gold_unanimous != enabled:
        corpus.auto_gold_unanimous = enabled
        corpus.save(update_fields=["auto_gold_unanimous", "updated_at"])
        corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    return corpus


def refresh_paced_until(report: AgreementReport) -> datetime | None:
    """When the corpus may be refreshed again, if not yet: ``REVIEW_REFRESH_PACE``
    times the last refresh's length after it ended (at most half of
    ``STALE_QUEUE_SECONDS``, so a waiting refresh is never taken for a lost one)."""
    if report.computed_at is None or not settings.REVIEW_REFRESH_PACE:
        return None
    took = timedelta(milliseconds=report.duration_ms)
    pause = min(took * settings.REVIEW_REFRESH_PACE, timedelta(seconds=STALE_QUEUE_SECONDS / 2))
    until = report.computed_at + took + pause
    return until if until > timezone.now() else None


def corpus_workflow_refresh_postpone(*, corpus_id: int) -> datetime | None:
    """Postpone the corpus's queued refresh to the time its pace allows, if that is
    later than now: the marker is moved there (label changes meanwhile queue
    nothing; the postponed refresh sees them) and the task queued for it. The new
    due time, or None to refresh now."""
    report = AgreementReport.objects.filter(corpus_id=corpus_id).first()
    due = refresh_paced_until(report) if report is not None else None
    if due is None:
        return None
    AgreementReport.objects.filter(corpus_id=corpus_id).update(refresh_queued_at=due)
    if not task_try_send(REFRESH_TASK, corpus_id, eta=due):
        return None  # the broker is away: refresh now rather than never
    return due


def corpus_workflow_refresh(*, corpus_id: int) -> AgreementReport | None:
    """Apply unanimous gold, rank disagreements, date finished assignments, recompute agreement."""
    corpus = Corpus.objects.filter(pk=corpus_id).first()
    if corpus is None:
        return None
    started = time.perf_counter()
    AgreementReport.objects.get_or_create(corpus=corpus)
    # Cleared before reading: changes from here on queue a refresh of their own.
    AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=None)
    as_of = timezone.now()
    try:
        with corpus_label_counts(corpus=corpus) as counts:
            gold = corpus_unanimous_gold_apply(corpus=corpus, counts=counts)
            corpus_disagreements_store(corpus=corpus, counts=counts)
        assignments_mark_finished(corpus=corpus)
        progress = corpus_progress_compute(corpus=corpus)
        report = corpus_agreement_refresh(
            corpus=corpus, extra={"progress": progress}, as_of=as_of, started=started
        )
    except Exception as exc:
        AgreementReport.objects.filter(corpus=corpus).update(
            error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    log.info("refreshed corpus %s: gold %s", corpus_id, gold)
    # Label changes have settled: the corpus's suggestion model trains again
    # once enough new labels came in (queued, never run here).
    training_check_due(corpus_id=corpus_id)
    return report


def labels_changed_receiver(sender, *, corpus_id: int, **_kwargs) -> None:
    """``articles.signals.labels_changed``: refresh the corpus once the change commits."""
    corpus_workflow_refresh_request(corpus_id=corpus_id)
