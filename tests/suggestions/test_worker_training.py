"""Labels accrue, the corpus's model trains in a real Celery worker, the screen switches to it."""

from __future__ import annotations

import pytest

from suggestions.models import SuggestionModel
from suggestions.selectors import article_suggestions
from tests.suggestions.corpus_data import TOPICS, article_text, label_all
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


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
    model = wait_for(
        lambda: SuggestionModel.objects.filter(
            corpus=corpus, status__in=["done", "failed"]
        ).first(),
        timeout=120,
        message=f"no training finished:\n{worker.output()}",
    )
    assert model.status == "done", model.error
    assert model.requested_by == "labels"
    assert model.training_size == 27
    assert model.duration_ms > 0
    answer = article_suggestions(article=fresh, role="annotator")
    assert answer["source"]["model"] == "corpus model v1"
    assert all(s["model"] == "corpus model v1" for s in answer["results"])
