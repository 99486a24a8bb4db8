"""POST /api/annotations/bulk/: many labels at once, all or nothing."""

from __future__ import annotations

import pytest

from articles.models import Annotation, AnnotationEvent
from articles.services.annotations import annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db

URL = "/api/annotations/bulk/"


@pytest.fixture
def sentences(article):
    return list(article.sentences.filter(kind="sentence").order_by("index"))


def test_it_sets_every_label_and_reports_each(client_for, annotator, sentences):
    items = [{"sentence": s.pk, "label": "claim", "note": f"n{i}"} for i, s in enumerate(sentences)]
    response = client_for(annotator).post(URL, {"annotations": items}, format="json")
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["sentence"] for r in results] == [s.pk for s in sentences]
    assert {r["result"] for r in results} == {"created"}
    assert Annotation.objects.filter(annotator=annotator).count() == len(sentences)
    again = client_for(annotator).post(URL, {"annotations": items}, format="json")
    assert {r["result"] for r in again.json()["results"]} == {"unchanged"}


def test_one_invalid_item_writes_nothing_and_names_it(client_for, annotator, sentences):
    items = [
        {"sentence": sentences[0].pk, "label": "claim"},
        {"sentence": sentences[1].pk, "label": "rumour"},
    ]
    response = client_for(annotator).post(URL, {"annotations": items}, format="json")
    assert response.status_code == 400
    assert "annotations[1].label" in response.json()["error"]["fields"]
    assert not Annotation.objects.exists()


def test_a_version_conflict_writes_nothing(client_for, annotator, sentences):
    claim = Label.objects.get(corpus=sentences[0].article.corpus, key="claim")
    annotation_set(sentence=sentences[1], annotator=annotator, label=claim)
    items = [
        {"sentence": sentences[0].pk, "label": "claim", "version": 0},
        {"sentence": sentences[1].pk, "label": "speculation", "version": 0},
    ]
    response = client_for(annotator).post(URL, {"annotations": items}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "version_conflict"
    assert body["conflicts"] == [
        {"index": 1, "sentence": sentences[1].pk, "current": body["conflicts"][0]["current"]}
    ]
    assert body["conflicts"][0]["current"]["label"] == "claim"
    assert not Annotation.objects.filter(sentence=sentences[0]).exists()
    assert AnnotationEvent.objects.count() == 1


def test_duplicate_sentences_are_400(client_for, annotator, sentences):
    items = [{"sentence": sentences[0].pk, "label": "claim"}] * 2
    response = client_for(annotator).post(URL, {"annotations": items}, format="json")
    assert response.status_code == 400
    assert "annotations[1].sentence" in response.json()["error"]["fields"]


def test_another_corpus_sentence_is_404_and_writes_nothing(
    client_for, annotator, outsider, sentences, make_article
):
    from corpora.models import Corpus

    theirs = make_article(Corpus.objects.get(memberships__user=outsider), "Their text. Secret.")
    items = [
        {"sentence": sentences[0].pk, "label": "claim"},
        {"sentence": theirs.sentences.first().pk, "label": "claim"},
    ]
    response = client_for(annotator).post(URL, {"annotations": items}, format="json")
    assert response.status_code == 404
    assert not Annotation.objects.exists()


def test_an_empty_list_writes_nothing_and_an_oversized_one_is_400(client_for, annotator, sentences):
    client = client_for(annotator)
    empty = client.post(URL, {"annotations": []}, format="json")
    assert (empty.status_code, empty.json()) == (200, {"results": []})
    many = [{"sentence": i + 1, "label": "claim"} for i in range(1001)]
    response = client.post(URL, {"annotations": many}, format="json")
    assert response.status_code == 400
    assert "annotations" in response.json()["error"]["fields"]
