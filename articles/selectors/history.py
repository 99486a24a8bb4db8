"""The history of label changes, as a member may read it: everyone's, or only their own."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from articles.models import AnnotationEvent, Sentence
from corpora.models import Corpus
from corpora.permissions import Right, has_right


def sentence_history(*, sentence: Sentence, user, role: str) -> QuerySet[AnnotationEvent]:
    """Every change to the labels on ``sentence``, oldest first; annotators see their own only."""
    events = AnnotationEvent.objects.filter(sentence=sentence).select_related(
        "changed_by", "annotator"
    )
    if not has_right(role, Right.SEE_ALL_LABELS):
        events = events.filter(annotator=user)
    return events.order_by("at", "pk")


def corpus_history(
    *,
    corpus: Corpus,
    user,
    role: str,
    since: dt.datetime | None = None,
    annotator_username: str | None = None,
) -> QuerySet[AnnotationEvent]:
    """Every label change in ``corpus`` (annotators: their own), unordered: the caller pages it."""
    # By article, not sentence: events outlive the sentences boundary changes remove.
    events = AnnotationEvent.objects.filter(article__corpus=corpus).select_related(
        "changed_by", "annotator"
    )
    if not has_right(role, Right.SEE_ALL_LABELS):
        events = events.filter(annotator=user)
    if since:
        events = events.filter(at__gte=since)
    if annotator_username:
        events = events.filter(annotator__username=annotator_username)
    return events
