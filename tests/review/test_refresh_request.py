"""The refresh request after each label write: debounced by a claim in the database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from review.models import AgreementReport
from review.services.workflow import _claim_queue_slot, corpus_workflow_refresh_request
from tests.plugins.worker import purge_queue
from tests.review.conftest import label_sentences

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_queue():
    yield
    purge_queue()  # the tasks these tests queue have no worker


def marker(corpus):
    return AgreementReport.objects.get(corpus=corpus).refresh_queued_at


def test_the_marker_holds_the_time_the_queued_refresh_is_due(corpus):
    before = timezone.now()
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=30)
    assert before + timedelta(seconds=29) < marker(corpus) < timezone.now() + timedelta(seconds=31)


def test_writes_while_a_refresh_is_queued_leave_its_marker_alone(corpus, article, annotator):
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=30)
    due = marker(corpus)
    with CaptureQueriesContext(connection) as queries:
        corpus_workflow_refresh_request(corpus_id=corpus.pk)
    # One statement finds the marker taken: nothing queued. On SQLite it is a read,
    # which waits for no writer; on PostgreSQL a conditional UPDATE that matches nothing.
    (statement,) = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statement == ("SELECT" if connection.vendor == "sqlite" else "WITH")
    label_sentences(article, annotator, "claim")  # each write commits and asks again
    assert marker(corpus) == due


def test_a_refresh_queued_by_another_process_is_seen_in_the_database(corpus):
    due = timezone.now() + timedelta(seconds=30)
    AgreementReport.objects.create(corpus=corpus, refresh_queued_at=due)
    corpus_workflow_refresh_request(corpus_id=corpus.pk)
    assert marker(corpus) == due


@pytest.mark.parametrize("report_exists", [True, False], ids=["free-marker", "first-change"])
def test_racing_requests_from_many_connections_queue_exactly_one_refresh(corpus, report_exists):
    """Several web processes on several hosts: the database decides, one claim wins."""
    if report_exists:
        AgreementReport.objects.create(corpus=corpus)
    start = threading.Barrier(8)
    wins: list[object] = []

    def claim() -> None:
        try:
            start.wait()
            wins.append(_claim_queue_slot(corpus.pk, 30))
        finally:
            connections.close_all()  # each thread had a connection of its own

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 8
    assert len([due for due in wins if due is not None]) == 1


def test_the_first_change_of_a_corpus_creates_its_report_and_claims_it(corpus):
    assert not AgreementReport.objects.filter(corpus=corpus).exists()
    assert _claim_queue_slot(corpus.pk, 5) is not None
    assert _claim_queue_slot(corpus.pk, 5) is None


def test_once_the_refresh_starts_the_next_write_queues_the_next_one(corpus):
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    first = marker(corpus)
    corpus_workflow_refresh_request(corpus_id=corpus.pk)
    assert marker(corpus) == first  # still queued (not started): nothing more to do
    # The task starts (clears the marker): the next write queues the next refresh.
    AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=None)
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    assert marker(corpus) is not None and marker(corpus) >= first


def test_a_lost_refresh_is_replaced_after_a_while(corpus):
    lost = timezone.now() - timedelta(hours=1)
    AgreementReport.objects.create(corpus=corpus, refresh_queued_at=lost)
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=5)
    assert marker(corpus) > timezone.now()


# --- pacing: a refresh waits REVIEW_REFRESH_PACE times its last run's length -----------


def test_the_pace_puts_a_pause_after_each_refresh_as_long_as_it_times_the_pace(corpus, settings):
    from review.services.workflow import STALE_QUEUE_SECONDS, refresh_paced_until

    settings.REVIEW_REFRESH_PACE = 10
    now = timezone.now()
    report = AgreementReport(corpus=corpus, computed_at=now - timedelta(seconds=3))
    report.duration_ms = 2_000  # ended 1 s ago: free again 2 s x 10 after it ended
    until = refresh_paced_until(report)
    expected = now - timedelta(seconds=3) + timedelta(seconds=2 + 20)
    assert abs((until - expected).total_seconds()) < 0.01
    report.computed_at = now - timedelta(seconds=30)  # its pause is over
    assert refresh_paced_until(report) is None
    report.computed_at, report.duration_ms = now, 3_600_000  # an hour-long refresh
    capped = refresh_paced_until(report)
    assert capped - now == timedelta(hours=1, seconds=STALE_QUEUE_SECONDS / 2)
    settings.REVIEW_REFRESH_PACE = 0
    assert refresh_paced_until(report) is None
    assert refresh_paced_until(AgreementReport(corpus=corpus)) is None  # never refreshed


def test_a_refresh_due_inside_its_pause_is_postponed_not_run(corpus, article, annotator, settings):
    """The task moves the marker to the pause's end and queues itself there; the
    figures stay as they were until then."""
    from review.tasks import refresh_corpus_workflow

    settings.REVIEW_REFRESH_PACE = 10
    label_sentences(article, annotator, "claim")
    refresh_corpus_workflow(corpus.pk)  # never refreshed: runs now
    report = AgreementReport.objects.get(corpus=corpus)
    assert report.computed_at is not None and report.labels_seen > 0
    AgreementReport.objects.filter(corpus=corpus).update(
        duration_ms=5_000, computed_at=timezone.now() - timedelta(seconds=1)
    )
    computed = AgreementReport.objects.get(corpus=corpus).computed_at
    answer = refresh_corpus_workflow(corpus.pk)
    assert answer.startswith("postponed to "), answer
    after = AgreementReport.objects.get(corpus=corpus)
    assert after.computed_at == computed  # not recomputed
    assert after.refresh_queued_at == computed + timedelta(seconds=5 + 50)
    # Label changes meanwhile find the marker taken and queue nothing more.
    corpus_workflow_refresh_request(corpus_id=corpus.pk)
    assert marker(corpus) == after.refresh_queued_at
    # Once the pause is over the same task refreshes.
    AgreementReport.objects.filter(corpus=corpus).update(
        computed_at=timezone.now() - timedelta(minutes=5)
    )
    assert refresh_corpus_workflow(corpus.pk).endswith(" labels")
    assert AgreementReport.objects.get(corpus=corpus).refresh_queued_at is None
