"""Gold labels: a reviewer's decision, unanimous gold, and the disagreement queue."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from articles.models import GoldLabel
from articles.services.annotations import annotation_set
from corpora.models import Label
from review.selectors.adjudication import disagreement_count, disagreement_queue
from review.services.adjudication import (
    corpus_unanimous_gold_apply,
    gold_label_decide,
    gold_label_withdraw,
)
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label, label_sentences, labelable


def test_a_reviewer_decision_is_gold_with_its_origin_and_note(corpus, article, reviewer):
    sentence = labelable(article)[0]
    gold = gold_label_decide(
        sentence=sentence, label=label(corpus, "claim"), reviewer=reviewer, note="Hedged? No."
    )
    assert (gold.origin, gold.decided_by, gold.note) == ("adjudicated", reviewer, "Hedged? No.")
    again = gold_label_decide(
        sentence=sentence, label=label(corpus, "speculation"), reviewer=reviewer
    )
    assert GoldLabel.objects.filter(sentence=sentence).count() == 1
    assert again.label.key == "speculation"
    assert gold_label_withdraw(sentence=sentence, reviewer=reviewer) is True
    assert not GoldLabel.objects.filter(sentence=sentence).exists()


def test_a_decision_with_another_corpus_label_or_a_stray_source_is_refused(
    corpus, article, reviewer, outsider
):
    sentence = labelable(article)[0]
    foreign = Label.objects.exclude(corpus=corpus).first()
    with pytest.raises(ValidationError, match="another corpus"):
        gold_label_decide(sentence=sentence, label=foreign, reviewer=reviewer)
    with pytest.raises(ValidationError, match="takes no source"):
        gold_label_decide(
            sentence=sentence, label=label(corpus, "claim"), reviewer=reviewer, source="x"
        )


def test_unanimous_sentences_become_gold_only_when_the_setting_is_on(
    corpus, article, annotator, team
):
    corpus.overlap = 2
    corpus.save()
    sentences = labelable(article)
    label_sentences(article, annotator, ["claim", "claim", "speculation"])
    label_sentences(article, team[0], ["claim", "speculation", "speculation"])
    assert corpus_unanimous_gold_apply(corpus=corpus)["created"] == 0
    corpus.auto_gold_unanimous = True
    corpus.save()
    assert corpus_unanimous_gold_apply(corpus=corpus) == {"created": 2, "changed": 0, "removed": 0}
    gold = {g.sentence_id: g for g in GoldLabel.objects.all()}
    assert set(gold) == {sentences[0].pk, sentences[2].pk}
    assert gold[sentences[0].pk].origin == "unanimous" and gold[sentences[0].pk].decided_by is None
    # One annotator changes their mind: that sentence is no longer unanimous.
    annotation_set(sentence=sentences[0], annotator=team[0], label=label(corpus, "speculation"))
    assert corpus_unanimous_gold_apply(corpus=corpus)["removed"] == 1
    # Turning the setting off takes back the automatic gold.
    corpus.auto_gold_unanimous = False
    corpus.save()
    corpus_unanimous_gold_apply(corpus=corpus)
    assert not GoldLabel.objects.exists()


def test_unanimous_gold_waits_for_the_overlap_and_never_touches_a_decision(
    corpus, article, annotator, team, reviewer
):
    corpus.overlap, corpus.auto_gold_unanimous = 3, True
    corpus.save()
    sentences = labelable(article)
    label_sentences(article, annotator, "claim")
    label_sentences(article, team[0], "claim")
    assert corpus_unanimous_gold_apply(corpus=corpus)["created"] == 0  # 2 of 3 so far
    gold_label_decide(sentence=sentences[1], label=label(corpus, "speculation"), reviewer=reviewer)
    label_sentences(article, team[1], "claim")
    assert corpus_unanimous_gold_apply(corpus=corpus)["created"] == len(sentences) - 1
    kept = GoldLabel.objects.get(sentence=sentences[1])
    assert (kept.origin, kept.label.key) == ("adjudicated", "speculation")


def test_the_queue_lists_disagreements_most_contested_first(corpus, articles, annotator, team):
    a, b = articles[0], articles[1]
    # a: 2-2 split on sentence 0, 3-1 on sentence 1, all agree on sentence 2.
    label_sentences(a, annotator, ["claim", "claim", "claim"])
    label_sentences(a, team[0], ["claim", "claim", "claim"])
    label_sentences(a, team[1], ["speculation", "claim", "claim"])
    label_sentences(a, team[2], ["speculation", "speculation", "claim"])
    # b: three different labels on sentence 0.
    label_sentences(b, annotator, ["claim"])
    label_sentences(b, team[0], ["speculation"])
    label_sentences(b, team[1], ["sourced_fact"])
    queue = disagreement_queue(corpus=corpus)
    order = [(item.sentence.article_id, item.sentence.index) for item in queue]
    sa, sb = labelable(a), labelable(b)
    assert [i.sentence.pk for i in queue] == [sb[0].pk, sa[0].pk, sa[1].pk]
    assert disagreement_count(corpus=corpus) == 3
    first = queue[1]
    assert len(first.annotations) == 4 and first.distinct_labels == 2
    assert first.next == sa[1].text and order
    assert queue[2].previous == sa[0].text


def test_a_decided_sentence_leaves_the_queue(corpus, article, annotator, team, reviewer):
    label_sentences(article, annotator, "claim")
    label_sentences(article, team[0], "speculation")
    before = disagreement_count(corpus=corpus)
    item = disagreement_queue(corpus=corpus)[0]
    gold_label_decide(sentence=item.sentence, label=label(corpus, "claim"), reviewer=reviewer)
    assert disagreement_count(corpus=corpus) == before - 1
    assert item.sentence.pk not in [i.sentence.pk for i in disagreement_queue(corpus=corpus)]


def test_the_refresh_stores_agreement_and_applies_gold(corpus, articles, annotator, team):
    corpus.overlap, corpus.auto_gold_unanimous = 2, True
    corpus.save()
    for article in articles:
        label_sentences(article, annotator, "claim")
        label_sentences(article, team[0], ["claim", "speculation", "claim"])
    report = corpus_workflow_refresh(corpus_id=corpus.pk)
    data = report.data
    assert report.computed_at is not None and report.labels_seen == data["values"] > 0
    assert data["pairable_units"] == len(articles) * 3
    assert data["percent_agreement"] == pytest.approx(2 / 3, abs=1e-3)
    assert [p["a"]["name"] for p in data["pairs"]] == ["anna"]
    assert len(report.articles) == len(articles) and "articles" not in data
    assert data["worst_articles"] == report.articles[:15]
    assert [row["key"] for row in data["per_label"]] == ["claim", "speculation", "sourced_fact"]
    assert GoldLabel.objects.filter(origin="unanimous").count() == len(articles) * 2
    assert report.refresh_queued_at is None


def test_a_slower_older_refresh_never_overwrites_a_newer_report(corpus, article, annotator, team):
    from datetime import timedelta

    from django.utils import timezone

    from review.services.agreement import corpus_agreement_refresh

    label_sentences(article, annotator, "claim")
    label_sentences(article, team[0], "claim")
    now = timezone.now()
    newer = corpus_agreement_refresh(corpus=corpus, as_of=now)
    label_sentences(article, team[1], "speculation")
    older = corpus_agreement_refresh(corpus=corpus, as_of=now - timedelta(seconds=5))
    assert older.computed_at == newer.computed_at == now
    assert older.labels_seen == newer.labels_seen  # the older run's figures were dropped


def test_unanimous_gold_follows_a_label_every_annotator_changed(corpus, article, annotator, team):
    corpus.overlap, corpus.auto_gold_unanimous = 2, True
    corpus.save()
    sentences = labelable(article)
    label_sentences(article, annotator, "claim")
    label_sentences(article, team[0], "claim")
    assert corpus_unanimous_gold_apply(corpus=corpus)["created"] == len(sentences)
    first = GoldLabel.objects.get(sentence=sentences[0])
    for person in (annotator, team[0]):
        annotation_set(sentence=sentences[0], annotator=person, label=label(corpus, "speculation"))
    assert corpus_unanimous_gold_apply(corpus=corpus) == {"created": 0, "changed": 1, "removed": 0}
    moved = GoldLabel.objects.get(sentence=sentences[0])
    assert (moved.pk, moved.label.key, moved.origin) == (first.pk, "speculation", "unanimous")
    assert moved.updated_at > first.updated_at
    # Nothing to do the second time round.
    assert corpus_unanimous_gold_apply(corpus=corpus) == {"created": 0, "changed": 0, "removed": 0}


def test_unanimous_gold_is_set_based_whatever_the_corpus_size(corpus, articles, annotator, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    corpus.overlap, corpus.auto_gold_unanimous = 2, True
    corpus.save()
    label_sentences(articles[0], annotator, "claim")
    label_sentences(articles[0], team[0], "claim")
    with CaptureQueriesContext(connection) as small:
        corpus_unanimous_gold_apply(corpus=corpus)
    GoldLabel.objects.all().delete()
    for article in articles:
        label_sentences(article, annotator, "claim")
        label_sentences(article, team[0], "claim")
    with CaptureQueriesContext(connection) as large:
        result = corpus_unanimous_gold_apply(corpus=corpus)
    assert result["created"] == sum(len(labelable(a)) for a in articles)
    assert len(large) == len(small)
