"""The suggestions API: an article's suggestions, accepting one, models, settings,
outside predictions, the next sentence; owner, member without the right, outsider."""

from __future__ import annotations

import pytest

from articles.models import Annotation, AnnotationEvent, Sentence
from suggestions.models import Suggestion, SuggestionModel
from suggestions.services import model_train, training_request
from tests.suggestions.corpus_data import TOPICS, article_text, label_all

pytestmark = pytest.mark.django_db


def _sentences(article):
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


def test_an_article_starts_with_cue_suggestions_that_say_so(client_for, annotator, article):
    answer = client_for(annotator).get(f"/api/articles/{article.pk}/suggestions/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["shown"] is True
    assert data["source"]["kind"] == "cue"
    by_sentence = {s["sentence"]: s for s in data["results"]}
    sentences = _sentences(article)
    assert set(by_sentence) == {s.pk for s in sentences}
    labels = [by_sentence[s.pk]["label"] for s in sentences]
    # "confirmed ... according to Reuters" -> sourced; "may collapse" -> speculation.
    assert "sourced_fact" in labels and "speculation" in labels
    assert all(0 < s["score"] <= 1 for s in data["results"])


def test_outsiders_get_404_for_an_articles_suggestions(client_for, outsider, article):
    assert client_for(outsider).get(f"/api/articles/{article.pk}/suggestions/").status_code == 404
    assert client_for(None).get(f"/api/articles/{article.pk}/suggestions/").status_code in (
        401,
        403,
    )


def test_accepting_a_suggestion_stores_a_human_label_naming_the_model(
    client_for, annotator, article
):
    sentence = _sentences(article)[0]
    api = client_for(annotator, token=True)
    answer = api.put(
        f"/api/sentences/{sentence.pk}/annotation/",
        {"label": "claim", "version": 0, "suggestion": "cue baseline v1"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["suggested_by"] == "cue baseline v1"
    stored = Annotation.objects.get(sentence=sentence, annotator=annotator)
    assert stored.suggested_by == "cue baseline v1"
    event = AnnotationEvent.objects.get(sentence=sentence, annotator=annotator)
    assert (event.new_label, event.suggested_by) == ("claim", "cue baseline v1")
    history = api.get(f"/api/sentences/{sentence.pk}/history/").json()
    assert history[-1]["suggested_by"] == "cue baseline v1"

    # Changing it by hand: the label is the person's own again, the history keeps both.
    answer = api.put(
        f"/api/sentences/{sentence.pk}/annotation/",
        {"label": "speculation", "version": 1},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["suggested_by"] == ""
    assert Annotation.objects.get(pk=stored.pk).suggested_by == ""
    events = list(
        AnnotationEvent.objects.filter(sentence=sentence)
        .order_by("version")
        .values_list("new_label", "suggested_by")
    )
    assert events == [("claim", "cue baseline v1"), ("speculation", "")]


def test_a_suggestion_name_is_checked_like_any_text(client_for, annotator, article):
    sentence = _sentences(article)[0]
    answer = client_for(annotator).put(
        f"/api/sentences/{sentence.pk}/annotation/",
        {"label": "claim", "version": 0, "suggestion": "x" * 201},
        format="json",
    )
    assert answer.status_code == 400
    assert "suggestion" in answer.json()["error"]["fields"]
    assert not Annotation.objects.filter(sentence=sentence).exists()


def test_blind_mode_is_the_owners_choice_and_hides_suggestions(
    client_for, owner, annotator, article
):
    url = f"/api/corpora/{article.corpus.slug}/suggestion-settings/"
    assert (
        client_for(annotator).patch(url, {"show_to_annotators": False}, format="json").status_code
        == 403
    )
    answer = client_for(owner).patch(url, {"show_to_annotators": False}, format="json")
    assert answer.status_code == 200
    assert answer.json()["show_to_annotators"] is False
    data = client_for(annotator).get(f"/api/articles/{article.pk}/suggestions/").json()
    assert (data["shown"], data["results"]) == (False, [])
    assert (
        client_for(owner).patch(url, {"next_policy": "sideways"}, format="json").status_code == 400
    )


def test_owners_retrain_on_request_and_see_the_scores(
    client_for, owner, reviewer, annotator, corpus, make_article, settings
):
    settings.SUGGESTIONS_MIN_LABELS = 12
    for i in range(3):
        label_all(make_article(corpus, article_text(TOPICS[i * 3 : i * 3 + 3])), annotator)
    url = f"/api/corpora/{corpus.slug}/suggestion-models/"
    assert client_for(annotator).post(url).status_code == 403
    assert client_for(annotator).get(url).status_code == 403
    answer = client_for(owner).post(url)
    assert answer.status_code == 202
    assert answer.json()["created"] is True
    # A second request while it is queued gets the same one.
    again = client_for(owner).post(url)
    assert again.json()["created"] is False
    assert again.json()["model"]["id"] == answer.json()["model"]["id"]
    model_train(model_id=answer.json()["model"]["id"])
    data = client_for(reviewer).get(url).json()
    assert data["current"] == "corpus model v1"
    record = data["models"][0]
    assert record["training_size"] == 27
    assert record["status"] == "done"
    assert set(record["metrics"]["per_label"]) == {"claim", "speculation", "sourced_fact"}
    assert data["learning_curve"][0]["labels"] == 27


def _prediction_body(article, label="claim"):
    return {
        "model_name": "outside-bert",
        "model_version": "2.1",
        "predictions": [
            {"sentence": s.pk, "label": label, "score": 0.9} for s in _sentences(article)
        ],
    }


def test_outside_predictions_are_stored_as_suggestions_never_as_labels(
    client_for, owner, annotator, article
):
    url = f"/api/corpora/{article.corpus.slug}/predictions/"
    body = _prediction_body(article)
    assert client_for(annotator).post(url, body, format="json").status_code == 403
    answer = client_for(owner, token=True).post(url, body, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["stored"] == len(body["predictions"])
    assert answer.json()["model"]["kind"] == "external"
    model = SuggestionModel.objects.get(name="outside-bert", version="2.1")
    assert Suggestion.objects.filter(model=model).count() == len(body["predictions"])
    assert not Annotation.objects.exists()
    # Posting again replaces that version's predictions, it does not add to them.
    body2 = _prediction_body(article, "speculation")
    client_for(owner).post(url, body2, format="json")
    assert set(Suggestion.objects.filter(model=model).values_list("label", flat=True)) == {
        "speculation"
    }


def test_bad_predictions_are_refused_whole_naming_the_item(
    client_for, owner, outsider, article, corpus
):
    url = f"/api/corpora/{corpus.slug}/predictions/"
    body = _prediction_body(article)
    body["predictions"][1]["label"] = "rumour"
    answer = client_for(owner).post(url, body, format="json")
    assert answer.status_code == 400
    assert "predictions[1].label" in answer.json()["error"]["fields"]
    body = _prediction_body(article)
    body["predictions"][0]["score"] = 1.5
    assert client_for(owner).post(url, body, format="json").status_code == 400
    assert not SuggestionModel.objects.exists()
    assert (
        client_for(outsider).post(url, _prediction_body(article), format="json").status_code == 404
    )


def test_next_sentence_follows_the_owners_policy(
    client_for, owner, annotator, corpus, make_article, settings
):
    settings.SUGGESTIONS_MIN_LABELS = 12
    first = make_article(corpus, article_text(TOPICS[:4]))
    second = make_article(corpus, article_text(TOPICS[4:6]), title="Second")
    label_all(first, owner)
    url = f"/api/corpora/{corpus.slug}/next-sentence/"
    data = client_for(annotator).get(url).json()
    assert data == {"sentence": _sentences(first)[0].pk, "article": first.pk, "policy": "document"}
    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)
    client_for(owner).patch(
        f"/api/corpora/{corpus.slug}/suggestion-settings/",
        {"next_policy": "least_confident"},
        format="json",
    )
    data = client_for(annotator).get(url).json()
    assert data["policy"] == "least_confident"
    lowest = (
        Suggestion.objects.filter(model=model)
        .order_by("score", "sentence__article_id", "sentence__index")
        .first()
    )
    assert data["sentence"] == lowest.sentence_id
    assert second.pk in (first.pk, second.pk)
