"""A corpus with something in every table an archive carries, made through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article, Sentence
from articles.services.annotations import annotation_clear, annotation_set
from articles.services.boundaries import segmentation_edit_undo, sentence_split
from corpora.models import Corpus, Label, Role
from corpora.services.corpora import corpus_create, corpus_guidelines_update, membership_set
from imports.models import ArticleSnapshot
from review.services.adjudication import gold_label_decide
from review.services.assignment import article_next_for, assignment_create
from review.services.workflow import corpus_auto_gold_set, corpus_workflow_refresh
from suggestions.models import NextPolicy, SuggestionSettings
from suggestions.services import suggestion_settings_update

SECOND_TEXT = (
    "A Budget Nobody Wants\n"
    "\n"
    "The council approved the budget on Tuesday, the minutes show. "
    "It will probably be revised before spring. "
    "The mayor called it a disgrace.\n"
)
THIRD_TEXT = "Unsegmented for now. It waits for a worker.\n"


def _labelable(article: Article) -> list[Sentence]:
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


@pytest.fixture
def rich_corpus(owner, annotator, reviewer, viewer, make_user, make_article, outsider) -> Corpus:
    """Two annotators with edits and clears, gold of both origins, 3 guideline versions,
    every role, hand-made and self-taken assignments, an archived page; plus another
    corpus (the outsider's) whose rows must stay out of the archive."""
    second = make_user("ben", email="ben@example.org")
    corpus = corpus_create(
        name="Op-eds to keep",
        owner=owner,
        description="Everything in it must come back.",
        guidelines="# Guidelines\n\nLabel every sentence.\n",
        overlap=2,
    )
    corpus_guidelines_update(corpus=corpus, guidelines="# Guidelines\n\nVersion two.\n")
    for user, role in [
        (annotator, Role.ANNOTATOR),
        (second, Role.ANNOTATOR),
        (reviewer, Role.REVIEWER),
        (viewer, Role.VIEWER),
    ]:
        membership_set(corpus=corpus, user=user, role=role)
    first = make_article(
        corpus,
        author="Jane Doe",
        outlet="The Daily",
        source_url="https://example.org/talks",
        published_on=dt.date(2026, 3, 14),
    )
    budget = make_article(corpus, SECOND_TEXT, title="A Budget Nobody Wants", outlet="Gazette")
    make_article(corpus, THIRD_TEXT, title="Later", segment=False)
    labels = {label.key: label for label in Label.objects.filter(corpus=corpus)}

    # Labels by two annotators: agreements, a disagreement, edits and clears.
    s = _labelable(first)
    annotation_set(sentence=s[0], annotator=annotator, label=labels["claim"])
    annotation_set(sentence=s[0], annotator=second, label=labels["claim"], note="clear-cut")
    annotation_set(
        sentence=s[1],
        annotator=annotator,
        label=labels["sourced_fact"],
        source="Reuters, 14 March",
        note="named agency",
    )
    annotation_set(sentence=s[1], annotator=second, label=labels["speculation"])
    annotation_set(sentence=s[1], annotator=second, label=labels["claim"], note="changed mind")
    annotation_set(sentence=s[2], annotator=annotator, label=labels["speculation"])
    annotation_clear(sentence=s[2], annotator=annotator)
    annotation_set(sentence=s[2], annotator=annotator, label=labels["claim"])
    annotation_set(sentence=s[3], annotator=second, label=labels["claim"])
    annotation_clear(sentence=s[3], annotator=second, changed_by=owner)
    b = _labelable(budget)
    for sentence in b:
        annotation_set(sentence=sentence, annotator=annotator, label=labels["claim"])

    # Guidelines change mid-work, so labels carry two guideline versions.
    corpus_guidelines_update(corpus=corpus, guidelines="# Guidelines\n\nVersion three.\n")
    fresh = Sentence.objects.select_related("article__corpus").get(pk=b[0].pk)
    annotation_set(sentence=fresh, annotator=second, label=labels["claim"])

    # Assignments: one by the owner's hand, one taken with "next article".
    assignment_create(article=budget, annotator=annotator, assigned_by=owner)
    article_next_for(corpus=corpus, user=second)

    # Unanimous gold (and finished assignments) from the refresh, then a reviewer's decision.
    corpus_auto_gold_set(corpus=corpus, enabled=True)
    corpus_workflow_refresh(corpus_id=corpus.pk)
    gold_label_decide(
        sentence=s[1],
        label=labels["sourced_fact"],
        reviewer=reviewer,
        note="The agency is named.",
        source="Reuters",
    )
    # Boundaries changed by hand: a split undone, then done again, one carried label
    # confirmed; events outlive their sentence and edits travel.
    target = Sentence.objects.get(pk=s[1].pk)
    at = target.text.index(" ", len(target.text) // 2) + 1
    split = sentence_split(article_id=first.pk, sentence_id=target.pk, at=at, by=owner)
    segmentation_edit_undo(article_id=first.pk, edit_id=split.edit.pk, by=reviewer)
    again = sentence_split(
        article_id=first.pk, sentence_id=Sentence.objects.get(article=first, start=target.start).pk,
        at=at, by=owner,
    )  # fmt: skip
    part = Sentence.objects.select_related("article__corpus").get(pk=again.created[0])
    annotation_set(sentence=part, annotator=annotator, label=labels["sourced_fact"],
                   note="named agency", source="Reuters, 14 March")  # fmt: skip
    # Blind labeling, a policy that is not the default, a count of labels at training.
    suggestion_settings_update(
        corpus=corpus, show_to_annotators=False, next_policy=NextPolicy.DISAGREEMENT
    )
    SuggestionSettings.objects.filter(corpus=corpus).update(labels_at_last_training=7)
    ArticleSnapshot.objects.create(
        article=first,
        requested_url="https://example.org/talks",
        final_url="https://example.org/2026/talks",
        status_code=200,
        content_type="text/html; charset=latin-1",
        body=b"<html>caf\xe9 \x00\xff</html>",
        fetched_at=timezone.now() - dt.timedelta(days=3),
    )
    return Corpus.objects.get(pk=corpus.pk)
