"""Training a corpus's model: when it is due, what it records, what it stores, how it fails."""

from __future__ import annotations

import pytest

from articles.models import Sentence
from suggestions.models import Suggestion, SuggestionModel, SuggestionSettings
from suggestions.selectors import article_suggestions, current_model, learning_curve
from suggestions.services import (
    model_train,
    training_check_due,
    training_request,
    trainings_reconcile,
)
from tests.suggestions.corpus_data import TOPICS, article_text, expected_label, label_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_labels(settings):
    settings.SUGGESTIONS_MIN_LABELS = 12
    settings.SUGGESTIONS_RETRAIN_EVERY = 6


@pytest.fixture
def labeled(corpus, make_article, annotator, few_labels):
    """Four labeled articles and one nobody labeled."""
    articles = [make_article(corpus, article_text(TOPICS[i * 3 : i * 3 + 3])) for i in range(4)]
    for article in articles:
        label_all(article, annotator)
    fresh = make_article(corpus, article_text(["ferry", "canal"]), title="Unlabeled")
    return articles, fresh


def test_a_trained_model_records_its_scores_and_stores_suggestions_for_every_sentence(
    corpus, labeled
):
    _, fresh = labeled
    model, created = training_request(corpus=corpus, requested_by="owner")
    assert created
    assert (model.status, model.version) == ("queued", "1")
    trained = model_train(model_id=model.pk)
    assert trained.status == SuggestionModel.Status.DONE
    assert trained.training_size == 36
    assert trained.label_set == ["claim", "speculation", "sourced_fact"]
    metrics = trained.metrics
    assert set(metrics["per_label"]) == {"claim", "speculation", "sourced_fact"}
    for scores in metrics["per_label"].values():
        assert set(scores) == {"precision", "recall", "f1", "support"}
    assert metrics["macro_f1"] > metrics["cue"]["macro_f1"]
    assert metrics["beats_cue"] is True
    assert "cross-validation by article" in metrics["method"]
    assert trained.trained_at is not None

    labelable = Sentence.objects.filter(article__corpus=corpus, kind=Sentence.Kind.SENTENCE)
    stored = Suggestion.objects.filter(model=trained)
    assert stored.count() == labelable.count()
    # Labeled sentences carry out-of-fold predictions; the fresh article the full model's.
    assert stored.filter(out_of_fold=True).count() == 36
    for suggestion in stored.filter(sentence__article=fresh).select_related("sentence"):
        assert suggestion.label == expected_label(suggestion.sentence.text)
        assert 0 < suggestion.score <= 1


def test_the_screen_gets_cue_suggestions_first_and_the_model_once_it_beats_them(
    corpus, labeled, owner
):
    _, fresh = labeled
    before = article_suggestions(article=fresh, role="annotator")
    assert before["shown"] is True
    assert before["source"]["kind"] == "cue"
    assert "not a trained model" in before["source"]["explanation"]
    assert {s["model"] for s in before["results"]} == {"cue baseline v1"}

    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)
    after = article_suggestions(article=fresh, role="annotator")
    assert after["source"]["kind"] == "trained"
    assert after["source"]["model"] == "corpus model v1"
    assert [s["label"] for s in after["results"]] == [
        expected_label(s.text)
        for s in fresh.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index")
    ]
    assert current_model(corpus=corpus).pk == model.pk


def test_a_model_that_does_not_beat_the_cue_baseline_is_recorded_but_not_shown(corpus, labeled):
    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)
    SuggestionModel.objects.filter(pk=model.pk).update(
        metrics={**model.__class__.objects.get(pk=model.pk).metrics, "beats_cue": False}
    )
    assert current_model(corpus=corpus) is None
    _, fresh = labeled
    assert article_suggestions(article=fresh, role="owner")["source"]["kind"] == "cue"


def test_blind_labeling_shows_no_suggestion_to_anyone(corpus, labeled):
    SuggestionSettings.objects.update_or_create(
        corpus=corpus, defaults={"show_to_annotators": False}
    )
    _, fresh = labeled
    for role in ("annotator", "owner"):
        answer = article_suggestions(article=fresh, role=role)
        assert answer["shown"] is False
        assert answer["results"] == []
        assert "blind" in answer["reason"]


def test_training_is_due_at_the_minimum_and_again_after_every_n_new_labels(
    corpus, make_article, annotator, few_labels
):
    first = make_article(corpus, article_text(TOPICS[:4]))
    label_all(first, annotator, limit=11)
    assert training_check_due(corpus_id=corpus.pk) is None  # 11 < 12
    label_all(first, annotator, limit=12)
    model = training_check_due(corpus_id=corpus.pk)
    assert model is not None and model.requested_by == "labels"
    # One training at a time: while it is queued nothing else is.
    second = make_article(corpus, article_text(TOPICS[4:7]))
    label_all(second, annotator)
    assert training_check_due(corpus_id=corpus.pk) is None
    model_train(model_id=model.pk)
    # It learned from all 21: nothing new to learn from yet.
    assert training_check_due(corpus_id=corpus.pk) is None
    third = make_article(corpus, article_text(TOPICS[7:9]))
    label_all(third, annotator, limit=5)
    assert training_check_due(corpus_id=corpus.pk) is None  # 5 < 6 new
    label_all(third, annotator)
    again = training_check_due(corpus_id=corpus.pk)
    assert again is not None and again.version == "2"
    model_train(model_id=again.pk)
    assert training_check_due(corpus_id=corpus.pk) is None
    curve = learning_curve(corpus=corpus)
    assert [p["labels"] for p in curve] == [21, 27]
    assert all(p["macro_f1"] is not None for p in curve)
    # Older versions keep their record, not their suggestions.
    assert not Suggestion.objects.filter(model=model).exists()
    assert Suggestion.objects.filter(model=again).exists()


def test_too_few_labels_end_the_training_failed_with_a_reason(corpus, article, annotator, settings):
    settings.SUGGESTIONS_MIN_LABELS = 50
    model, _ = training_request(corpus=corpus, requested_by="owner")
    assert model_train(model_id=model.pk) is None
    model.refresh_from_db()
    assert model.status == SuggestionModel.Status.FAILED
    assert "training needs 50" in model.error
    # A second delivery of the same message does nothing.
    assert model_train(model_id=model.pk) is None


def test_an_unsent_training_is_sent_again_by_the_sweep_and_only_once(corpus, labeled):
    model, _ = training_request(corpus=corpus, requested_by="owner")
    SuggestionModel.objects.filter(pk=model.pk).update(sent_at=None)
    assert trainings_reconcile(queue_depth=None) == 1
    model.refresh_from_db()
    assert model.sent_at is not None
    # Sent now: the next sweep leaves it alone.
    assert trainings_reconcile(queue_depth=None) == 0


def test_a_training_labels_asked_for_waits_while_people_label_and_runs_once_they_pause(
    corpus, labeled, annotator, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import AnnotationEvent
    from suggestions.services import training_wait

    settings.SUGGESTIONS_QUIET_SECONDS = 20
    settings.SUGGESTIONS_MAX_WAIT_SECONDS = 300
    model, _ = training_request(corpus=corpus, requested_by="labels")
    # The labels of the fixture were written just now: labeling is going on.
    assert 0 < training_wait(model_id=model.pk) <= 20
    # Twenty seconds after the last change, it trains.
    last = AnnotationEvent.objects.filter(article__corpus=corpus).latest("at").at
    assert training_wait(model_id=model.pk, now=last + timedelta(seconds=21)) == 0
    # Labeling that never pauses: it trains once it has waited the longest it may.
    created = SuggestionModel.objects.get(pk=model.pk).created_at
    AnnotationEvent.objects.filter(article__corpus=corpus).update(
        at=created + timedelta(seconds=299)
    )
    assert training_wait(model_id=model.pk, now=created + timedelta(seconds=299)) == 1
    assert training_wait(model_id=model.pk, now=created + timedelta(seconds=300)) == 0
    # Once the last change is older than the pause, it trains.
    AnnotationEvent.objects.filter(article__corpus=corpus).update(
        at=timezone.now() - timedelta(minutes=5)
    )
    assert training_wait(model_id=model.pk) == 0


def test_a_training_an_owner_asked_for_never_waits(corpus, labeled, settings):
    from suggestions.services import training_wait

    settings.SUGGESTIONS_QUIET_SECONDS = 20
    model, _ = training_request(corpus=corpus, requested_by="owner")
    assert training_wait(model_id=model.pk) == 0
    settings.SUGGESTIONS_QUIET_SECONDS = 0
    SuggestionModel.objects.filter(pk=model.pk).update(requested_by="labels")
    assert training_wait(model_id=model.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_suggestions_are_stored_in_short_transactions_and_shown_only_once_the_model_is_done(
    corpus, labeled, owner, client_for, monkeypatch
):
    from django.db import connection

    from suggestions import learning, services
    from tests.datasets.readers import jsonl_rows

    monkeypatch.setattr(services, "STORE_BATCH", 5)
    seen = []
    predict = learning.Model.predict

    def watched(self, texts):
        # Between batches: no transaction is open, and the rows stored so far are
        # committed but belong to a running model, which no export shows.
        seen.append(
            (
                connection.in_atomic_block,
                Suggestion.objects.filter(model__status="running").count(),
            )
        )
        body = b"".join(
            client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl").streaming_content
        )
        assert all(row["suggestions"] == [] for row in jsonl_rows(body))
        return predict(self, texts)

    monkeypatch.setattr(learning.Model, "predict", watched)
    model, _ = training_request(corpus=corpus, requested_by="owner")
    trained = model_train(model_id=model.pk)
    assert trained.status == SuggestionModel.Status.DONE
    assert len(seen) >= 2
    assert not any(in_atomic for in_atomic, _ in seen)
    # Each batch was committed before the next was predicted.
    stored = [count for _, count in seen]
    assert stored == sorted(stored) and stored[-1] > stored[0] > 0
    body = b"".join(
        client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl").streaming_content
    )
    assert any(row["suggestions"] for row in jsonl_rows(body))


@pytest.mark.django_db(transaction=True)  # no outer transaction: the store's own is tested
def test_stored_suggestions_hold_what_the_model_gave_all_or_none(corpus, make_article):
    """``suggestions_insert`` (the training's store): each sentence its label, score and
    fold, scores at the ends of the range kept exactly; a batch with a score the table
    refuses stores nothing of it."""
    from django.db import IntegrityError

    from suggestions.sql import suggestions_insert

    def done_model(version: str) -> SuggestionModel:
        return SuggestionModel.objects.create(
            corpus=corpus,
            kind=SuggestionModel.Kind.TRAINED,
            name="m",
            version=version,
            status=SuggestionModel.Status.DONE,
        )

    article = make_article(corpus, article_text(TOPICS[:2]))
    ids = list(
        Sentence.objects.filter(article=article).order_by("pk").values_list("pk", flat=True)
    )[:3]
    model = done_model("1")
    suggestions_insert(
        model_id=model.pk,
        out_of_fold=True,
        sentence_ids=ids,
        labels=["claim", "speculation", "sourced_fact"],
        scores=[0.0, 0.123456789012345, 1.0],
    )
    assert list(
        Suggestion.objects.filter(model=model)
        .order_by("sentence_id")
        .values_list("sentence_id", "label", "score", "out_of_fold")
    ) == [
        (ids[0], "claim", 0.0, True),
        (ids[1], "speculation", 0.123456789012345, True),
        (ids[2], "sourced_fact", 1.0, True),
    ]
    other = done_model("2")
    with pytest.raises(IntegrityError):
        suggestions_insert(
            model_id=other.pk,
            out_of_fold=False,
            sentence_ids=ids,
            labels=["claim", "claim", "claim"],
            scores=[0.5, 0.5, 1.5],
        )
    assert not Suggestion.objects.filter(model=other).exists()
