"""A model is one more rater in the agreement tables, marked as such, never in alpha."""

from __future__ import annotations

import pytest

from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from review.services.agreement import corpus_agreement_compute
from suggestions.services import predictions_store

pytestmark = pytest.mark.django_db


def test_an_outside_model_is_compared_with_each_annotator_and_gold(
    corpus, article, annotator, reviewer
):
    sentences = list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))
    claim = Label.objects.get(corpus=corpus, key="claim")
    spec = Label.objects.get(corpus=corpus, key="speculation")
    for s in sentences:
        annotation_set(sentence=s, annotator=annotator, label=claim)
        annotation_set(sentence=s, annotator=reviewer, label=claim if s != sentences[0] else spec)
    before = corpus_agreement_compute(corpus=corpus)
    assert before["model_pairs"] == []

    # The model agrees with the annotator everywhere, with the reviewer but on one sentence.
    predictions_store(
        corpus=corpus,
        name="outside",
        version="1",
        items=[{"sentence": s.pk, "label": "claim", "score": 0.8} for s in sentences],
    )
    after = corpus_agreement_compute(corpus=corpus)
    assert after["alpha"] == before["alpha"]  # models never count in alpha
    assert after["pairs"] == before["pairs"]
    pairs = {p["b"]["name"]: p for p in after["model_pairs"]}
    assert set(pairs) == {"anna", "rita"}
    assert all(p["a"] == {"id": None, "name": "outside v1", "model": True} for p in pairs.values())
    assert pairs["anna"]["agreement"] == 1.0
    assert pairs["anna"]["n"] == len(sentences)
    assert pairs["rita"]["agreement"] == round((len(sentences) - 1) / len(sentences), 4)


def test_a_model_is_read_as_a_rater_on_the_labeled_sentences_alone(corpus, article, annotator):
    """A model suggests for every sentence; only those someone labeled can be compared."""
    from suggestions.selectors import model_ratings

    sentences = list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))
    assert len(sentences) >= 3
    claim = Label.objects.get(corpus=corpus, key="claim")
    for s in sentences[:2]:
        annotation_set(sentence=s, annotator=annotator, label=claim)
    predictions_store(
        corpus=corpus,
        name="outside",
        version="1",
        items=[{"sentence": s.pk, "label": "speculation", "score": 0.6} for s in sentences],
    )
    assert model_ratings(corpus=corpus) == [
        ("outside v1", {sentences[0].pk: "speculation", sentences[1].pk: "speculation"})
    ]
