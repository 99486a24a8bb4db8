"""The articles of a corpus through the API: lists with filters and pages, import."""

from __future__ import annotations

import pytest

from articles.models import Article
from articles.services.annotations import annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db


def test_article_list_counts_my_labels(client_for, annotator, corpus, article):
    sentences = list(article.sentences.filter(kind="sentence"))
    claim = Label.objects.get(corpus=corpus, key="claim")
    annotation_set(sentence=sentences[0], annotator=annotator, label=claim)
    body = client_for(annotator).get(f"/api/corpora/{corpus.slug}/articles/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["id"] == article.pk and row["status"] == "ready"
    assert (row["labeled_count"], row["sentence_count"]) == (1, len(sentences))


def test_article_list_filters(client_for, annotator, corpus, article, make_article):
    other = make_article(corpus, "A pending text. Never segmented.", title="Later", segment=False)
    client = client_for(annotator)

    def ids(query):
        return [
            a["id"]
            for a in client.get(f"/api/corpora/{corpus.slug}/articles/?{query}").json()["results"]
        ]

    assert ids("status=pending") == [other.pk]
    assert ids("search=talks") == [article.pk]
    assert ids("labeled_by_me=true") == []
    assert ids("labeled_by_me=false") == [article.pk, other.pk]
    claim = Label.objects.get(corpus=corpus, key="claim")
    for sentence in article.sentences.filter(kind="sentence"):
        annotation_set(sentence=sentence, annotator=annotator, label=claim)
    assert ids("labeled_by_me=true") == [article.pk]


def test_article_list_is_paginated(client_for, owner, corpus, make_article):
    for i in range(3):
        make_article(corpus, f"Text number {i}. Distinct.", title=f"T{i}", segment=False)
    body = client_for(owner).get(f"/api/corpora/{corpus.slug}/articles/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_owner_imports_an_article_from_json(
    client_for, owner, corpus, django_capture_on_commit_callbacks
):
    payload = {
        "text": "Officials met on Friday. The talks may fail.",
        "title": "Talks",
        "author": "Jane Doe",
        "outlet": "The Paper",
        "source_url": "https://example.org/talks",
        "published_on": "2026-05-03",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(owner).post(
            f"/api/corpora/{corpus.slug}/articles/", payload, format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["sentences"] == []
    article = Article.objects.get(pk=body["id"])
    assert (article.author, article.published_on.isoformat()) == ("Jane Doe", "2026-05-03")
    assert len(callbacks) == 1  # segmentation queued once committed


def test_duplicate_text_is_409_and_bad_url_400_naming_the_field(client_for, owner, corpus, article):
    client = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/articles/"
    dup = client.post(url, {"text": article.text}, format="json")
    assert dup.status_code == 409  # a well-formed request the corpus's state refuses
    assert dup.json()["error"]["code"] == "conflict"
    assert f"article {article.pk}" in dup.json()["error"]["message"]
    bad = client.post(
        url, {"text": "Fresh. Text.", "source_url": "javascript:alert(1)"}, format="json"
    )
    assert bad.status_code == 400 and "source_url" in bad.json()["error"]["fields"]
    empty = client.post(url, {"text": "   "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()["error"]["fields"]
