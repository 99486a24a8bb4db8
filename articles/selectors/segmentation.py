"""Reads about an article's boundaries: its edits, and the counts the labeling screen shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    GoldLabel,
    ReviewReason,
    SegmentationEdit,
    Sentence,
)

# The most edits GET /api/articles/{id}/segmentation/ returns.
EDITS_SHOWN = 200
# The edits an undo can take back (the others are undone by changing boundaries again).
UNDOABLE_KINDS = (
    SegmentationEdit.Kind.SPLIT,
    SegmentationEdit.Kind.MERGE,
    SegmentationEdit.Kind.HEADING,
    SegmentationEdit.Kind.SENTENCE,
)


def segmentation_edits(*, article: Article) -> QuerySet[SegmentationEdit]:
    """The article's latest edits, newest first."""
    return (
        SegmentationEdit.objects.filter(article=article)
        .select_related("by")
        .order_by("-pk")[:EDITS_SHOWN]
    )


def segmentation_edits_by_id(*, ids: list[int]) -> dict[int, SegmentationEdit]:
    """The edits ``ids`` with their authors, by id: one query (none for no ids)."""
    if not ids:
        return {}
    return {e.pk: e for e in SegmentationEdit.objects.filter(pk__in=ids).select_related("by")}


def segmentation_edit_to_undo(*, article: Article) -> SegmentationEdit | None:
    """The newest edit of the article that stands and an undo can take back: the one
    the labeling screen's "Undo last boundary change" and the history's Undo act on."""
    return (
        SegmentationEdit.objects.filter(
            article=article, kind__in=UNDOABLE_KINDS, undone_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )


def article_counts(*, article: Article, user) -> dict:
    """Segments, labelable sentences, and those of them the user labeled."""
    sentences = Sentence.objects.filter(article=article)
    return {
        "sentence_count": sentences.count(),
        "total": sentences.filter(kind=Sentence.Kind.SENTENCE).count(),
        "labeled": Annotation.objects.filter(
            annotator=user, sentence__article=article, sentence__kind=Sentence.Kind.SENTENCE
        ).count(),
    }


# The most labels to check that a page lists after a corrected text (the rest are counted).
CHECKS_SHOWN = 200


@dataclass(frozen=True)
class LabelToCheck:
    """A label a change of boundaries kept but marked "needs review": whose, and on what."""

    who: str  # the annotator's username; "" for a gold label
    label: str  # the label's name
    was_on: list[str]  # the texts of the sentences it was made on
    now_on: str  # the text of the sentence it is on now


def article_label_count(*, article_id: int) -> int:
    """Every label on the article: each annotator's and the gold labels."""
    return (
        Annotation.objects.filter(sentence__article_id=article_id).count()
        + GoldLabel.objects.filter(sentence__article_id=article_id).count()
    )


def latest_text_correction(*, article: Article) -> SegmentationEdit | None:
    """The article's latest corrected text, if its text was ever corrected."""
    return (
        SegmentationEdit.objects.filter(article=article, kind=SegmentationEdit.Kind.TEXT)
        .select_related("by")
        .order_by("-pk")
        .first()
    )


def text_correction_checks(
    *, edit: SegmentationEdit, sentence_ids: list[int] | None = None, limit: int = CHECKS_SHOWN
) -> list[LabelToCheck]:
    """The labels the corrected text ``edit`` carried that still wait for a check, in text order.

    An annotator's label is found through the edit's ``carry`` events; a gold label
    (which has no such event) by its reason, on the sentences ``sentence_ids``
    (default: any sentence of the article).
    """
    carried = AnnotationEvent.objects.filter(
        edit=edit, action=AnnotationEvent.Action.CARRY, sentence__isnull=False
    )
    pairs = set(carried.values_list("sentence_id", "annotator_id"))
    annotations = (
        Annotation.objects.filter(needs_review=True, sentence_id__in=carried.values("sentence_id"))
        .select_related("sentence", "label", "annotator")
        .order_by("sentence__index", "annotator__username")
    )
    out: list[LabelToCheck] = []
    for a in annotations.iterator(chunk_size=500):
        if len(out) >= limit:
            break
        if (a.sentence_id, a.annotator_id) in pairs:
            out.append(
                LabelToCheck(
                    who=a.annotator.username,
                    label=a.label.name,
                    was_on=[entry.get("text", "") for entry in a.review_from],
                    now_on=a.sentence.text,
                )
            )
    golds = GoldLabel.objects.filter(
        needs_review=True, review_reason=ReviewReason.TEXT, sentence__article=edit.article_id
    )
    if sentence_ids is not None:
        golds = golds.filter(sentence_id__in=sentence_ids)
    room = limit - len(out)
    for g in golds.select_related("sentence", "label").order_by("sentence__index")[: max(room, 0)]:
        out.append(
            LabelToCheck(
                who="",
                label=g.label.name,
                was_on=[entry.get("text", "") for entry in g.review_from],
                now_on=g.sentence.text,
            )
        )
    return out
