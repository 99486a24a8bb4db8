"""Concurrent label writes: colleagues never wait for each other; one label, one winner."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from articles.exceptions import VersionConflict
from articles.models import Annotation, AnnotationEvent, ArticleLabelCount
from articles.services.annotations import annotation_set
from corpora.models import Label
from tests.concurrency import held_elsewhere

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def _in_transaction(write: Callable[[], object]) -> Iterator[None]:
    with transaction.atomic():
        write()
        yield


def held_open(write: Callable[[], object]):
    """Run ``write`` in a transaction on another thread, kept open until the block ends;
    yields the list the thread's errors go to."""
    return held_elsewhere(lambda: _in_transaction(write))


def started(write: Callable[[], object], out: list) -> threading.Thread:
    """``write`` on a thread of its own (autocommit), its result or VersionConflict into
    ``out``, any other error too."""

    def run() -> None:
        try:
            out.append(write())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            out.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
def test_two_annotators_labeling_with_the_same_label_do_not_block(article, annotator, reviewer):
    """One open transaction labeling with 'claim' must not hold up another annotator's claim."""
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=s1, annotator=annotator, label=claim)
    annotation_set(sentence=s2, annotator=reviewer, label=claim)
    with held_open(
        lambda: annotation_set(sentence=s1, annotator=annotator, label=claim, note="a")
    ) as errors:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        result = annotation_set(sentence=s2, annotator=reviewer, label=claim, note="b")
        assert result.changed
    assert not errors
    assert Annotation.objects.filter(label=claim).count() == 2


@pytest.mark.postgres
def test_a_retry_racing_its_own_write_waits_and_lands_once(article, annotator):
    """The write locks the annotation row before reading it: the same change sent twice at
    once (a client retry) waits for the first, sees it landed, and writes no second event."""
    sentence = article.sentences.filter(kind="sentence").order_by("index").first()
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    speculation = Label.objects.get(corpus=article.corpus, key="speculation")
    annotation_set(sentence=sentence, annotator=annotator, label=claim, expected_version=0)

    def change():
        return annotation_set(
            sentence=sentence, annotator=annotator, label=speculation, expected_version=1
        )

    results: list = []
    with held_open(change) as errors:
        retry = started(change, results)
        retry.join(0.5)
        assert retry.is_alive(), "the retry should wait for the first write's lock"
    retry.join(10)
    assert not errors
    assert [r.changed for r in results] == [False]
    versions = AnnotationEvent.objects.filter(sentence=sentence, annotator=annotator)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]


@pytest.mark.postgres
@pytest.mark.parametrize("second_label", ["claim", "speculation"])
def test_a_new_label_racing_another_new_label_lands_once(article, annotator, second_label):
    """Two first labels on one sentence at once (a retry, or a second tab): the second
    waits for the first, then finds its annotation. The same value is a retry that
    landed (200, nothing written); another value is a conflict. One annotation, one
    event, a labeled count of one, whichever path each write took."""
    sentence = article.sentences.filter(kind="sentence").order_by("index").first()
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    second = Label.objects.get(corpus=article.corpus, key=second_label)
    results: list = []
    with held_open(
        lambda: annotation_set(
            sentence=sentence, annotator=annotator, label=claim, expected_version=0
        )
    ) as errors:
        racer = started(
            lambda: annotation_set(
                sentence=sentence, annotator=annotator, label=second, expected_version=0
            ),
            results,
        )
        racer.join(0.5)
        assert racer.is_alive(), "the second write should wait for the first one's row"
    racer.join(10)
    assert not errors
    (result,) = results
    if second_label == "claim":
        assert not result.changed
    else:
        assert isinstance(result, VersionConflict)
        assert result.current.version == 1
    events = AnnotationEvent.objects.filter(sentence=sentence, annotator=annotator)
    assert list(events.values_list("action", "version", "new_label")) == [("create", 1, "claim")]
    assert Annotation.objects.get(sentence=sentence, annotator=annotator).label_id == claim.pk
    assert ArticleLabelCount.objects.get(article=article, annotator=annotator).labeled == 1
