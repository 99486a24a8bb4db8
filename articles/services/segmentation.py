"""Splitting an article into sentences, safely under retries and redelivery.

The work is claimed with a conditional UPDATE (pending -> segmenting) so a
duplicate delivery does nothing, and all sentences are written in one
transaction, so an article has exactly one set of sentences whatever happens
to the worker (docs/architecture.md, invariants 1 and 2: exact offsets;
idempotent, atomic segmentation). Re-segmenting keeps every sentence whose
span is unchanged, with its labels; it refuses when a labeled span would go
(invariant 3: no label is lost).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from annotator.queue import attempts_exhausted_reason
from articles import segmenter
from articles.exceptions import ResegmentationRefused
from articles.models import Annotation, Article, GoldLabel, Sentence

# Added to every kept sentence's index while indexes are renumbered, so the
# (article, index) unique constraint holds at every statement.
_INDEX_SHIFT = 1_000_000_000


class Outcome(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    REFUSED = "refused"
    FAILED = "failed"


def article_claim(*, article_id: int, task_id: str) -> bool:
    """Claim a pending article for ``task_id``; True if this caller holds it.

    The same task delivered again (its worker died, or it is retrying) takes
    back its own claim; any other delivery finds nothing to do. Each start is
    counted: a task that has already started ``TASK_MAX_ATTEMPTS`` times
    without finishing (a poison message that kills its worker) is not started
    again; the article ends failed, with the reason.
    """
    limit = settings.TASK_MAX_ATTEMPTS
    now = timezone.now()
    claimed = (
        Article.objects.filter(pk=article_id)
        .filter(
            Q(status=Article.Status.PENDING)
            | Q(
                status=Article.Status.SEGMENTING,
                segmentation_task_id=task_id,
                attempts__lt=limit,
            )
        )
        .update(
            status=Article.Status.SEGMENTING,
            segmentation_task_id=task_id,
            status_changed_at=now,
            failure_reason="",
            attempts=F("attempts") + 1,
        )
    )
    if claimed:
        return True
    Article.objects.filter(
        pk=article_id,
        status=Article.Status.SEGMENTING,
        segmentation_task_id=task_id,
        attempts__gte=limit,
    ).update(
        status=Article.Status.FAILED,
        failure_reason=attempts_exhausted_reason("segmenting this article", limit),
        segmentation_task_id="",
        status_changed_at=now,
    )
    return False


def validate_segments(text: str, segments: Sequence[segmenter.Segment]) -> None:
    """Check exact offsets (docs/architecture.md, invariant 1) before anything is written."""
    position = 0
    for seg in segments:
        if not (position <= seg.start < seg.end <= len(text)):
            raise ValueError(f"segment {seg.start}-{seg.end} is out of order or out of range")
        if text[position : seg.start].strip():
            raise ValueError(f"text at {position}-{seg.start} belongs to no sentence")
        piece = text[seg.start : seg.end]
        if piece != piece.strip():
            raise ValueError(f"segment {seg.start}-{seg.end} has surrounding white space")
        position = seg.end
    if text[position:].strip():
        raise ValueError(f"text after offset {position} belongs to no sentence")


def labeled_sentence_ids(article: Article) -> set[int]:
    """Sentences of the article that carry anything a person entered."""
    labeled = set(
        Annotation.objects.filter(sentence__article=article).values_list("sentence_id", flat=True)
    )
    labeled.update(
        GoldLabel.objects.filter(sentence__article=article).values_list("sentence_id", flat=True)
    )
    return labeled


def sentences_replace(*, article: Article, segments: Sequence[segmenter.Segment]) -> None:
    """Make the article's sentences exactly ``segments``; call inside a transaction.

    A sentence whose (start, end) span survives keeps its row, and so its
    labels; the others are deleted or created. Raises ResegmentationRefused,
    changing nothing, when a labeled sentence's span would disappear.
    """
    text = article.text
    old = {(s.start, s.end): s for s in article.sentences.all()}
    new_spans = {(seg.start, seg.end) for seg in segments}
    gone = [s for span, s in old.items() if span not in new_spans]
    labeled = labeled_sentence_ids(article)
    lost = sorted((s for s in gone if s.pk in labeled), key=lambda s: s.index)
    if lost:
        names = "; ".join(f"#{s.index + 1} “{s.text[:80]}”" for s in lost[:10])
        more = f" and {len(lost) - 10} more" if len(lost) > 10 else ""
        raise ResegmentationRefused(
            f"Re-segmenting would change the boundaries of {len(lost)} labeled "
            f"sentence(s): {names}{more}. Their labels were kept and nothing was changed; "
            "clear or move those labels first.",
            sentences=[s.pk for s in lost],
        )
    if gone:
        Sentence.objects.filter(pk__in=[s.pk for s in gone]).delete()
    kept: list[Sentence] = []
    created: list[Sentence] = []
    if len(gone) < len(old):
        Sentence.objects.filter(article=article).update(index=F("index") + _INDEX_SHIFT)
    for index, seg in enumerate(segments):
        row = old.get((seg.start, seg.end))
        if row is None:
            created.append(
                Sentence(
                    article=article,
                    index=index,
                    start=seg.start,
                    end=seg.end,
                    paragraph=seg.paragraph,
                    kind=seg.kind,
                    text=text[seg.start : seg.end],
                )
            )
        else:
            row.index, row.paragraph, row.kind = index, seg.paragraph, seg.kind
            kept.append(row)
    if kept:
        Sentence.objects.bulk_update(kept, ["index", "paragraph", "kind"], batch_size=500)
    Sentence.objects.bulk_create(created, batch_size=1000)


def article_segment(*, article_id: int, task_id: str) -> Outcome:
    """Segment one article for the task ``task_id``: the whole job of the task."""
    if not article_claim(article_id=article_id, task_id=task_id):
        return Outcome.SKIPPED
    text = Article.objects.filter(pk=article_id).values_list("text", flat=True).first()
    if text is None:
        return Outcome.SKIPPED
    segments = segmenter.segment(text)
    if not segments:
        article_mark_failed(
            article_id=article_id, task_id=task_id, reason="The article has no text to segment."
        )
        return Outcome.FAILED
    validate_segments(text, segments)
    try:
        with transaction.atomic():
            article = (
                Article.objects.select_for_update()
                .filter(
                    pk=article_id,
                    status=Article.Status.SEGMENTING,
                    segmentation_task_id=task_id,
                )
                .first()
            )
            if article is None:  # Re-queued by someone else meanwhile.
                return Outcome.SKIPPED
            sentences_replace(article=article, segments=segments)
            article.status = Article.Status.READY
            article.segmenter_version = segmenter.SEGMENTER_VERSION
            article.status_changed_at = timezone.now()
            article.segmentation_task_id = ""
            article.failure_reason = ""
            article.save(
                update_fields=[
                    "status",
                    "segmenter_version",
                    "status_changed_at",
                    "segmentation_task_id",
                    "failure_reason",
                    "updated_at",
                ]
            )
    except ResegmentationRefused as refusal:
        article_mark_failed(article_id=article_id, task_id=task_id, reason=str(refusal))
        return Outcome.REFUSED
    return Outcome.DONE


def article_mark_failed(*, article_id: int, task_id: str, reason: str) -> bool:
    """Record why segmentation failed; only the task holding the claim may."""
    return bool(
        Article.objects.filter(
            pk=article_id, status=Article.Status.SEGMENTING, segmentation_task_id=task_id
        ).update(
            status=Article.Status.FAILED,
            failure_reason=reason[:5000],
            segmentation_task_id="",
            status_changed_at=timezone.now(),
        )
    )
