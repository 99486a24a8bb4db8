"""Labels accrue, the corpus's model trains in a real Celery worker, the screen switches to it."""

from __future__ import annotations

import pytest

from suggestions.models import SuggestionModel
from suggestions.selectors import article_suggestions
from tests.suggestions.corpus_data import TOPICS, article_text, label_all
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


def _finished_training(corpus, worker, what: str) -> SuggestionModel:
    """The corpus's training once it is done or failed (fails the test after 120 s)."""
    return wait_for(
        lambda: SuggestionModel.objects.filter(
            corpus=corpus, status__in=["done", "failed"]
        ).first(),
        timeout=120,
        message=f"{what}:\n{worker.output()}",
    )


def test_labels_train_the_model_in_the_background_and_suggestions_switch_to_it(
    worker_factory, corpus, make_article, annotator
):
    articles = [make_article(corpus, article_text(TOPICS[i * 3 : i * 3 + 3])) for i in range(3)]
    fresh = make_article(corpus, article_text(["ferry"]), title="Unlabeled")
    assert article_suggestions(article=fresh, role="annotator")["source"]["kind"] == "cue"
    worker = worker_factory(SUGGESTIONS_MIN_LABELS="20", SUGGESTIONS_RETRAIN_EVERY="100")
    for article in articles:
        label_all(article, annotator)

    # The review refresh after the labels settle asks for the training; the worker runs it.
    model = _finished_training(corpus, worker, "no training finished")
    assert model.status == "done", model.error
    assert model.requested_by == "labels"
    assert model.training_size == 27
    assert model.duration_ms > 0
    answer = article_suggestions(article=fresh, role="annotator")
    assert answer["source"]["model"] == "corpus model v1"
    assert all(s["model"] == "corpus model v1" for s in answer["results"])


def test_a_training_labels_asked_for_waits_until_labeling_pauses(
    worker_factory, corpus, make_article, annotator
):
    import time

    from articles.services.annotations import annotation_set

    articles = [make_article(corpus, article_text(TOPICS[i * 3 : i * 3 + 3])) for i in range(3)]
    worker = worker_factory(
        SUGGESTIONS_MIN_LABELS="20", SUGGESTIONS_RETRAIN_EVERY="100", SUGGESTIONS_QUIET_SECONDS="4"
    )
    for article in articles:
        label_all(article, annotator)
    # The refresh asks for the training; the annotator keeps changing a note for 8 s.
    sentence = articles[0].sentences.filter(kind="sentence").order_by("index").first()
    label = sentence.annotations.get(annotator=annotator).label
    wait_for(
        lambda: SuggestionModel.objects.filter(corpus=corpus).exists(),
        timeout=60,
        message=f"no training was asked for:\n{worker.output()}",
    )
    until = time.monotonic() + 8
    n = 0
    while time.monotonic() < until:
        n += 1
        annotation_set(sentence=sentence, annotator=annotator, label=label, note=f"pass {n}")
        assert not SuggestionModel.objects.filter(
            corpus=corpus, status__in=["running", "done"]
        ).exists(), "the training ran while labels were still changing"
        time.sleep(0.5)
    last_change = sentence.annotations.get(annotator=annotator).updated_at
    model = _finished_training(corpus, worker, "no training finished after the pause")
    assert model.status == "done", model.error
    assert (model.started_at - last_change).total_seconds() >= 4
    assert "waiting" in worker.output()
