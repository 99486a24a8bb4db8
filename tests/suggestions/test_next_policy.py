"""The labeling screen's "next" (POST /corpora/<slug>/next/) follows the owner's policy:
under least confident or disagreement it opens the sentence the policy ranks first, under
document order (or before a trained model can rank) it goes to the next article as before."""

from __future__ import annotations

import pytest

from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from suggestions.models import NextPolicy, Suggestion
from suggestions.selectors import next_sentence
from suggestions.services import model_train, suggestion_settings_update, training_request
from tests.suggestions.corpus_data import TOPICS, article_text, label_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_articles(corpus, owner, make_article, settings):
    settings.SUGGESTIONS_MIN_LABELS = 12
    first = make_article(corpus, article_text(TOPICS[:4]), title="First")
    second = make_article(corpus, article_text(TOPICS[4:8]), title="Second")
    label_all(first, owner)
    return first, second


def _train(corpus) -> None:
    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)


@pytest.mark.parametrize("policy", [NextPolicy.LEAST_CONFIDENT, NextPolicy.DISAGREEMENT])
def test_a_ranking_policy_opens_the_sentence_it_ranks_first(
    client, annotator, reviewer, corpus, two_articles, policy
):
    first, second = two_articles
    _train(corpus)
    suggestion_settings_update(corpus=corpus, next_policy=policy)
    # Someone contradicts the model on one sentence of the second article.
    contested = second.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index")[4]
    suggested = Suggestion.objects.get(sentence=contested).label
    other = Label.objects.filter(corpus=corpus).exclude(key=suggested).first()
    annotation_set(sentence=contested, annotator=reviewer, label=other)
    expected = next_sentence(corpus=corpus, user=annotator)
    assert expected is not None and expected["ranked"] and expected["policy"] == policy
    if policy == NextPolicy.DISAGREEMENT:
        assert expected["sentence"] == contested.pk
    client.force_login(annotator)

    answer = client.post(f"/corpora/{corpus.slug}/next/", {"after": first.pk})

    assert answer.status_code == 302
    assert answer["Location"] == f"/articles/{expected['article']}/label/?at={expected['index']}"
    assert Sentence.objects.get(pk=expected["sentence"]).index == expected["index"]
    # The article the address opens focuses that sentence.
    page = client.get(answer["Location"])
    focus = page.context["config"]["window"]["focus"]
    labelable = Sentence.objects.filter(
        article_id=expected["article"], kind=Sentence.Kind.SENTENCE
    ).order_by("index")
    assert labelable[focus].pk == expected["sentence"]


def test_document_order_goes_to_the_next_article_as_before(client, annotator, corpus, two_articles):
    first, second = two_articles
    _train(corpus)
    client.force_login(annotator)

    answer = client.post(f"/corpora/{corpus.slug}/next/", {"after": first.pk})

    assert answer.status_code == 302
    assert answer["Location"] == f"/articles/{second.pk}/label/"


def test_before_a_model_is_trained_a_ranking_policy_goes_by_document_order(
    client, annotator, corpus, two_articles
):
    first, second = two_articles
    suggestion_settings_update(corpus=corpus, next_policy=NextPolicy.LEAST_CONFIDENT)
    client.force_login(annotator)

    answer = client.post(f"/corpora/{corpus.slug}/next/", {"after": first.pk})

    assert answer["Location"] == f"/articles/{second.pk}/label/"
    suggestions = client.get(f"/api/articles/{first.pk}/suggestions/").json()
    assert suggestions["next_policy"] == {
        "policy": "least_confident",
        "name": "Least confident suggestion first",
        "active": False,
    }


def test_the_labeling_screen_learns_the_policy_with_its_suggestions_even_when_blind(
    client_for, annotator, corpus, two_articles
):
    first, _ = two_articles
    _train(corpus)
    suggestion_settings_update(
        corpus=corpus, show_to_annotators=False, next_policy=NextPolicy.DISAGREEMENT
    )
    data = client_for(annotator).get(f"/api/articles/{first.pk}/suggestions/").json()
    assert data["shown"] is False and data["results"] == []
    assert data["next_policy"] == {
        "policy": "disagreement",
        "name": "Where the model and annotators disagree most",
        "active": True,
    }
    suggestion_settings_update(corpus=corpus, next_policy=NextPolicy.DOCUMENT)
    data = client_for(annotator).get(f"/api/articles/{first.pk}/suggestions/").json()
    assert data["next_policy"]["policy"] == "document" and data["next_policy"]["active"]


def test_outsiders_get_404_and_nothing_is_ranked_for_them(client, outsider, corpus, two_articles):
    _train(corpus)
    suggestion_settings_update(corpus=corpus, next_policy=NextPolicy.LEAST_CONFIDENT)
    client.force_login(outsider)
    assert client.post(f"/corpora/{corpus.slug}/next/").status_code == 404
