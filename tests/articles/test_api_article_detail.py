"""GET /api/articles/{id}/: the article, its sentences, and the caller's labels."""

from __future__ import annotations

import pytest

from articles.services.annotations import annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db


def test_it_lists_sentences_with_my_labels_only(client_for, annotator, reviewer, article):
    sentences = list(article.sentences.filter(kind="sentence").order_by("index"))
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=sentences[0], annotator=annotator, label=claim, note="mine")
    annotation_set(sentence=sentences[1], annotator=reviewer, label=claim)
    body = client_for(annotator).get(f"/api/articles/{article.pk}/").json()
    assert body["id"] == article.pk and body["status"] == "ready"
    assert body["text"] == article.text
    by_id = {s["id"]: s for s in body["sentences"]}
    assert by_id[sentences[0].pk]["my_annotation"]["label"] == "claim"
    assert by_id[sentences[0].pk]["my_annotation"]["note"] == "mine"
    assert by_id[sentences[0].pk]["my_annotation"]["version"] == 1
    assert by_id[sentences[1].pk]["my_annotation"] is None  # the reviewer's, not mine
    for s in body["sentences"]:
        assert article.text[s["start"] : s["end"]] == s["text"]
    assert [s["index"] for s in body["sentences"]] == sorted(s["index"] for s in body["sentences"])


def _long_text(n: int) -> str:
    return "\n\n".join(f"Paragraph {i} says something. It then claims more." for i in range(n))


@pytest.mark.parametrize("paragraphs", [2, 60])
def test_query_count_does_not_grow_with_sentences(
    client_for, annotator, corpus, make_article, django_assert_num_queries, paragraphs
):
    article = make_article(corpus, _long_text(paragraphs), title="Long")
    claim = Label.objects.get(corpus=corpus, key="claim")
    for sentence in article.sentences.all()[:5]:
        annotation_set(sentence=sentence, annotator=annotator, label=claim)
    client = client_for(annotator)
    # the article with the caller's role, the sentences with my labels
    # (force_authenticate: no session or token read)
    with django_assert_num_queries(2):
        response = client.get(f"/api/articles/{article.pk}/")
    assert response.status_code == 200
    assert len(response.json()["sentences"]) == 2 * paragraphs
