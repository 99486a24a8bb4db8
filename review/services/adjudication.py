"""Settling sentences into gold labels: by a reviewer's decision, or unanimously.

A reviewer's decision (origin "adjudicated") always wins: the automatic pass
never creates, changes or removes it. Unanimous gold is derived from the
labels, so the automatic pass also takes it back when the annotators stop
agreeing (a label changed) or when the owner turns the setting off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import GoldEvent, GoldLabel, Sentence
from articles.services.annotations import check_labelable, clean_note_and_source
from corpora.models import Corpus, Label
from corpora.selectors import label_by_key
from review import sql
from review.models import AgreementReport


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
    reviewer: User,
    note: str = "",
    source: str = "",
) -> GoldLabel:
    """Record the reviewer's gold label for ``sentence``, replacing any earlier gold,
    and the decision in the gold history (``GoldEvent``), in one transaction."""
    # The same rules as an annotator's label: no heading, no foreign label.
    check_labelable(sentence, label)
    note, source = clean_note_and_source(note, source, label)
    with transaction.atomic():
        before = (
            GoldLabel.objects.select_for_update()
            .select_related("label")
            .filter(sentence=sentence)
            .first()
        )
        gold, _ = GoldLabel.objects.update_or_create(
            sentence=sentence,
            defaults={
                "label": label,
                "origin": GoldLabel.Origin.ADJUDICATED,
                "decided_by": reviewer,
                "note": note,
                "source": source,
                # A reviewer's decision settles a gold label a boundary change carried.
                "needs_review": False,
                "review_reason": "",
                "review_from": [],
            },
        )
        _gold_event(
            sentence=sentence,
            reviewer=reviewer,
            action=GoldEvent.Action.DECIDE,
            before=before,
            after=gold,
            label_key=label.key,
        )
    return gold


def _gold_event(
    *,
    sentence: Sentence,
    reviewer: User,
    action: str,
    before: GoldLabel | None,
    after: GoldLabel | None,
    label_key: str = "",
) -> GoldEvent:
    """One row of the gold history, with the sentence's place and text kept in it."""
    return GoldEvent.objects.create(
        sentence=sentence,
        article_id=sentence.article_id,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        sentence_text=sentence.text,
        decided_by=reviewer,
        action=action,
        old_label=before.label.key if before else "",
        old_origin=before.origin if before else "",
        old_note=before.note if before else "",
        old_source=before.source if before else "",
        new_label=label_key if after else "",
        new_note=after.note if after else "",
        new_source=after.source if after else "",
    )


def gold_label_decide_by_key(
    *,
    sentence: Sentence,
    label_key: str,
    reviewer: User,
    note: str = "",
    source: str = "",
) -> GoldLabel:
    """``gold_label_decide`` with the label named by its key, as API clients name it."""
    label = label_by_key(corpus_id=sentence.article.corpus_id, key=label_key)
    if label is None:
        raise ValidationError(
            {"label": f"No label {label_key!r} in this corpus; use one of its label keys."}
        )
    return gold_label_decide(
        sentence=sentence, label=label, reviewer=reviewer, note=note, source=source
    )


def gold_label_withdraw(*, sentence: Sentence, reviewer: User) -> bool:
    """Remove a reviewer's decision (``reviewer`` withdraws it); the sentence goes back
    to the queue. The withdrawal is written to the gold history."""
    with transaction.atomic():
        before = (
            GoldLabel.objects.select_for_update()
            .select_related("label")
            .filter(sentence=sentence, origin=GoldLabel.Origin.ADJUDICATED)
            .first()
        )
        if before is None:
            return False
        before.delete()
        _gold_event(
            sentence=sentence,
            reviewer=reviewer,
            action=GoldEvent.Action.WITHDRAW,
            before=before,
            after=None,
        )
    return True


@contextmanager
def corpus_label_counts(*, corpus: Corpus) -> Iterator[str]:
    """The corpus's label counts per sentence and label in a temporary table, for a block.

    Counting joins every label of the corpus to its sentence and article (the
    costly part); unanimous gold and the disagreement ranking both start from
    the counts, so one refresh counts once. Yields the table's name.
    """
    with sql.label_counts_table(corpus_id=corpus.pk) as table:
        yield table


def corpus_unanimous_gold_apply(*, corpus: Corpus, counts: str | None = None) -> dict[str, int]:
    """Bring unanimous gold in line with the labels; adjudicated gold is never touched.

    Set-based, so turning the setting on for 100,000 sentences costs a few
    statements, not a row per sentence: the unanimous sentences go to a
    temporary table once; one DELETE takes back withdrawn gold, one UPDATE per
    changed label (rare: every annotator changed) and one INSERT ... SELECT
    adds the new. ``counts`` is a table from ``corpus_label_counts`` (made here
    if not given). Returns how many gold labels were created, changed and removed.
    """
    if not corpus.auto_gold_unanimous:
        # One statement: atomic by itself.
        removed = sql.unanimous_gold_delete_all(corpus_id=corpus.pk)
        return {"created": 0, "changed": 0, "removed": removed}
    if counts is None:
        with corpus_label_counts(corpus=corpus) as table:
            return corpus_unanimous_gold_apply(corpus=corpus, counts=table)
    now = timezone.now()
    # The table is made before the transaction: on SQLite a write transaction holds
    # the whole database, and people's label writes wait for it.
    with (
        sql.unanimous_table(counts=counts, quorum=unanimous_quorum(corpus)),
        transaction.atomic(),
    ):
        removed = sql.unanimous_gold_delete_withdrawn(corpus_id=corpus.pk)
        change: dict[int, list[int]] = {}
        for row in sql.unanimous_gold_relabel_rows():
            change.setdefault(row.label_id, []).append(row.sentence_id)
        for label_id, sentence_ids in change.items():
            for batch in _batches(sentence_ids):
                GoldLabel.objects.filter(
                    sentence_id__in=batch, origin=GoldLabel.Origin.UNANIMOUS
                ).update(label_id=label_id, updated_at=now)
        created = sql.unanimous_gold_insert_new(at=now)
    return {
        "created": created,
        "changed": sum(len(v) for v in change.values()),
        "removed": removed,
    }


def corpus_disagreements_store(*, corpus: Corpus, counts: str | None = None) -> dict[str, int]:
    """Store the ranking of the corpus's disagreements for the adjudication queue.

    Ranks every sentence once into a temporary table, then touches only what
    changed: one DELETE for rows that are gone or ranked differently, one
    INSERT ... SELECT for new or re-ranked ones, so a refresh in which few
    labels changed rewrites few rows. Returns how many rows were removed and
    added, and how many disagreements there are. ``counts`` is a table from
    ``corpus_label_counts`` (made here if not given).
    """
    if counts is None:
        with corpus_label_counts(corpus=corpus) as table:
            return corpus_disagreements_store(corpus=corpus, counts=table)
    AgreementReport.objects.get_or_create(corpus=corpus)
    # The ranking is made before the transaction (as the unanimous gold's table):
    # only the writes hold SQLite's single writer.
    with sql.ranked_table(counts=counts):
        count = sql.ranked_count()
        with transaction.atomic():
            removed = sql.disagreements_delete_stale(corpus_id=corpus.pk)
            added = sql.disagreements_insert_new(corpus_id=corpus.pk)
            # In the same transaction: the queue reads the stored ranking from now on.
            # Only this column: a concurrent refresh may be storing the figures.
            AgreementReport.objects.filter(corpus=corpus).update(
                disagreements_at=timezone.now(), disagreements=count
            )
    return {"removed": removed, "added": added, "disagreements": count}
