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
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, GoldLabel, Sentence
from articles.services.annotations import check_labelable, clean_note_and_source
from corpora.models import Corpus, Label
from review.models import AgreementReport, Disagreement
from review.selectors.adjudication import LABEL_COUNTS_SQL, gold_label_choice, ranked_sql


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
    """Record the reviewer's gold label for ``sentence``, replacing any earlier gold."""
    # The same rules as an annotator's label: no heading, no foreign label.
    check_labelable(sentence, label)
    note, source = clean_note_and_source(note, source, label)
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


def gold_label_decide_by_key(
    *,
    sentence: Sentence,
    label_key: str,
    reviewer: User,
    note: str = "",
    source: str = "",
) -> GoldLabel:
    """``gold_label_decide`` with the label named by its key, as API clients name it."""
    label = gold_label_choice(corpus_id=sentence.article.corpus_id, key=label_key)
    if label is None:
        raise ValidationError(
            {"label": f"No label {label_key!r} in this corpus; use one of its label keys."}
        )
    return gold_label_decide(
        sentence=sentence, label=label, reviewer=reviewer, note=note, source=source
    )


def gold_label_withdraw(*, sentence: Sentence) -> bool:
    """Remove a reviewer's decision; the sentence goes back to the queue."""
    deleted, _ = GoldLabel.objects.filter(
        sentence=sentence, origin=GoldLabel.Origin.ADJUDICATED
    ).delete()
    return bool(deleted)


_GOLD = GoldLabel._meta.db_table
_UNANIMOUS_TABLE = "workflow_unanimous"

_CORPUS_SENTENCES = f"""
    SELECT s.id FROM {Sentence._meta.db_table} s
    JOIN {Article._meta.db_table} ar ON ar.id = s.article_id
    WHERE ar.corpus_id = %s
"""


_COUNTS_TABLE = "workflow_label_counts"


@contextmanager
def corpus_label_counts(*, corpus: Corpus) -> Iterator[str]:
    """The corpus's label counts per sentence and label in a temporary table, for a block.

    Counting joins every label of the corpus to its sentence and article (the
    costly part); unanimous gold and the disagreement ranking both start from
    the counts, so one refresh counts once. Yields the table's name.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_COUNTS_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_COUNTS_TABLE} AS {LABEL_COUNTS_SQL}", [corpus.pk])
        cursor.execute(f"ANALYZE {_COUNTS_TABLE}")
    try:
        yield _COUNTS_TABLE
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_COUNTS_TABLE}")


def corpus_unanimous_gold_apply(*, corpus: Corpus, counts: str | None = None) -> dict[str, int]:
    """Bring unanimous gold in line with the labels; adjudicated gold is never touched.

    Set-based, so turning the setting on for 100,000 sentences costs a few
    statements, not a row per sentence: the unanimous sentences go to a
    temporary table once; one DELETE takes back withdrawn gold, one UPDATE per
    changed label (rare: every annotator changed) and one INSERT ... SELECT
    adds the new. ``counts`` is a table from ``corpus_label_counts`` (made here
    if not given). Returns how many gold labels were created, changed and removed.
    """
    if corpus.auto_gold_unanimous and counts is None:
        with corpus_label_counts(corpus=corpus) as table:
            return corpus_unanimous_gold_apply(corpus=corpus, counts=table)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        if not corpus.auto_gold_unanimous:
            cursor.execute(
                f"DELETE FROM {_GOLD} WHERE origin = 'unanimous' "
                f"AND sentence_id IN ({_CORPUS_SENTENCES})",
                [corpus.pk],
            )
            return {"created": 0, "changed": 0, "removed": max(cursor.rowcount, 0)}
        cursor.execute(f"DROP TABLE IF EXISTS {_UNANIMOUS_TABLE}")
        # Every annotator (at least the quorum) gave the same label.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_UNANIMOUS_TABLE} AS "
            f"SELECT sentence_id, MIN(label_id) AS label_id FROM {counts} "
            "GROUP BY sentence_id HAVING COUNT(*) = 1 AND SUM(n) >= %s",
            [unanimous_quorum(corpus)],
        )
        try:
            cursor.execute(
                f"CREATE INDEX {_UNANIMOUS_TABLE}_sentence ON {_UNANIMOUS_TABLE} (sentence_id)"
            )
            cursor.execute(f"ANALYZE {_UNANIMOUS_TABLE}")
            cursor.execute(
                f"DELETE FROM {_GOLD} WHERE origin = 'unanimous' "
                f"AND sentence_id IN ({_CORPUS_SENTENCES}) "
                f"AND sentence_id NOT IN (SELECT sentence_id FROM {_UNANIMOUS_TABLE})",
                [corpus.pk],
            )
            removed = max(cursor.rowcount, 0)
            cursor.execute(
                f"SELECT g.sentence_id, u.label_id FROM {_GOLD} g "
                f"JOIN {_UNANIMOUS_TABLE} u ON u.sentence_id = g.sentence_id "
                "WHERE g.origin = 'unanimous' AND g.label_id <> u.label_id"
            )
            change: dict[int, list[int]] = {}
            for sentence_id, label_id in cursor.fetchall():
                change.setdefault(label_id, []).append(sentence_id)
            for label_id, sentence_ids in change.items():
                for batch in _batches(sentence_ids):
                    GoldLabel.objects.filter(
                        sentence_id__in=batch, origin=GoldLabel.Origin.UNANIMOUS
                    ).update(label_id=label_id, updated_at=now)
            # ON CONFLICT DO NOTHING: a reviewer deciding meanwhile keeps their decision.
            cursor.execute(
                f"INSERT INTO {_GOLD} "
                "(sentence_id, label_id, origin, note, source, created_at, updated_at) "
                "SELECT u.sentence_id, u.label_id, 'unanimous', '', '', %s, %s "
                f"FROM {_UNANIMOUS_TABLE} u "
                f"LEFT JOIN {_GOLD} g ON g.sentence_id = u.sentence_id "
                "WHERE g.id IS NULL "
                "ON CONFLICT (sentence_id) DO NOTHING",
                [stamp, stamp],
            )
            created = max(cursor.rowcount, 0)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_UNANIMOUS_TABLE}")
    return {
        "created": created,
        "changed": sum(len(v) for v in change.values()),
        "removed": removed,
    }


_DISAGREEMENT = Disagreement._meta.db_table
_RANKED_TABLE = "workflow_ranked"


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
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_RANKED_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_RANKED_TABLE} AS {ranked_sql(counts)}")
        try:
            cursor.execute(
                f"CREATE INDEX {_RANKED_TABLE}_sentence ON {_RANKED_TABLE} (sentence_id)"
            )
            cursor.execute(f"ANALYZE {_RANKED_TABLE}")
            cursor.execute(
                f"DELETE FROM {_DISAGREEMENT} WHERE corpus_id = %s AND NOT EXISTS ("
                f"SELECT 1 FROM {_RANKED_TABLE} r WHERE r.sentence_id = {_DISAGREEMENT}.sentence_id"
                f" AND r.total = {_DISAGREEMENT}.total"
                f" AND r.distinct_labels = {_DISAGREEMENT}.distinct_labels"
                f" AND r.entropy = {_DISAGREEMENT}.entropy)",
                [corpus.pk],
            )
            removed = max(cursor.rowcount, 0)
            cursor.execute(
                f"INSERT INTO {_DISAGREEMENT} "
                "(sentence_id, corpus_id, total, distinct_labels, entropy) "
                "SELECT r.sentence_id, %s, r.total, r.distinct_labels, r.entropy "
                f"FROM {_RANKED_TABLE} r LEFT JOIN {_DISAGREEMENT} d "
                "ON d.sentence_id = r.sentence_id WHERE d.sentence_id IS NULL",
                [corpus.pk],
            )
            added = max(cursor.rowcount, 0)
            cursor.execute(f"SELECT COUNT(*) FROM {_RANKED_TABLE}")
            count = int(cursor.fetchone()[0])
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {_RANKED_TABLE}")
        # In the same transaction: the queue reads the stored ranking from now on.
        # Only this column: a concurrent refresh may be storing the figures.
        AgreementReport.objects.get_or_create(corpus=corpus)
        AgreementReport.objects.filter(corpus=corpus).update(
            disagreements_at=timezone.now(), disagreements=count
        )
    return {"removed": removed, "added": added, "disagreements": count}
