"""A new segmentation keeps the boundaries analysts set by hand (issue #12).

Splits, merges and heading or sentence marks made in the labeling screen are
applied again on top of the new segmenter's segments wherever the text at the
edit is the same; an edit that no longer fits is named in the new
segmentation's history entry with the reason, never dropped silently. Labels
stay on the sentences the hand edits keep, and no history event goes.
"""

from __future__ import annotations

import pytest

from articles import segmenter
from articles.models import Annotation, AnnotationEvent, Article, SegmentationEdit, Sentence
from articles.segmenter import Segment
from articles.services.annotations import annotation_set
from articles.services.articles import article_resegment
from articles.services.boundaries import (
    article_text_correct,
    sentence_kind_set,
    sentence_split,
    sentences_merge,
)
from articles.services.segmentation import Outcome, article_segment

from .test_boundaries import TEXT, containing, label
from .test_segmentation_service import assert_invariant_1


@pytest.fixture
def budget(corpus, make_article) -> Article:
    return make_article(corpus, TEXT, title="Budget Day")


REAL_SEGMENT = segmenter.segment


def coarser(text: str) -> list[Segment]:
    """A new segmenter that makes the body's first paragraph one sentence."""
    segments = REAL_SEGMENT(text)
    body = [s for s in segments if s.paragraph == 1]
    return [
        *(s for s in segments if s.paragraph < 1),
        Segment(body[0].start, body[-1].end, 1, "sentence"),
        *(s for s in segments if s.paragraph > 1),
    ]


def finer(text: str) -> list[Segment]:
    """A new segmenter that also ends a sentence at a comma before "and"."""
    out = []
    for s in REAL_SEGMENT(text):
        cut = text.find(", and ", s.start, s.end)
        if cut < 0:
            out.append(s)
        else:
            out += [s._replace(end=cut + 1), s._replace(start=cut + 2)]
    return out


def resegment(article: Article, monkeypatch, segment) -> SegmentationEdit:
    """Segment ``article`` again under segmenter "9.9", whose rules are ``segment``."""
    monkeypatch.setattr(segmenter, "segment", segment)
    monkeypatch.setattr(segmenter, "SEGMENTER_VERSION", "9.9")
    assert article_resegment(article=article)
    assert article_segment(article_id=article.pk, task_id="segmenter-9.9") == Outcome.DONE
    article.refresh_from_db()
    assert article.status == Article.Status.READY and article.segmenter_version == "9.9"
    assert_invariant_1(article)
    return SegmentationEdit.objects.filter(article=article, kind="resegment").latest("id")


def test_a_new_segmenter_keeps_a_hand_made_split_and_sentence_mark(
    budget, corpus, annotator, owner, monkeypatch
):
    residents = containing(budget, "Residents were not consulted")
    at = residents.text.index(" and the city") + 1
    split = sentence_split(article_id=budget.pk, sentence_id=residents.pk, at=at, by=owner)
    left, right = (Sentence.objects.get(pk=pk) for pk in split.created)
    title = containing(budget, "Budget Day")
    assert title.kind == Sentence.Kind.HEADING
    sentence_kind_set(article_id=budget.pk, sentence_id=title.pk, kind="sentence", by=owner)
    council = containing(budget, "council approved")
    for sentence, key in ((left, "claim"), (right, "sourced_fact"), (title, "claim")):
        sentence.refresh_from_db()
        annotation_set(sentence=sentence, annotator=annotator, label=label(corpus, key))
    annotation_set(sentence=council, annotator=annotator, label=label(corpus, "speculation"))
    events_before = set(AnnotationEvent.objects.values_list("pk", flat=True))

    edit = resegment(budget, monkeypatch, coarser)

    # The hand edits hold: the same rows, their labels untouched.
    mine = {a.sentence_id: a for a in Annotation.objects.filter(annotator=annotator)}
    for sentence, key in ((left, "claim"), (right, "sourced_fact"), (title, "claim")):
        row = Sentence.objects.get(pk=sentence.pk)
        assert (row.start, row.end, row.text) == (sentence.start, sentence.end, sentence.text)
        assert row.kind == Sentence.Kind.SENTENCE
        assert mine[row.pk].label.key == key and not mine[row.pk].needs_review
    # The new segmenter's own change applies elsewhere, its label carried for review.
    joined = containing(budget, "council approved")
    assert joined.text.endswith("The mayor called it a disgrace.")
    assert mine[joined.pk].label.key == "speculation" and mine[joined.pk].needs_review
    assert sorted(entry["kind"] for entry in edit.hand_edits["kept"]) == ["sentence", "split"]
    assert edit.hand_edits["not_kept"] == [] and edit.segmenter_version == "9.9"
    # History only grows.
    after = set(AnnotationEvent.objects.values_list("pk", flat=True))
    assert events_before < after


def test_a_new_segmentation_keeps_a_hand_made_merge(budget, corpus, annotator, owner, monkeypatch):
    council = containing(budget, "council approved")
    spring = containing(budget, "revised before spring")
    merged = sentences_merge(
        article_id=budget.pk, sentence_id=council.pk, next_id=spring.pk, by=owner
    )
    row = Sentence.objects.get(pk=merged.created[0])
    annotation_set(sentence=row, annotator=annotator, label=label(corpus, "claim"))
    events_before = AnnotationEvent.objects.count()

    edit = resegment(budget, monkeypatch, finer)  # its rules would split the merge again

    again = Sentence.objects.get(pk=row.pk)
    assert again.text == council.text + " " + spring.text
    mine = Annotation.objects.get(annotator=annotator, sentence=again)
    assert mine.label.key == "claim" and not mine.needs_review
    assert [entry["kind"] for entry in edit.hand_edits["kept"]] == ["merge"]
    assert containing(budget, "Residents").text == "Residents were not consulted,"
    assert AnnotationEvent.objects.count() >= events_before


def test_a_hand_edit_whose_text_changed_is_named_in_the_history(
    budget, corpus, annotator, owner, monkeypatch
):
    residents = containing(budget, "Residents were not consulted")
    at = residents.text.index(" and the city") + 1
    split = sentence_split(article_id=budget.pk, sentence_id=residents.pk, at=at, by=owner)
    left = Sentence.objects.get(pk=split.created[0])
    annotation_set(sentence=left, annotator=annotator, label=label(corpus, "claim"))
    budget.refresh_from_db()
    corrected = budget.text.replace("Residents were not consulted", "Residents were never asked")
    article_text_correct(
        article_id=budget.pk, text=corrected, based_on=budget.content_hash, by=owner
    )
    events_before = set(AnnotationEvent.objects.values_list("pk", flat=True))

    edit = resegment(budget, monkeypatch, REAL_SEGMENT)

    # The split's left part no longer reads as it did: the segmenter's boundaries
    # stand, the history says which edit was not applied and why, and the label
    # is carried to the whole sentence for review.
    whole = containing(budget, "Residents were never asked")
    assert whole.text.endswith("in 2024.")
    [dropped] = edit.hand_edits["not_kept"]
    assert dropped["kind"] == "split" and dropped["by"] == owner.username
    assert "changed" in dropped["reason"]
    assert dropped["segments"][0]["text"] == "Residents were not consulted,"
    mine = Annotation.objects.get(annotator=annotator, sentence=whole)
    assert mine.label.key == "claim" and mine.needs_review
    assert events_before < set(AnnotationEvent.objects.values_list("pk", flat=True))


def test_a_mark_whose_segment_the_new_segmenter_joins_is_named_in_the_history(
    budget, owner, monkeypatch
):
    mayor = containing(budget, "The mayor called it a disgrace.")
    sentence_kind_set(article_id=budget.pk, sentence_id=mayor.pk, kind="heading", by=owner)

    edit = resegment(budget, monkeypatch, coarser)

    joined = containing(budget, "The mayor called it a disgrace.")
    assert joined.kind == Sentence.Kind.SENTENCE and joined.text.startswith("The council")
    [dropped] = edit.hand_edits["not_kept"]
    assert dropped["kind"] == "heading" and "bounds" in dropped["reason"]
    assert dropped["segments"] == [
        {"start": mayor.start, "end": mayor.end, "kind": "heading", "text": mayor.text}
    ]
    assert edit.hand_edits["kept"] == []
