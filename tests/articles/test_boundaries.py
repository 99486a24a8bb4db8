"""Changing sentence boundaries with the labels following the text.

docs/architecture.md, invariants 1 (sentences tile the text), 2 (segmentation
carries labels, never refuses) and 3 (no label is lost, history is never
deleted): split, merge, heading marks, undo, a corrected text and a new
segmentation, through the services.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from articles.exceptions import BoundaryConflict
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    GoldLabel,
    ReviewReason,
    SegmentationEdit,
    Sentence,
)
from articles.segmenter import Segment
from articles.services.annotations import annotation_set
from articles.services.articles import article_resegment
from articles.services.boundaries import (
    article_text_correct,
    segmentation_edit_undo,
    sentence_kind_set,
    sentence_split,
    sentences_merge,
)
from articles.services.segmentation import Outcome, article_segment
from corpora.models import Label
from review.services.adjudication import gold_label_decide

from .test_segmentation_service import assert_invariant_1

TEXT = (
    "Budget Day\n"
    "\n"
    "The council approved the budget on Tuesday, the minutes show. "
    "It will probably be revised before spring. "
    "The mayor called it a disgrace.\n"
    "\n"
    "Residents were not consulted, and the city lost money on the tram project in 2024.\n"
)


@pytest.fixture
def budget(corpus, make_article) -> Article:
    return make_article(corpus, TEXT, title="Budget Day")


def labelable(article: Article) -> list[Sentence]:
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


def label(corpus, key: str) -> Label:
    return Label.objects.get(corpus=corpus, key=key)


def containing(article: Article, words: str) -> Sentence:
    return next(s for s in article.sentences.order_by("index") if words in s.text)


def test_a_split_leaves_each_part_the_label_marked_for_a_check(budget, corpus, annotator, owner):
    last = containing(budget, "Residents were not consulted")
    annotation_set(sentence=last, annotator=annotator, label=label(corpus, "claim"), note="n")
    events_before = AnnotationEvent.objects.count()
    at = last.text.index(" and the city")

    outcome = sentence_split(article_id=budget.pk, sentence_id=last.pk, at=at + 1, by=owner)

    budget.refresh_from_db()
    assert_invariant_1(budget)
    left, right = (Sentence.objects.get(pk=pk) for pk in outcome.created)
    assert left.text == "Residents were not consulted,"
    assert right.text == "and the city lost money on the tram project in 2024."
    assert outcome.removed == [last.pk]
    for part in (left, right):
        mine = Annotation.objects.get(sentence=part, annotator=annotator)
        assert (mine.label.key, mine.note) == ("claim", "n")
        assert mine.needs_review and mine.review_reason == ReviewReason.SPLIT
        assert mine.review_from == [
            {"text": last.text, "label": "claim", "note": "n", "source": ""}
        ]
    # History is never deleted: the old sentence's events stay with its text.
    assert AnnotationEvent.objects.count() == events_before + 3
    old_events = AnnotationEvent.objects.filter(sentence__isnull=True, article=budget)
    assert set(old_events.values_list("action", flat=True)) == {"create", "retire"}
    assert set(old_events.values_list("sentence_text", flat=True)) == {last.text}
    edit = outcome.edit
    assert edit.kind == SegmentationEdit.Kind.SPLIT and edit.by == owner
    assert edit.labels_carried == 2 and edit.labels_for_review == 2


def test_a_split_needs_text_on_both_sides(budget, owner):
    last = containing(budget, "Residents")
    for at in (0, len(last.text), 1_000):
        with pytest.raises(ValidationError):
            sentence_split(article_id=budget.pk, sentence_id=last.pk, at=at, by=owner)
    assert_invariant_1(budget)


def test_merging_parts_that_agree_keeps_the_label_without_asking(budget, corpus, annotator, owner):
    first = containing(budget, "council approved")
    second = containing(budget, "probably be revised")
    for s in (first, second):
        annotation_set(sentence=s, annotator=annotator, label=label(corpus, "claim"))

    outcome = sentences_merge(
        article_id=budget.pk, sentence_id=first.pk, next_id=second.pk, by=annotator
    )

    merged = Sentence.objects.get(pk=outcome.created[0])
    assert merged.text == first.text + " " + second.text
    mine = Annotation.objects.get(sentence=merged, annotator=annotator)
    assert mine.label.key == "claim" and not mine.needs_review
    assert_invariant_1(Article.objects.get(pk=budget.pk))


def test_merging_parts_that_differ_keeps_both_for_the_analyst_to_choose(
    budget, corpus, annotator, reviewer, owner
):
    first = containing(budget, "council approved")
    second = containing(budget, "probably be revised")
    annotation_set(sentence=first, annotator=annotator, label=label(corpus, "sourced_fact"))
    annotation_set(sentence=second, annotator=annotator, label=label(corpus, "speculation"))
    annotation_set(sentence=second, annotator=reviewer, label=label(corpus, "speculation"))
    gold_label_decide(sentence=second, label=label(corpus, "speculation"), reviewer=reviewer)

    outcome = sentences_merge(
        article_id=budget.pk, sentence_id=first.pk, next_id=second.pk, by=owner
    )

    merged = Sentence.objects.get(pk=outcome.created[0])
    mine = Annotation.objects.get(sentence=merged, annotator=annotator)
    assert mine.needs_review and mine.review_reason == ReviewReason.MERGE
    assert [(f["text"], f["label"]) for f in mine.review_from] == [
        (first.text, "sourced_fact"),
        (second.text, "speculation"),
    ]
    # Only one part was labeled by the reviewer: the merged sentence asks them too.
    theirs = Annotation.objects.get(sentence=merged, annotator=reviewer)
    assert theirs.label.key == "speculation" and theirs.needs_review
    gold = GoldLabel.objects.get(sentence=merged)
    assert gold.label.key == "speculation" and gold.needs_review


def test_a_merge_of_a_sentence_someone_changed_meanwhile_is_refused(budget, owner):
    first = containing(budget, "council approved")
    second = containing(budget, "probably be revised")
    third = containing(budget, "mayor called")
    sentence_split(article_id=budget.pk, sentence_id=second.pk, at=3, by=owner)
    with pytest.raises(BoundaryConflict, match="changed since"):
        sentences_merge(article_id=budget.pk, sentence_id=first.pk, next_id=second.pk, by=owner)
    with pytest.raises(BoundaryConflict, match="no longer in this article"):
        sentences_merge(article_id=budget.pk, sentence_id=second.pk, next_id=third.pk, by=owner)


def test_undoing_a_split_puts_the_labels_back_as_they_were(budget, corpus, annotator, owner):
    last = containing(budget, "Residents")
    annotation_set(sentence=last, annotator=annotator, label=label(corpus, "claim"), note="n")
    split = sentence_split(article_id=budget.pk, sentence_id=last.pk, at=30, by=owner)
    events = AnnotationEvent.objects.count()

    undone = segmentation_edit_undo(article_id=budget.pk, edit_id=split.edit.pk, by=owner)

    back = Sentence.objects.get(pk=undone.created[0])
    assert (back.start, back.end, back.text) == (last.start, last.end, last.text)
    mine = Annotation.objects.get(sentence=back, annotator=annotator)
    assert (mine.label.key, mine.note, mine.needs_review) == ("claim", "n", False)
    assert AnnotationEvent.objects.count() > events
    split.edit.refresh_from_db()
    assert split.edit.undone_at is not None and undone.edit.kind == "undo"
    with pytest.raises(BoundaryConflict, match="undone already"):
        segmentation_edit_undo(article_id=budget.pk, edit_id=split.edit.pk, by=owner)
    assert_invariant_1(Article.objects.get(pk=budget.pk))


def test_undo_keeps_a_label_changed_after_the_edit(budget, corpus, annotator, owner):
    last = containing(budget, "Residents")
    annotation_set(sentence=last, annotator=annotator, label=label(corpus, "claim"))
    split = sentence_split(article_id=budget.pk, sentence_id=last.pk, at=30, by=owner)
    left = Sentence.objects.get(pk=split.created[0])
    annotation_set(sentence=left, annotator=annotator, label=label(corpus, "speculation"))

    undone = segmentation_edit_undo(article_id=budget.pk, edit_id=split.edit.pk, by=owner)

    mine = Annotation.objects.get(sentence_id=undone.created[0], annotator=annotator)
    assert mine.needs_review
    assert {f["label"] for f in mine.review_from} == {"speculation", "claim"}


def test_an_edit_whose_sentences_changed_since_cannot_be_undone(budget, owner):
    last = containing(budget, "Residents")
    split = sentence_split(article_id=budget.pk, sentence_id=last.pk, at=30, by=owner)
    left, right = split.created
    sentences_merge(article_id=budget.pk, sentence_id=left, next_id=right, by=owner)
    with pytest.raises(BoundaryConflict, match="changed since"):
        segmentation_edit_undo(article_id=budget.pk, edit_id=split.edit.pk, by=owner)


def test_a_heading_mark_takes_the_labels_off_and_its_undo_puts_them_back(
    budget, corpus, annotator, owner
):
    third = containing(budget, "mayor called")
    annotation_set(sentence=third, annotator=annotator, label=label(corpus, "claim"))
    mark = sentence_kind_set(
        article_id=budget.pk, sentence_id=third.pk, kind=Sentence.Kind.HEADING, by=owner
    )
    third.refresh_from_db()
    assert third.kind == Sentence.Kind.HEADING
    assert not Annotation.objects.filter(sentence=third).exists()
    retired = AnnotationEvent.objects.get(sentence=third, action="retire")
    assert retired.old_label == "claim" and retired.edit == mark.edit

    segmentation_edit_undo(article_id=budget.pk, edit_id=mark.edit.pk, by=owner)

    third.refresh_from_db()
    assert third.kind == Sentence.Kind.SENTENCE
    assert Annotation.objects.get(sentence=third, annotator=annotator).label.key == "claim"


def test_a_heading_can_become_a_sentence_to_label(budget, owner):
    heading = budget.sentences.get(kind=Sentence.Kind.HEADING)
    sentence_kind_set(
        article_id=budget.pk, sentence_id=heading.pk, kind=Sentence.Kind.SENTENCE, by=owner
    )
    heading.refresh_from_db()
    assert heading.kind == Sentence.Kind.SENTENCE


def test_a_corrected_typo_keeps_the_label_and_every_other_sentence(
    budget, corpus, annotator, owner
):
    council = containing(budget, "council approved")
    mayor = containing(budget, "mayor called")
    annotation_set(sentence=council, annotator=annotator, label=label(corpus, "sourced_fact"))
    annotation_set(sentence=mayor, annotator=annotator, label=label(corpus, "claim"))
    new_text = TEXT.replace("The council approved", "The city council approved")

    outcome = article_text_correct(
        article_id=budget.pk, text=new_text, based_on=budget.content_hash, by=owner
    )

    budget.refresh_from_db()
    assert budget.text == new_text
    assert_invariant_1(budget)
    assert outcome.edit.old_text == TEXT
    # The sentence after the change keeps its row, moved by the inserted word.
    mayor_now = Sentence.objects.get(pk=mayor.pk)
    assert mayor_now.start == mayor.start + len("city ")
    assert Annotation.objects.get(sentence=mayor_now).label.key == "claim"
    fixed = containing(budget, "city council approved")
    carried = Annotation.objects.get(sentence=fixed, annotator=annotator)
    assert carried.label.key == "sourced_fact" and not carried.needs_review


def test_a_rewritten_sentence_keeps_its_label_for_review_with_the_old_text(
    budget, corpus, annotator, owner
):
    mayor = containing(budget, "mayor called")
    annotation_set(sentence=mayor, annotator=annotator, label=label(corpus, "claim"))
    new_text = TEXT.replace("The mayor called it a disgrace.", "The mayor praised the plan loudly.")

    article_text_correct(
        article_id=budget.pk, text=new_text, based_on=budget.content_hash, by=owner
    )

    budget.refresh_from_db()
    rewritten = containing(budget, "mayor praised")
    mine = Annotation.objects.get(sentence=rewritten, annotator=annotator)
    assert mine.needs_review and mine.review_reason == ReviewReason.TEXT
    assert mine.review_from[0]["text"] == "The mayor called it a disgrace."


def test_a_deleted_sentence_s_label_goes_to_the_nearest_for_review(
    budget, corpus, annotator, owner
):
    mayor = containing(budget, "mayor called")
    annotation_set(sentence=mayor, annotator=annotator, label=label(corpus, "claim"))
    new_text = TEXT.replace(" The mayor called it a disgrace.", "")

    article_text_correct(
        article_id=budget.pk, text=new_text, based_on=budget.content_hash, by=owner
    )

    budget.refresh_from_db()
    assert_invariant_1(budget)
    placed = Annotation.objects.get(annotator=annotator)
    assert placed.needs_review and placed.label.key == "claim"
    assert placed.review_from[0]["text"] == "The mayor called it a disgrace."


def test_a_hand_made_split_outlives_a_correction_elsewhere(budget, owner):
    last = containing(budget, "Residents")
    split = sentence_split(article_id=budget.pk, sentence_id=last.pk, at=30, by=owner)
    budget.refresh_from_db()
    new_text = budget.text.replace("Budget Day", "Budget Day 2026")
    article_text_correct(
        article_id=budget.pk, text=new_text, based_on=budget.content_hash, by=owner
    )
    assert set(split.created) <= set(budget.sentences.values_list("pk", flat=True))


def test_a_correction_based_on_an_older_text_is_refused(budget, owner):
    with pytest.raises(BoundaryConflict, match="changed since"):
        article_text_correct(article_id=budget.pk, text=TEXT + "More.", based_on="0" * 64, by=owner)


def test_resegmenting_carries_labels_instead_of_refusing(budget, corpus, annotator, monkeypatch):
    council = containing(budget, "council approved")
    annotation_set(sentence=council, annotator=annotator, label=label(corpus, "claim"))
    from articles import segmenter

    real = segmenter.segment
    monkeypatch.setattr(
        segmenter,
        "segment",
        lambda text: (
            [Segment(s.start, s.end, s.paragraph, s.kind) for s in real(text)][:1]
            + _joined_body(real(text))
        ),
    )
    article_resegment(article=budget)
    assert article_segment(article_id=budget.pk, task_id="again") == Outcome.DONE
    budget.refresh_from_db()
    assert budget.status == Article.Status.READY
    assert_invariant_1(budget)
    mine = Annotation.objects.get(annotator=annotator)
    assert mine.label.key == "claim" and mine.needs_review
    assert mine.review_reason == ReviewReason.RESEGMENTED
    assert SegmentationEdit.objects.get(article=budget).kind == "resegment"


def _joined_body(segments: list[Segment]) -> list[Segment]:
    """The body's first paragraph as one segment (a coarser segmenter)."""
    body = [s for s in segments if s.paragraph == 1]
    rest = [s for s in segments if s.paragraph > 1]
    return [Segment(body[0].start, body[-1].end, 1, "sentence"), *rest]


def test_writing_the_same_label_confirms_a_carried_one(budget, corpus, annotator, owner):
    last = containing(budget, "Residents")
    annotation_set(sentence=last, annotator=annotator, label=label(corpus, "claim"))
    split = sentence_split(article_id=budget.pk, sentence_id=last.pk, at=30, by=owner)
    left = Sentence.objects.get(pk=split.created[0])
    carried = Annotation.objects.get(sentence=left)
    result = annotation_set(
        sentence=left, annotator=annotator, label=label(corpus, "claim"), expected_version=1
    )
    assert result.changed
    carried.refresh_from_db()
    assert not carried.needs_review and carried.review_from == [] and carried.version == 2
    assert AnnotationEvent.objects.filter(sentence=left, action="confirm").count() == 1


def test_edits_wait_for_a_ready_article(budget, owner):
    Article.objects.filter(pk=budget.pk).update(status=Article.Status.SEGMENTING)
    last = containing(budget, "Residents")
    with pytest.raises(BoundaryConflict, match="segmenting"):
        sentence_split(article_id=budget.pk, sentence_id=last.pk, at=30, by=owner)
