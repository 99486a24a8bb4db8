"""The stored disagreement ranking: kept by the refresh, paged by keyset, decisions drop out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.services.annotations import annotation_set
from review.models import Disagreement
from review.selectors.adjudication import BadCursor, disagreement_queue_page
from review.services.adjudication import (
    corpus_disagreements_store,
    gold_label_decide,
    gold_label_withdraw,
)
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label, label_sentences, labelable


@pytest.fixture
def contested(corpus, articles, annotator, team):
    """Four articles, each sentence split in its own way between up to four annotators."""
    splits = [
        ["claim", "claim", "speculation"],
        ["speculation", "claim", "claim"],
        ["claim", "sourced_fact", "claim"],
        ["speculation", "speculation", "claim"],
    ]
    people = [annotator, *team]
    for a, article in enumerate(articles):
        for p, person in enumerate(people):
            label_sentences(article, person, [splits[(a + p + i) % 4][i] for i in range(3)])
    return articles


def all_pages(corpus, size):
    ids, after, pages = [], None, 0
    while True:
        page = disagreement_queue_page(corpus=corpus, limit=size, after=after)
        ids += [item.sentence.pk for item in page.items]
        pages += 1
        if page.next_cursor is None:
            return ids, pages
        after = page.next_cursor


def test_the_stored_ranking_pages_in_the_same_order_as_the_live_one(corpus, contested):
    live, _ = all_pages(corpus, 100)
    assert disagreement_queue_page(corpus=corpus).ranked_at is None
    result = corpus_disagreements_store(corpus=corpus)
    assert result["disagreements"] == Disagreement.objects.filter(corpus=corpus).count() > 3
    stored_page = disagreement_queue_page(corpus=corpus, limit=100)
    assert stored_page.ranked_at is not None and stored_page.total == len(live)
    assert [i.sentence.pk for i in stored_page.items] == live
    ids, pages = all_pages(corpus, 2)
    assert ids == live and pages == (len(live) + 1) // 2
    entropies = [i.entropy for i in stored_page.items]
    assert entropies == sorted(entropies, reverse=True)


def test_a_decision_leaves_the_stored_queue_at_once_and_a_withdrawal_brings_it_back(
    corpus, contested, reviewer
):
    corpus_workflow_refresh(corpus_id=corpus.pk)
    first = disagreement_queue_page(corpus=corpus, limit=2)
    second = disagreement_queue_page(corpus=corpus, limit=2, after=first.next_cursor)
    top = first.items[0].sentence
    gold_label_decide(sentence=top, label=label(corpus, "claim"), reviewer=reviewer)
    again = disagreement_queue_page(corpus=corpus, limit=2)
    assert top.pk not in [i.sentence.pk for i in again.items]
    assert again.total == first.total - 1
    # The cursor of the first page still leads to the same second page.
    same = disagreement_queue_page(corpus=corpus, limit=2, after=first.next_cursor)
    assert [i.sentence.pk for i in same.items] == [i.sentence.pk for i in second.items]
    gold_label_withdraw(sentence=top, reviewer=reviewer)
    back = disagreement_queue_page(corpus=corpus, limit=1)
    assert back.items[0].sentence == top and back.total == first.total


def test_a_refresh_rewrites_only_the_sentences_whose_labels_changed(
    corpus, contested, annotator, team
):
    corpus_disagreements_store(corpus=corpus)
    assert corpus_disagreements_store(corpus=corpus)["added"] == 0
    sentence = labelable(contested[0])[0]
    for person in (annotator, *team):
        annotation_set(sentence=sentence, annotator=person, label=label(corpus, "claim"))
    result = corpus_disagreements_store(corpus=corpus)
    assert (result["removed"], result["added"]) == (1, 0)  # now unanimous: off the queue
    assert not Disagreement.objects.filter(sentence=sentence).exists()
    annotation_set(sentence=sentence, annotator=annotator, label=label(corpus, "speculation"))
    result = corpus_disagreements_store(corpus=corpus)
    assert (result["removed"], result["added"]) == (0, 1)


def test_a_page_costs_the_same_queries_wherever_it_is(corpus, contested):
    corpus_disagreements_store(corpus=corpus)
    with CaptureQueriesContext(connection) as first:
        page = disagreement_queue_page(corpus=corpus, limit=2)
    with CaptureQueriesContext(connection) as later:
        disagreement_queue_page(corpus=corpus, limit=2, after=page.next_cursor)
    assert len(first) == len(later) <= 7


def test_a_made_up_cursor_is_refused(corpus, contested):
    with pytest.raises(BadCursor):
        disagreement_queue_page(corpus=corpus, after="not-a-cursor")


def test_the_queue_page_walks_forward_with_next_links(client, reviewer, corpus, contested):
    corpus_workflow_refresh(corpus_id=corpus.pk)
    client.force_login(reviewer)
    url = reverse("adjudication_queue", kwargs={"slug": corpus.slug})
    html = client.get(url).content.decode()
    assert "Ranked <time" in html and 'href="/corpora/' in html
    next_url = html.split('<nav class="wf-pager"')[1].split('href="')[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&")).content.decode()
    assert 'start="11"' in second and "Most contested first" in second
    bad = client.get(url + "?after=garbage")
    assert bad.status_code == 302 and bad.url == url


def test_the_api_pages_by_cursor_and_names_a_bad_one(reviewer, corpus, contested):
    from rest_framework.test import APIClient

    corpus_workflow_refresh(corpus_id=corpus.pk)
    api = APIClient()
    api.force_authenticate(reviewer)
    url = f"/api/corpora/{corpus.slug}/adjudication/"
    first = api.get(url, {"limit": 3}).json()
    assert first["ranked_at"] and first["next"]
    second = api.get(url, {"limit": 3, "cursor": first["next"]}).json()
    assert not {r["sentence"] for r in first["results"]} & {
        r["sentence"] for r in second["results"]
    }
    assert second["count"] == first["count"]
    bad = api.get(url, {"cursor": "1.5_x"})
    assert bad.status_code == 400 and "cursor" in bad.content.decode()
