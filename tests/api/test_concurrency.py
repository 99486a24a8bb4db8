"""Concurrent label writes: colleagues never wait for each other; one label, one winner."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from articles.models import Annotation, Label
from articles.services.annotations import annotation_set
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_annotators_labeling_with_the_same_label_do_not_block(article, annotator, reviewer):
    """One open transaction labeling with 'claim' must not hold up another annotator's claim."""
    requires_postgres()
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
