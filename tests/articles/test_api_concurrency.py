"""Concurrent label writes: colleagues never wait for each other; one label, one winner."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from articles.models import Annotation, AnnotationEvent
from articles.services.annotations import annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
def test_two_annotators_labeling_with_the_same_label_do_not_block(article, annotator, reviewer):
    """One open transaction labeling with 'claim' must not hold up another annotator's claim."""
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=s1, annotator=annotator, label=claim)
    annotation_set(sentence=s2, annotator=reviewer, label=claim)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                annotation_set(sentence=s1, annotator=annotator, label=claim, note="a")
                holding.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        result = annotation_set(sentence=s2, annotator=reviewer, label=claim, note="b")
        assert result.changed
    finally:
        release.set()
        thread.join(10)
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
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    results = []

    def first() -> None:
        try:
            with transaction.atomic():
                annotation_set(
                    sentence=sentence, annotator=annotator, label=speculation, expected_version=1
                )
                holding.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    def retry() -> None:
        try:
            results.append(
                annotation_set(
                    sentence=sentence, annotator=annotator, label=speculation, expected_version=1
                )
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    second = threading.Thread(target=retry)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the retry should wait for the first write's lock"
    release.set()
    thread.join(10)
    second.join(10)
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
    from articles.exceptions import VersionConflict
    from articles.models import ArticleLabelCount

    sentence = article.sentences.filter(kind="sentence").order_by("index").first()
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    second = Label.objects.get(corpus=article.corpus, key=second_label)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    results: list[object] = []

    def first() -> None:
        try:
            with transaction.atomic():
                annotation_set(
                    sentence=sentence, annotator=annotator, label=claim, expected_version=0
                )
                holding.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    def racer() -> None:
        try:
            results.append(
                annotation_set(
                    sentence=sentence, annotator=annotator, label=second, expected_version=0
                )
            )
        except VersionConflict as exc:
            results.append(exc)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    other = threading.Thread(target=racer)
    other.start()
    other.join(0.5)
    assert other.is_alive(), "the second write should wait for the first one's row"
    release.set()
    thread.join(10)
    other.join(10)
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
