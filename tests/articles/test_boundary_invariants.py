"""Invariants under any sequence of boundary changes (Hypothesis).

docs/architecture.md: invariant 1 (an article's sentences tile its text, in
order, without overlap), invariant 3 (the count of history events never
decreases, and every label set stays somewhere: on a sentence, or in the
``review_from`` of one) across splits, merges, heading marks, undos, new
segmentations and text corrections.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.exceptions import BoundaryConflict
from articles.models import Annotation, AnnotationEvent, Article, SegmentationEdit, Sentence
from articles.segmenter import Segment
from articles.services.annotations import annotation_set
from articles.services.boundaries import (
    article_text_correct,
    segmentation_edit_undo,
    sentence_kind_set,
    sentence_split,
    sentences_merge,
    sentences_resegment,
)
from corpora.models import Label

from .label_counts import assert_label_counts_right
from .test_segmentation_service import assert_invariant_1

pytestmark = pytest.mark.django_db

TEXT = (
    "Budget Day\n\n"
    "The council approved the budget on Tuesday, the minutes show. It will probably be "
    "revised before spring. The mayor called it a disgrace.\n\n"
    "Residents were not consulted. The city lost money on the tram. Critics say so.\n"
)

OPS = st.lists(
    st.tuples(
        st.sampled_from(["split", "merge", "heading", "sentence", "undo", "text", "resegment"]),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=1, max_value=60),
    ),
    min_size=1,
    max_size=8,
)


def _labels_kept(article: Article, wanted: set[tuple[int, str]]) -> None:
    """Every (annotator, label) set before is on a sentence or in a review_from now."""
    present: set[tuple[int, str]] = set()
    for a in Annotation.objects.filter(sentence__article=article).select_related("label"):
        present.add((a.annotator_id, a.label.key))
        present.update((a.annotator_id, item["label"]) for item in a.review_from)
    # A heading mark takes labels off on purpose (history and undo keep them), with
    # the labels they carried for review (their review_from, in the edit's snapshot
    # of the sentence's labels, which undo restores).
    retired = set(
        AnnotationEvent.objects.filter(
            article=article, action="retire", edit__kind="heading"
        ).values_list("annotator_id", "old_label")
    )
    ids = dict(get_user_model().objects.values_list("username", "pk"))
    for snapshot in SegmentationEdit.objects.filter(article=article, kind="heading").values_list(
        "labels", flat=True
    ):
        for item in snapshot:
            who = ids.get(item.get("annotator"))
            retired.update((who, entry["label"]) for entry in item.get("review_from") or [])
    assert wanted - retired <= present


def _apply(article: Article, op: str, pick: int, at: int, owner) -> None:
    sentences = list(Sentence.objects.filter(article=article).order_by("index"))
    s = sentences[pick % len(sentences)]
    try:
        if op == "split":
            sentence_split(article_id=article.pk, sentence_id=s.pk, at=at % 40 + 1, by=owner)
        elif op == "merge":
            following = [x for x in sentences if x.index == s.index + 1]
            if following:
                sentences_merge(
                    article_id=article.pk, sentence_id=s.pk, next_id=following[0].pk, by=owner
                )
        elif op in ("heading", "sentence"):
            sentence_kind_set(article_id=article.pk, sentence_id=s.pk, kind=op, by=owner)
        elif op == "undo":
            edit = (
                SegmentationEdit.objects.filter(
                    article=article, undone_at__isnull=True,
                    kind__in=["split", "merge", "heading", "sentence"],
                ).order_by("-pk").first()
            )  # fmt: skip
            if edit:
                segmentation_edit_undo(article_id=article.pk, edit_id=edit.pk, by=owner)
        elif op == "text":
            article.refresh_from_db()
            cut = at % max(1, len(s.text) - 1)
            new = article.text[: s.start + cut] + " indeed" + article.text[s.start + cut :]
            article_text_correct(
                article_id=article.pk, text=new, based_on=article.content_hash, by=owner
            )
        elif op == "resegment":
            article.refresh_from_db()
            # A coarser segmenter: one segment per line.
            segments, start = [], 0
            for number, line in enumerate(article.text.split("\n")):
                if line.strip():
                    lead = len(line) - len(line.lstrip())
                    segments.append(
                        Segment(start + lead, start + len(line.rstrip()), number, "sentence")
                    )
                start += len(line) + 1
            with transaction.atomic():
                locked = Article.objects.select_for_update().get(pk=article.pk)
                sentences_resegment(article=locked, segments=segments)
    except (BoundaryConflict, ValidationError):
        pass  # refused with a message, nothing written: the invariants still hold


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_sentences_tile_the_text_and_events_only_grow(ops, corpus, make_article, owner, annotator):
    # Examples share the test's database: each gets a text of its own.
    article = make_article(corpus, TEXT + f"Run {uuid.uuid4().hex}.\n", title="Budget")
    labels = list(Label.objects.filter(corpus=corpus).order_by("order"))
    wanted: set[tuple[int, str]] = set()
    for k, s in enumerate(article.sentences.filter(kind="sentence").order_by("index")):
        label = labels[k % len(labels)]
        annotation_set(sentence=s, annotator=annotator, label=label)
        wanted.add((annotator.pk, label.key))
    counts = [AnnotationEvent.objects.filter(article=article).count()]
    for op, pick, at in ops:
        _apply(article, op, pick, at, owner)
        article.refresh_from_db()
        assert_invariant_1(article)
        counts.append(AnnotationEvent.objects.filter(article=article).count())
        assert counts[-1] >= counts[-2], f"{op} lost history events"
        _labels_kept(article, wanted)
        # What the article list's "labeled by me" reads (docs/architecture.md,
        # "Derived counts").
        assert_label_counts_right([article.pk])
    Article.objects.filter(pk=article.pk).delete()
