"""Reads about an article's boundaries: its edits, and the counts the labeling screen shows."""

from __future__ import annotations

from django.db.models import QuerySet

from articles.models import Annotation, Article, SegmentationEdit, Sentence

# The most edits GET /api/articles/{id}/segmentation/ returns.
EDITS_SHOWN = 200


def segmentation_edits(*, article: Article) -> QuerySet[SegmentationEdit]:
    """The article's latest edits, newest first."""
    return (
        SegmentationEdit.objects.filter(article=article)
        .select_related("by")
        .order_by("-pk")[:EDITS_SHOWN]
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
