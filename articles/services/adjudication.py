"""Settling sentences into gold labels: by a reviewer's decision, or unanimously.

A reviewer's decision (origin "adjudicated") always wins: the automatic pass
never creates, changes or removes it. Unanimous gold is derived from the
labels, so the automatic pass also takes it back when the annotators stop
agreeing (a label changed) or when the owner turns the setting off.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min

from articles.models import Annotation, Article, Corpus, GoldLabel, Label, Sentence
from articles.services.annotations import MAX_NOTE_CHARS, MAX_SOURCE_CHARS


def _batches(ids: list[int], size: int = 900):
    # Small enough for SQLite's bound-parameter limit.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def unanimous_quorum(corpus: Corpus) -> int:
    """How many agreeing annotators make a sentence unanimous: the overlap, and at least two."""
    return max(2, corpus.overlap)


def gold_label_decide(
    *,
    sentence: Sentence,
    label: Label,
    reviewer: AbstractBaseUser,
    note: str = "",
    source: str = "",
) -> GoldLabel:
    """Record the reviewer's gold label for ``sentence``, replacing any earlier gold."""
    corpus_id = sentence.article.corpus_id
    if label.corpus_id != corpus_id:
        raise ValidationError({"label": f"The label {label.key!r} belongs to another corpus."})
    if sentence.kind != Sentence.Kind.SENTENCE:
        raise ValidationError({"sentence": "Headings and bylines take no label, gold or other."})
    note, source = note.strip(), source.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError({"note": f"Keep the note under {MAX_NOTE_CHARS:,} characters."})
    if len(source) > MAX_SOURCE_CHARS:
        raise ValidationError({"source": f"Keep the source under {MAX_SOURCE_CHARS:,} characters."})
    if source and not label.takes_source:
        raise ValidationError(
            {"source": f"The label {label.name!r} takes no source; remove it or pick another."}
        )
    with transaction.atomic():
        gold, _ = GoldLabel.objects.select_for_update().update_or_create(
            sentence=sentence,
            defaults={
                "label": label,
                "origin": GoldLabel.Origin.ADJUDICATED,
                "decided_by": reviewer,
                "note": note,
                "source": source,
            },
        )
    return gold


def gold_label_withdraw(*, sentence: Sentence) -> bool:
    """Remove a reviewer's decision; the sentence goes back to the queue."""
    deleted, _ = GoldLabel.objects.filter(
        sentence=sentence, origin=GoldLabel.Origin.ADJUDICATED
    ).delete()
    return bool(deleted)


def corpus_auto_gold_set(*, corpus: Corpus, enabled: bool) -> Corpus:
    """Turn unanimous gold on or off; the background refresh applies the change."""
    from articles.services.workflow import corpus_workflow_refresh_request

    if corpus.auto_gold_unanimous != enabled:
        corpus.auto_gold_unanimous = enabled
        corpus.save(update_fields=["auto_gold_unanimous", "updated_at"])
        corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    return corpus


def corpus_unanimous_gold_apply(*, corpus: Corpus) -> dict[str, int]:
    """Bring unanimous gold in line with the labels; adjudicated gold is never touched.

    Returns how many gold labels were created, changed and removed.
    """
    current: dict[int, int] = {}
    if corpus.auto_gold_unanimous:
        current = dict(
            Annotation.objects.filter(
                sentence__article__corpus=corpus,
                sentence__article__status=Article.Status.READY,
                sentence__kind=Sentence.Kind.SENTENCE,
            )
            .values("sentence_id")
            .annotate(n=Count("id"), k=Count("label_id", distinct=True), label=Min("label_id"))
            .filter(n__gte=unanimous_quorum(corpus), k=1)
            .values_list("sentence_id", "label")
        )
    existing = GoldLabel.objects.filter(sentence__article__corpus=corpus)
    decided = set(
        existing.filter(origin=GoldLabel.Origin.ADJUDICATED).values_list("sentence_id", flat=True)
    )
    derived = dict(
        existing.filter(origin=GoldLabel.Origin.UNANIMOUS).values_list("sentence_id", "label_id")
    )
    create = [s for s in current if s not in derived and s not in decided]
    remove = [s for s in derived if s not in current]
    change: dict[int, list[int]] = {}
    for sentence_id, label_id in current.items():
        if sentence_id in derived and derived[sentence_id] != label_id:
            change.setdefault(label_id, []).append(sentence_id)

    with transaction.atomic():
        # ignore_conflicts: a reviewer deciding meanwhile keeps their decision.
        GoldLabel.objects.bulk_create(
            [
                GoldLabel(sentence_id=s, label_id=current[s], origin=GoldLabel.Origin.UNANIMOUS)
                for s in create
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        for label_id, sentence_ids in change.items():
            for batch in _batches(sentence_ids):
                GoldLabel.objects.filter(
                    sentence_id__in=batch, origin=GoldLabel.Origin.UNANIMOUS
                ).update(label_id=label_id)
        for batch in _batches(remove):
            GoldLabel.objects.filter(
                sentence_id__in=batch, origin=GoldLabel.Origin.UNANIMOUS
            ).delete()
    return {
        "created": len(create),
        "changed": sum(len(v) for v in change.values()),
        "removed": len(remove),
    }
