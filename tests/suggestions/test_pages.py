"""The suggestions page and the dashboard's suggestions section: owner, member, outsider."""

from __future__ import annotations

import pytest

from suggestions.models import SuggestionModel, SuggestionSettings
from suggestions.services import model_train, training_request
from tests.suggestions.corpus_data import TOPICS, article_text, label_all

pytestmark = pytest.mark.django_db


def test_the_suggestions_page_shows_models_and_scores_to_those_who_see_all_labels(
    client, owner, reviewer, annotator, outsider, corpus, make_article, settings
):
    settings.SUGGESTIONS_MIN_LABELS = 12
    for i in range(3):
        label_all(make_article(corpus, article_text(TOPICS[i * 3 : i * 3 + 3])), annotator)
    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)
    url = f"/corpora/{corpus.slug}/suggestions/"
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "corpus model v1" in page
    assert "Learning curve" in page
    assert "Save settings" not in page  # reviewers see, owners change
    client.force_login(annotator)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert "Save settings" in client.get(url).content.decode()
    dashboard = client.get(f"/corpora/{corpus.slug}/dashboard/").content.decode()
    assert "Shown: corpus model v1, trained on 27 labels." in dashboard


def test_owners_turn_on_blind_labeling_and_ask_for_training_from_the_page(
    client, owner, annotator, corpus
):
    client.force_login(annotator)
    refused = client.post(
        f"/corpora/{corpus.slug}/suggestions/settings/", {"next_policy": "document"}
    )
    assert refused.status_code == 403
    client.force_login(owner)
    answer = client.post(
        f"/corpora/{corpus.slug}/suggestions/settings/", {"next_policy": "disagreement"}
    )
    assert answer.status_code == 302
    stored = SuggestionSettings.objects.get(corpus=corpus)
    assert (stored.show_to_annotators, stored.next_policy) == (False, "disagreement")
    bad = client.post(f"/corpora/{corpus.slug}/suggestions/settings/", {"next_policy": "x"})
    assert bad.status_code == 302
    assert SuggestionSettings.objects.get(corpus=corpus).next_policy == "disagreement"
    client.post(f"/corpora/{corpus.slug}/suggestions/train/")
    assert SuggestionModel.objects.filter(corpus=corpus, status="queued").count() == 1
