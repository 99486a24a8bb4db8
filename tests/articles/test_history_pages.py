"""The history pages: label changes and gold decisions, per sentence and per corpus."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from articles.models import AnnotationEvent, GoldEvent, GoldLabel, SegmentationEdit, Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from review.services.adjudication import gold_label_decide, gold_label_withdraw

pytestmark = pytest.mark.django_db


def _label(corpus, key):
    return Label.objects.get(corpus=corpus, key=key)


@pytest.fixture
def worked(article, annotator, reviewer, corpus):
    """An annotator's label set then changed, a reviewer's label, a gold decision
    changed and withdrawn on the first sentence; the annotator's label on the second."""
    s1, s2 = article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index")[:2]
    first = annotation_set(sentence=s1, annotator=annotator, label=_label(corpus, "claim"))
    annotation_set(
        sentence=s1,
        annotator=annotator,
        label=_label(corpus, "sourced_fact"),
        source="Ministry bulletin",
        note="cites it",
        expected_version=first.annotation.version,
    )
    annotation_set(sentence=s1, annotator=reviewer, label=_label(corpus, "speculation"))
    annotation_set(sentence=s2, annotator=annotator, label=_label(corpus, "claim"))
    gold_label_decide(
        sentence=s1, label=_label(corpus, "claim"), reviewer=reviewer, note="main clause"
    )
    gold_label_decide(
        sentence=s1,
        label=_label(corpus, "sourced_fact"),
        reviewer=reviewer,
        source="https://example.org/bulletin",
    )
    gold_label_withdraw(sentence=s1, reviewer=reviewer)
    return s1, s2


def test_every_gold_decision_is_in_the_history_with_old_and_new(worked, reviewer):
    s1, _ = worked
    events = list(GoldEvent.objects.filter(sentence=s1).order_by("at", "pk"))
    assert [(e.action, e.old_label, e.new_label) for e in events] == [
        ("decide", "", "claim"),
        ("decide", "claim", "sourced_fact"),
        ("withdraw", "sourced_fact", ""),
    ]
    assert events[0].new_note == "main clause"
    assert (events[1].old_note, events[1].new_source) == (
        "main clause",
        "https://example.org/bulletin",
    )
    assert events[1].old_origin == "adjudicated"
    assert {e.decided_by for e in events} == {reviewer}
    assert (events[0].sentence_text, events[0].sentence_start) == (s1.text, s1.start)
    assert not GoldLabel.objects.filter(sentence=s1).exists()
    # Withdrawing nothing writes nothing.
    assert gold_label_withdraw(sentence=s1, reviewer=reviewer) is False
    assert GoldEvent.objects.filter(sentence=s1).count() == 3


def test_gold_history_outlives_its_sentence(worked, article):
    s1, _ = worked
    s1.delete()
    kept = GoldEvent.objects.filter(article=article)
    assert kept.count() == 3
    assert {(e.sentence_id, e.sentence_text) for e in kept} == {(None, s1.text)}


def _get(client, user, name, query="", **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs) + query)


def test_the_sentence_history_shows_label_changes_and_gold_to_those_who_see_all(
    client, worked, reviewer
):
    s1, _ = worked
    html = _get(client, reviewer, "sentence_history", pk=s1.pk).content.decode()
    assert html.count('class="history-entry') == 6  # 3 label events, 3 gold events
    assert "Gold withdrawn" in html and "Gold decided" in html and "Label changed" in html
    assert "Ministry bulletin" in html and "https://example.org/bulletin" in html
    assert "main clause" in html
    assert 'href="/static/css/history.css"' in html or "history.css" in html
    # Newest first: the withdrawal leads.
    listing = html.split('<ol class="history-list"', 1)[1]
    assert (
        listing.index("Gold withdrawn") < listing.index("Gold decided") < listing.index("Label set")
    )


def test_an_annotator_sees_only_their_own_changes_and_no_gold(client, worked, annotator):
    s1, _ = worked
    html = _get(client, annotator, "sentence_history", pk=s1.pk).content.decode()
    assert html.count('class="history-entry') == 2
    assert "Gold" not in html.split("<ol", 1)[1]
    assert "rita" not in html.split("<ol", 1)[1]


def test_the_corpus_history_is_for_owners_and_filters(client, worked, owner, corpus, reviewer):
    for user, status in ((reviewer, 403),):
        assert _get(client, user, "corpus_history", slug=corpus.slug).status_code == status
    response = _get(client, owner, "corpus_history", slug=corpus.slug)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="history-entry') == 7
    assert 'href="/sentences/' in html

    def count(query):
        page = _get(client, owner, "corpus_history", query=query, slug=corpus.slug)
        return page.content.decode().count('class="history-entry')

    assert count("?annotator=anna") == 3
    assert count("?annotator=rita") == 4  # one label, three gold decisions
    assert count("?action=decide") == 2
    assert count("?action=withdraw&annotator=rita") == 1
    assert count("?action=update") == 1
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    assert count(f"?since={tomorrow.isoformat()}") == 0
    assert count(f"?since={(today - dt.timedelta(days=1)).isoformat()}&until={tomorrow}") == 7


def test_the_corpus_history_keeps_the_changes_of_a_sentence_split_since(
    client, worked, owner, corpus, article
):
    """Events outlive their sentence (invariant 3), and the corpus history shows them."""
    from articles.services.boundaries import sentence_split

    _, s2 = worked
    old_text = s2.text
    sentence_split(article_id=article.pk, sentence_id=s2.pk, at=4, by=owner)
    assert not Sentence.objects.filter(pk=s2.pk).exists()
    orphaned = AnnotationEvent.objects.filter(article=article, sentence__isnull=True)
    assert orphaned.exists()
    html = _get(client, owner, "corpus_history", slug=corpus.slug).content.decode()
    events = AnnotationEvent.objects.filter(article=article).count()
    edits = SegmentationEdit.objects.filter(article=article).count()  # the split itself
    assert edits == 1
    assert html.count('class="history-entry') == events + GoldEvent.objects.count() + edits
    assert "(no longer in the article)" in html
    assert old_text[:30] in html


def test_a_bad_filter_says_what_to_fix(client, worked, owner, corpus):
    page = _get(
        client, owner, "corpus_history", query="?since=yesterday&action=nope", slug=corpus.slug
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "The filter was not applied" in html
    assert "From: Enter a valid date." in html


def test_the_corpus_history_pages_fifty_at_a_time(client, article, annotator, owner, corpus):
    sentence = article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()
    version = 0
    for i in range(60):
        key = ["claim", "speculation"][i % 2]
        version = annotation_set(
            sentence=sentence,
            annotator=annotator,
            label=_label(corpus, key),
            expected_version=version,
        ).annotation.version
    assert AnnotationEvent.objects.count() == 60
    first = _get(client, owner, "corpus_history", slug=corpus.slug).content.decode()
    second = _get(
        client, owner, "corpus_history", query="?page=2", slug=corpus.slug
    ).content.decode()
    assert first.count('class="history-entry') == 50 and second.count('class="history-entry') == 10
    assert "Page 1 of 2" in first and "?page=2" in first
    assert "Page 2 of 2" in second


def test_the_gold_history_api_pages_decisions_oldest_first_and_filters(
    client_for, worked, reviewer, viewer, annotator, corpus
):
    s1, _ = worked
    url = f"/api/corpora/{corpus.slug}/gold-history/"
    body = client_for(viewer).get(url).json()
    assert [(e["action"], e["old_label"], e["new_label"]) for e in body["results"]] == [
        ("decide", "", "claim"),
        ("decide", "claim", "sourced_fact"),
        ("withdraw", "sourced_fact", ""),
    ]
    first = body["results"][0]
    assert (first["sentence"], first["sentence_text"], first["decided_by"]) == (
        s1.pk,
        s1.text,
        "rita",
    )
    assert first["at"].endswith("Z") and first["new_note"] == "main clause"
    paged = client_for(viewer).get(url + "?page_size=2").json()
    assert len(paged["results"]) == 2 and paged["next"]
    rest = client_for(viewer).get(paged["next"]).json()
    assert [e["action"] for e in rest["results"]] == ["withdraw"]
    assert client_for(viewer).get(url + "?reviewer=anna").json()["results"] == []
    assert len(client_for(viewer).get(url + f"?sentence={s1.pk}").json()["results"]) == 3
    bad = client_for(viewer).get(url + "?since=soon")
    assert bad.status_code == 400 and "since" in bad.json()["error"]["fields"]
    assert client_for(annotator).get(url).status_code == 403
