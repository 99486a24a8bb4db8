"""The boundaries API: split, merge, heading marks, undo, text correction, and who may.

docs/architecture.md, invariants 1 (offsets exact under concurrent edits), 3 (no
label lost, history kept) and 4 (access through membership).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from articles.models import Annotation, AnnotationEvent, Article, Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label

from .test_segmentation_service import assert_invariant_1

pytestmark = pytest.mark.django_db


def _url(article) -> str:
    return f"/api/articles/{article.pk}/segmentation/"


def _long(article) -> Sentence:
    return (
        article.sentences.filter(kind="sentence", text__contains="according to Reuters")
        .order_by("index")
        .first()
    )


def test_an_owner_splits_a_labeled_sentence_and_the_answer_shows_the_parts(
    client_for, owner, annotator, article
):
    target = _long(article)
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=target, annotator=owner, label=claim)
    at = target.text.index(" confirmed") + 1
    response = client_for(owner).post(
        _url(article), {"action": "split", "sentence": target.pk, "at": at}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["removed"] == [target.pk]
    texts = [s["text"] for s in body["sentences"]]
    assert texts == [
        "Officials in Washington",
        "confirmed the meetings on Friday, according to Reuters.",
    ]
    for row in body["sentences"]:
        mine = row["my_annotation"]
        assert mine["label"] == "claim" and mine["needs_review"]
        assert mine["review_reason"] == "split"
        assert mine["review_from"][0]["text"] == target.text
    assert body["edit"]["kind"] == "split" and body["edit"]["by"] == owner.username
    assert body["counts"]["total"] == article.sentences.filter(kind="sentence").count()
    assert_invariant_1(Article.objects.get(pk=article.pk))


def test_annotators_edit_boundaries_only_where_the_owner_allows(
    client_for, owner, annotator, article
):
    target = _long(article)
    body = {"action": "split", "sentence": target.pk, "at": 10}
    refused = client_for(annotator).post(_url(article), body, format="json")
    assert refused.status_code == 403
    assert "owner" in refused.json()["error"]["message"]
    settings_url = f"/api/corpora/{article.corpus.slug}/segmentation-settings/"
    assert client_for(annotator).patch(settings_url, {"annotators_edit_segmentation": True},
                                       format="json").status_code == 403  # fmt: skip
    allowed = client_for(owner).patch(
        settings_url, {"annotators_edit_segmentation": True}, format="json"
    )
    assert allowed.json() == {"annotators_edit_segmentation": True}
    detail = client_for(annotator).get(f"/api/corpora/{article.corpus.slug}/").json()
    assert detail["annotators_edit_segmentation"] and detail["can_edit_segmentation"]
    assert client_for(annotator).post(_url(article), body, format="json").status_code == 200


def test_a_merge_with_a_stale_next_segment_is_a_409_that_changes_nothing(
    client_for, reviewer, article
):
    first, second, third = article.sentences.filter(kind="sentence").order_by("index")[:3]
    before = list(article.sentences.values_list("pk", "start", "end"))
    response = client_for(reviewer).post(
        _url(article), {"action": "merge", "sentence": first.pk, "next": third.pk}, format="json"
    )
    assert response.status_code == 409
    assert "reload" in response.json()["error"]["message"]
    assert list(article.sentences.values_list("pk", "start", "end")) == before
    merged = client_for(reviewer).post(
        _url(article), {"action": "merge", "sentence": first.pk, "next": second.pk}, format="json"
    )
    assert merged.status_code == 200
    assert merged.json()["sentences"][0]["text"] == first.text + " " + second.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "split", "sentence": 1}, "at"),
        ({"action": "merge", "sentence": 1}, "next"),
        ({"action": "cut", "sentence": 1}, "action"),
    ],
)
def test_a_malformed_edit_is_a_400_naming_the_field(client_for, owner, article, body, field):
    body = {**body, "sentence": _long(article).pk}
    response = client_for(owner).post(_url(article), body, format="json")
    assert response.status_code == 400
    assert field in response.content.decode()


def test_a_split_outside_the_sentence_is_a_400(client_for, owner, article):
    target = _long(article)
    response = client_for(owner).post(
        _url(article), {"action": "split", "sentence": target.pk, "at": 10_000}, format="json"
    )
    assert response.status_code == 400
    assert "inside the sentence" in response.json()["error"]["message"]


def test_heading_marks_and_undo_through_the_api(client_for, owner, article):
    target = _long(article)
    marked = client_for(owner).post(
        _url(article), {"action": "heading", "sentence": target.pk}, format="json"
    )
    assert marked.status_code == 200
    assert marked.json()["sentences"][0]["kind"] == "heading"
    edit = marked.json()["edit"]["id"]
    listed = client_for(owner).get(_url(article)).json()
    assert listed[0]["id"] == edit and listed[0]["undone_at"] is None
    undone = client_for(owner).post(f"{_url(article)}{edit}/undo/")
    assert undone.status_code == 200
    assert undone.json()["sentences"][0]["kind"] == "sentence"
    again = client_for(owner).post(f"{_url(article)}{edit}/undo/")
    assert again.status_code == 409


def test_an_owner_corrects_the_text_and_the_annotator_sees_what_to_check(
    client_for, owner, annotator, article
):
    target = _long(article)
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=target, annotator=annotator, label=claim)
    detail = client_for(owner).get(f"/api/articles/{article.pk}/").json()
    new_text = detail["text"].replace("confirmed the meetings on Friday", "denied every meeting")
    url = f"/api/articles/{article.pk}/text/"
    body = {"text": new_text, "based_on": detail["content_hash"]}

    assert client_for(annotator).put(url, body, format="json").status_code == 403
    response = client_for(owner).put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["edit"]["kind"] == "text"
    stale = client_for(owner).put(url, body, format="json")
    assert stale.status_code == 409

    rows = client_for(annotator).get(f"/api/articles/{article.pk}/sentences/").json()["results"]
    flagged = [r for r in rows if r["my_annotation"] and r["my_annotation"]["needs_review"]]
    assert len(flagged) == 1
    assert "denied every meeting" in flagged[0]["text"]
    assert flagged[0]["my_annotation"]["review_from"][0]["text"] == target.text
    article.refresh_from_db()
    assert article.text == new_text
    assert_invariant_1(article)


def test_history_keeps_the_events_of_a_removed_sentence(client_for, owner, annotator, article):
    target = _long(article)
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=target, annotator=annotator, label=claim)
    client_for(owner).post(
        _url(article), {"action": "split", "sentence": target.pk, "at": 10}, format="json"
    )
    events = client_for(annotator).get(f"/api/corpora/{article.corpus.slug}/history/").json()
    gone = [e for e in events["results"] if e["sentence"] is None]
    assert {e["action"] for e in gone} == {"create", "retire"}
    assert {e["sentence_text"] for e in gone} == {target.text}
    assert all(e["article"] == article.pk for e in events["results"])
    carried = [e for e in events["results"] if e["action"] == "carry"]
    assert len(carried) == 2 and all(e["edit"] for e in carried)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_splitting_one_sentence_at_once_get_one_split_and_one_409(
    client_for, owner, reviewer, article
):
    """The article's row lock orders them: the second finds the sentence gone."""
    target = _long(article)
    answers: list[int] = []
    start = threading.Barrier(2)

    def split(user, at) -> None:
        try:
            start.wait(5)
            response = client_for(user).post(
                _url(article), {"action": "split", "sentence": target.pk, "at": at}, format="json"
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=split, args=(owner, 10)),
        threading.Thread(target=split, args=(reviewer, 20)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [200, 409]
    article.refresh_from_db()
    assert_invariant_1(article)
    assert article.sentences.filter(kind="sentence").count() == 5


def test_events_only_grow_across_edits_through_the_api(client_for, owner, annotator, article):
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    for s in article.sentences.filter(kind="sentence"):
        annotation_set(sentence=s, annotator=annotator, label=claim)
    counts = [AnnotationEvent.objects.count()]
    target = _long(article)
    split = (
        client_for(owner)
        .post(_url(article), {"action": "split", "sentence": target.pk, "at": 10}, format="json")
        .json()
    )
    counts.append(AnnotationEvent.objects.count())
    left, right = (s["id"] for s in split["sentences"])
    client_for(owner).post(
        _url(article), {"action": "merge", "sentence": left, "next": right}, format="json"
    )
    counts.append(AnnotationEvent.objects.count())
    assert counts == sorted(counts) and counts[-1] > counts[0]
    assert Annotation.objects.filter(annotator=annotator).count() == len(
        article.sentences.filter(kind="sentence")
    )
