"""The refresh request after each label write: debounced, and free while a refresh is due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from review.models import AgreementReport
from review.services.workflow import (
    corpus_workflow_refresh_request,
    refresh_request_memory_clear,
)
from tests.conftest import purge_queue
from tests.workflow.conftest import label_sentences

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


def test_writes_before_the_refresh_is_due_send_no_query(corpus, article, annotator):
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=30)
    due = marker(corpus)
    with CaptureQueriesContext(connection) as queries:
        corpus_workflow_refresh_request(corpus_id=corpus.pk)
    assert len(queries) == 0
    label_sentences(article, annotator, "claim")  # each write commits and asks again
    assert marker(corpus) == due


def test_a_refresh_queued_by_another_process_is_read_once_then_trusted(corpus):
    due = timezone.now() + timedelta(seconds=30)
    AgreementReport.objects.create(corpus=corpus, refresh_queued_at=due)
    with CaptureQueriesContext(connection) as first:
        corpus_workflow_refresh_request(corpus_id=corpus.pk)
    with CaptureQueriesContext(connection) as second:
        corpus_workflow_refresh_request(corpus_id=corpus.pk)
    assert (len(first), len(second)) == (1, 0)
    assert marker(corpus) == due


def test_a_write_once_the_refresh_is_due_asks_the_database_again(corpus):
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    first = marker(corpus)
    # Due now: the task may already be reading, so the next write cannot rely on it.
    with CaptureQueriesContext(connection) as queries:
        corpus_workflow_refresh_request(corpus_id=corpus.pk)
    assert len(queries) == 1  # still queued (not started): nothing more to do
    assert marker(corpus) == first
    # The task starts (clears the marker): the next write queues the next refresh.
    AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=None)
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    assert marker(corpus) is not None and marker(corpus) >= first


def test_a_lost_refresh_is_replaced_after_a_while(corpus):
    lost = timezone.now() - timedelta(hours=1)
    AgreementReport.objects.create(corpus=corpus, refresh_queued_at=lost)
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=5)
    assert marker(corpus) > timezone.now()


def test_forgetting_costs_one_query_and_never_a_second_task(corpus):
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=30)
    due = marker(corpus)
    refresh_request_memory_clear()
    with CaptureQueriesContext(connection) as queries:
        corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=30)
    assert len(queries) == 1
    assert marker(corpus) == due
