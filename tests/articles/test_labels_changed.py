"""The core announces label changes once per write, and once per corpus for a bulk write."""

from __future__ import annotations

import pytest

from articles.services.annotations import annotation_set, annotations_bulk_set
from articles.signals import labels_changed
from corpora.models import Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    heard: list[int] = []

    def listen(sender, *, corpus_id, **_kwargs):
        heard.append(corpus_id)

    labels_changed.connect(listen, dispatch_uid="test-listener")
    yield heard
    labels_changed.disconnect(dispatch_uid="test-listener")


def _labelable(article):
    return list(article.sentences.filter(kind="sentence").order_by("index"))


def test_a_single_change_is_announced_once_and_no_change_not_at_all(article, annotator, announced):
    sentence = _labelable(article)[0]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=sentence, annotator=annotator, label=claim)
    annotation_set(sentence=sentence, annotator=annotator, label=claim)  # unchanged
    assert announced == [article.corpus_id]


def test_a_bulk_write_is_announced_once_for_its_corpus(article, annotator, announced):
    sentences = _labelable(article)
    assert len(sentences) > 2
    items = [
        {"sentence": s.pk, "label": "claim", "note": "", "source": "", "version": None}
        for s in sentences
    ]
    outcome = annotations_bulk_set(annotator=annotator, items=items)
    assert len(outcome.results) == len(sentences)
    assert announced == [article.corpus_id]
    annotations_bulk_set(annotator=annotator, items=items)  # every item unchanged
    assert announced == [article.corpus_id]
