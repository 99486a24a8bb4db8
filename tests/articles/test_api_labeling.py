"""Setting, changing and clearing my label through PUT/DELETE /api/sentences/{id}/annotation/."""

from __future__ import annotations

import pytest

from articles.models import Annotation, AnnotationEvent

pytestmark = pytest.mark.django_db


def url(sentence) -> str:
    return f"/api/sentences/{sentence.pk}/annotation/"


def test_put_creates_my_label_with_201(client_for, annotator, sentence):
    response = client_for(annotator).put(
        url(sentence), {"label": "claim", "note": "hm", "source": "", "version": 0}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["label"] == "claim" and body["note"] == "hm" and body["version"] == 1
    assert body["sentence"] == sentence.pk
    assert set(body) == {
        "sentence", "label", "note", "source", "version", "guideline_version", "updated_at",
        "suggested_by",
    }  # fmt: skip


def test_put_changes_with_200_and_keeps_history(client_for, annotator, sentence):
    client = client_for(annotator)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    response = client.put(url(sentence), {"label": "speculation", "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    events = list(
        AnnotationEvent.objects.filter(sentence=sentence).values_list("action", flat=True)
    )
    assert events == ["create", "update"]


def test_retried_put_is_idempotent(client_for, annotator, sentence):
    """A retry of a write that landed answers 200 with the same value and no new event."""
    client = client_for(annotator)
    first = client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    again = client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["version"] == 1
    assert AnnotationEvent.objects.filter(sentence=sentence).count() == 1


def test_stale_version_gets_409_with_current(client_for, annotator, sentence):
    client = client_for(annotator)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    client.put(url(sentence), {"label": "speculation", "version": 1}, format="json")
    response = client.put(
        url(sentence), {"label": "claim", "note": "x", "version": 1}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "version_conflict"
    assert "version 1" in body["error"]["message"]
    assert body["current"]["label"] == "speculation" and body["current"]["version"] == 2
    assert Annotation.objects.get(sentence=sentence).label.key == "speculation"


def test_delete_clears_and_retry_is_idempotent(client_for, annotator, sentence):
    client = client_for(annotator)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    assert client.delete(url(sentence) + "?version=1").status_code == 204
    assert client.delete(url(sentence) + "?version=1").status_code == 204
    assert not Annotation.objects.filter(sentence=sentence).exists()
    actions = list(
        AnnotationEvent.objects.filter(sentence=sentence).values_list("action", flat=True)
    )
    assert actions == ["create", "clear"]


def test_delete_with_stale_version_gets_409(client_for, annotator, sentence):
    client = client_for(annotator)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    client.put(url(sentence), {"label": "speculation", "version": 1}, format="json")
    response = client.delete(url(sentence) + "?version=1")
    assert response.status_code == 409
    assert response.json()["current"]["version"] == 2


def test_label_after_clear_needs_the_version_seen_before_the_clear_no_more(
    client_for, annotator, sentence
):
    """After a clear, the client saw 'no label' (0): writing with 0 works."""
    client = client_for(annotator)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    client.delete(url(sentence) + "?version=1")
    response = client.put(url(sentence), {"label": "speculation", "version": 0}, format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 3


def test_unknown_label_is_400_naming_the_keys(client_for, annotator, sentence):
    response = client_for(annotator).put(
        url(sentence), {"label": "rumour", "version": 0}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "claim" in error["fields"]["label"][0]


def test_unknown_fields_are_400_naming_them(client_for, annotator, sentence):
    response = client_for(annotator).put(
        url(sentence), {"label": "claim", "version": 0, "colour": "red"}, format="json"
    )
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["fields"]


def test_source_on_a_label_without_sources_is_400(client_for, annotator, sentence):
    response = client_for(annotator).put(
        url(sentence), {"label": "claim", "source": "https://x.org", "version": 0}, format="json"
    )
    assert response.status_code == 400
    assert "source" in response.json()["error"]["fields"]


def test_sourced_fact_keeps_its_source(client_for, annotator, sentence):
    response = client_for(annotator).put(
        url(sentence),
        {"label": "sourced_fact", "source": "Reuters, 3 May", "version": 0},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["source"] == "Reuters, 3 May"


def test_heading_takes_no_label(client_for, annotator, article):
    heading = article.sentences.filter(kind="heading").first()
    response = client_for(annotator).put(
        url(heading), {"label": "claim", "version": 0}, format="json"
    )
    assert response.status_code == 400
    assert "heading" in response.json()["error"]["message"]


def test_my_label_does_not_touch_a_colleagues(client_for, annotator, reviewer, sentence):
    client_for(reviewer).put(url(sentence), {"label": "claim", "version": 0}, format="json")
    response = client_for(annotator).put(
        url(sentence), {"label": "speculation", "version": 0}, format="json"
    )
    assert response.status_code == 201
    labels = dict(
        Annotation.objects.filter(sentence=sentence).values_list(
            "annotator__username", "label__key"
        )
    )
    assert labels == {"rita": "claim", "anna": "speculation"}


def test_an_unknown_label_key_gets_400_naming_the_corpus_keys(client_for, annotator, sentence):
    response = client_for(annotator).put(
        url(sentence), {"label": "rumour", "version": 0}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["label"][0]
    keys = list(sentence.article.corpus.labels.values_list("key", flat=True))
    assert message == f"No label 'rumour' in this corpus; use one of: {', '.join(keys)}."
