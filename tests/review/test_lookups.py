"""The selectors and services the workflow views call instead of querying themselves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from articles.models import GoldLabel
from corpora.selectors import label_by_key
from corpora.services.corpora import corpus_create
from review.models import AgreementReport, Assignment
from review.selectors.adjudication import gold_label_choices, queue_sentence_get
from review.selectors.agreement import (
    agreement_article_get,
    agreement_report_get,
    agreement_summary_get,
)
from review.selectors.assignments import (
    article_in_corpus,
    assignable_articles,
    assignment_get,
    labelers_of,
    member_in_corpus,
)
from review.services.adjudication import gold_label_decide_by_key
from review.services.assignment import (
    assignment_create,
    assignment_create_in_corpus,
    assignment_delete_in_corpus,
)
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label_sentences, labelable

# --- agreement ------------------------------------------------------------------------


def test_agreement_summary_without_a_report_is_empty(corpus):
    summary = agreement_summary_get(corpus=corpus)
    assert (summary.computed_at, summary.duration_ms, summary.labels_seen) == (None, 0, 0)
    assert (summary.queued, summary.error, summary.figures) == (False, "", {})
    assert agreement_report_get(corpus=corpus) is None


def test_agreement_summary_keeps_every_article_and_drops_the_dashboards_extracts(
    corpus, articles, annotator, team
):
    label_sentences(articles[0], annotator, "claim")
    label_sentences(articles[0], team[0], ["claim", "speculation", "claim"])
    report = corpus_workflow_refresh(corpus_id=corpus.pk)
    assert "progress" in report.data  # what the summary leaves out is really there
    summary = agreement_summary_get(corpus=corpus)
    assert summary.computed_at == report.computed_at
    assert summary.labels_seen == report.labels_seen > 0
    assert "progress" not in summary.figures and "worst_articles" not in summary.figures
    assert [a["id"] for a in summary.figures["articles"]] == [articles[0].pk]
    assert summary.figures["alpha"] == report.data["alpha"]
    AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=report.computed_at)
    assert agreement_summary_get(corpus=corpus).queued is True


def test_agreement_article_names_the_pairs_lowest_kappa_first(corpus):
    report = AgreementReport(
        corpus=corpus,
        data={"annotators": [{"id": 1, "name": "anna"}, {"id": 2, "name": "ben"}]},
        articles=[
            {
                "id": 7,
                "pairs": [
                    {"a": 1, "b": 2, "kappa": 0.5},
                    {"a": 1, "b": 3, "kappa": None},
                    {"a": 2, "b": 3, "kappa": -0.2},
                ],
            }
        ],
    )
    entry = agreement_article_get(report=report, article_id=7)
    assert [(p["a_name"], p["b_name"], p["kappa"]) for p in entry["pairs"]] == [
        ("ben", "3", -0.2),
        ("anna", "ben", 0.5),
        ("anna", "3", None),
    ]
    assert agreement_article_get(report=report, article_id=8) is None


# --- assignments ----------------------------------------------------------------------


def test_assignment_create_in_corpus_refuses_ids_from_elsewhere(
    corpus, articles, annotator, owner, outsider, make_article
):
    foreign = make_article(corpus_create(name="Elsewhere", owner=owner), "One. Two.\n")
    with pytest.raises(ValidationError) as exc:
        assignment_create_in_corpus(
            corpus=corpus, article_id=foreign.pk, annotator_id=annotator.pk, assigned_by=owner
        )
    assert exc.value.message_dict == {"article": ["No such article in this corpus."]}
    with pytest.raises(ValidationError) as exc:
        assignment_create_in_corpus(
            corpus=corpus, article_id=articles[0].pk, annotator_id=outsider.pk, assigned_by=owner
        )
    assert list(exc.value.message_dict) == ["annotator"]
    assert not Assignment.objects.exists()


def test_assignment_create_in_corpus_assigns_once(corpus, articles, annotator, owner):
    first = assignment_create_in_corpus(
        corpus=corpus, article_id=articles[1].pk, annotator_id=annotator.pk, assigned_by=owner
    )
    again = assignment_create_in_corpus(
        corpus=corpus, article_id=articles[1].pk, annotator_id=annotator.pk, assigned_by=owner
    )
    assert (first[1], again[1]) == (True, False)
    assert first[0].pk == again[0].pk and first[0].assigned_by == owner


def test_assignment_delete_in_corpus_only_in_that_corpus(corpus, articles, annotator, owner):
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    other = corpus_create(name="Elsewhere", owner=owner)
    assert not assignment_delete_in_corpus(
        corpus=other, article_id=articles[0].pk, annotator_id=annotator.pk
    )
    assert not assignment_delete_in_corpus(
        corpus=corpus, article_id=articles[1].pk, annotator_id=annotator.pk
    )
    assert assignment_delete_in_corpus(
        corpus=corpus, article_id=articles[0].pk, annotator_id=annotator.pk
    )
    assert not Assignment.objects.exists()


def test_assignment_page_reads(corpus, articles, owner, annotator, reviewer, viewer, team):
    assert [u.username for u in labelers_of(corpus=corpus)] == sorted(
        u.username for u in [owner, annotator, reviewer, *team]
    )  # not the viewer: viewers do not label
    ready = articles[0]
    type(ready).objects.filter(pk=articles[1].pk).update(status="pending")
    assert {a.pk for a in assignable_articles(corpus=corpus)} == {
        a.pk for a in articles if a.pk != articles[1].pk
    }
    assert article_in_corpus(corpus=corpus, article_id=ready.pk) == ready
    other = corpus_create(name="Elsewhere", owner=owner)
    assert article_in_corpus(corpus=other, article_id=ready.pk) is None
    assert member_in_corpus(corpus=corpus, user_id=annotator.pk).user == annotator
    assert member_in_corpus(corpus=other, user_id=annotator.pk) is None
    assert assignment_get(article=ready, annotator_id=annotator.pk) is None
    assignment_create(article=ready, annotator=annotator, assigned_by=owner)
    assert assignment_get(article=ready, annotator_id=annotator.pk).annotator == annotator


# --- adjudication ---------------------------------------------------------------------


def test_gold_label_decide_by_key(corpus, articles, reviewer, owner):
    sentence = labelable(articles[0])[0]
    with pytest.raises(ValidationError) as exc:
        gold_label_decide_by_key(sentence=sentence, label_key="nope", reviewer=reviewer)
    assert exc.value.message_dict == {
        "label": ["No label 'nope' in this corpus; use one of its label keys."]
    }
    other = corpus_create(name="Elsewhere", owner=owner)
    assert label_by_key(corpus_id=other.pk, key="claim").corpus_id == other.pk
    gold = gold_label_decide_by_key(
        sentence=sentence, label_key="claim", reviewer=reviewer, note="n"
    )
    assert (gold.label.key, gold.label.corpus_id, gold.decided_by, gold.note) == (
        "claim",
        corpus.pk,
        reviewer,
        "n",
    )
    assert gold.origin == GoldLabel.Origin.ADJUDICATED


def test_gold_label_choices_and_queue_sentence(corpus, articles, owner):
    assert {lab.key for lab in gold_label_choices(corpus=corpus)} == set(
        corpus.labels.values_list("key", flat=True)
    )
    sentence = labelable(articles[0])[0]
    assert queue_sentence_get(corpus=corpus, sentence_id=sentence.pk) == sentence
    other = corpus_create(name="Elsewhere", owner=owner)
    assert queue_sentence_get(corpus=other, sentence_id=sentence.pk) is None
