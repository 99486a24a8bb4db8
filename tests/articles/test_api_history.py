"""Label history: per sentence and for a whole corpus, visible by role."""

from __future__ import annotations

import pytest
from django.utils import timezone

from articles.services.annotations import annotation_clear, annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(article, annotator, reviewer):
    s1 = article.sentences.filter(kind="sentence").order_by("index").first()
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    spec = Label.objects.get(corpus=article.corpus, key="speculation")
    annotation_set(sentence=s1, annotator=annotator, label=claim, note="first")
    annotation_set(sentence=s1, annotator=annotator, label=spec)
    annotation_clear(sentence=s1, annotator=annotator)
    annotation_set(sentence=s1, annotator=reviewer, label=claim)
    return s1


def test_sentence_history_lists_every_change_oldest_first(client_for, owner, changes):
    events = client_for(owner).get(f"/api/sentences/{changes.pk}/history/").json()
    assert [(e["annotator"], e["action"], e["old_label"], e["new_label"]) for e in events] == [
        ("anna", "create", "", "claim"),
        ("anna", "update", "claim", "speculation"),
        ("anna", "clear", "speculation", ""),
        ("rita", "create", "", "claim"),
    ]
    assert events[0]["new_note"] == "first" and events[0]["changed_by"] == "anna"
    assert [e["version"] for e in events] == [1, 2, 3, 1]


def test_annotators_see_only_their_own_history(client_for, annotator, changes):
    events = client_for(annotator).get(f"/api/sentences/{changes.pk}/history/").json()
    assert {e["annotator"] for e in events} == {"anna"}


def test_corpus_history_pages_through_every_change(client_for, viewer, corpus, changes):
    client = client_for(viewer)
    url, seen = f"/api/corpora/{corpus.slug}/history/?page_size=3", []
    while url:
        body = client.get(url).json()
        seen += body["results"]
        url = body["next"]
    assert [e["action"] for e in seen] == ["create", "update", "clear", "create"]
    assert {e["sentence"] for e in seen} == {changes.pk}
    assert {e["article"] for e in seen} == {changes.article_id}


def test_corpus_history_filters(client_for, owner, annotator, corpus, changes):
    client = client_for(owner)
    rita = client.get(f"/api/corpora/{corpus.slug}/history/?annotator=rita").json()["results"]
    assert [e["annotator"] for e in rita] == ["rita"]
    later = timezone.now().isoformat().replace("+00:00", "Z")
    assert client.get(f"/api/corpora/{corpus.slug}/history/?since={later}").json()["results"] == []
    own = client_for(annotator).get(f"/api/corpora/{corpus.slug}/history/").json()["results"]
    assert {e["annotator"] for e in own} == {"anna"}
