"""The articles app's hand-written SQL: the statements of the label write.

Every label write runs these, and each was measured cheaper in Python than
the ORM query it replaces (bench/api_label_profile.py; see bench/README.md):
the ORM built the access-and-label join, the locked read, the history
version and the history INSERT in three to five times the Python time. Rows
are read by column name (``annotator.rows``); parameters are passed by name.
Everything else in the app uses the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection, transaction

from annotator.prepared import prepared_cursor
from annotator.rows import fetch_one
from articles.models import Annotation, AnnotationEvent, Article, ArticleLabelCount, Sentence
from corpora.models import Corpus, Label, Membership


class LabelingRow(NamedTuple):
    """A sentence with what a label write needs of its article and corpus, the caller's role
    there, and the corpus's label with the key asked for (label_* None if it has none)."""

    sentence_id: int
    article_id: int
    index: int
    start: int
    end: int
    paragraph: int
    kind: str
    text: str
    corpus_id: int
    article_status: str
    guidelines_version: int
    role: str
    label_id: int | None
    label_name: str | None
    label_takes_source: bool | None
    label_archived: bool | None


# Access is through the caller's membership: an outsider's lookup finds no row.
_LABELING = f"""
SELECT s.id AS sentence_id, s.article_id, s."index", s."start", s."end", s.paragraph, s.kind,
       s.text, a.corpus_id, a.status AS article_status, c.guidelines_version, m.role,
       l.id AS label_id, l.name AS label_name, l.takes_source AS label_takes_source,
       l.archived AS label_archived
FROM {Sentence._meta.db_table} s
JOIN {Article._meta.db_table} a ON a.id = s.article_id
JOIN {Corpus._meta.db_table} c ON c.id = a.corpus_id
JOIN {Membership._meta.db_table} m ON m.corpus_id = a.corpus_id AND m.user_id = %(user_id)s
LEFT JOIN {Label._meta.db_table} l ON l.corpus_id = a.corpus_id AND l."key" = %(label_key)s
WHERE s.id = %(sentence_id)s
"""


def labeling_row(*, user_id: int, sentence_id: int, label_key: str) -> LabelingRow | None:
    """The sentence as the user may label it, or None if the user is no member of its corpus."""
    with prepared_cursor() as cursor:
        cursor.execute(
            _LABELING, {"user_id": user_id, "label_key": label_key, "sentence_id": sentence_id}
        )
        return fetch_one(cursor, LabelingRow)


class LockedAnnotationRow(NamedTuple):
    id: int
    sentence_id: int
    annotator_id: int
    label_id: int
    label_key: str
    note: str
    source: str
    guideline_version: int
    version: int
    needs_review: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    suggested_by: str


# The label's key comes from a subquery, not a join: when the row was changed
# while this write waited for its lock, PostgreSQL re-reads the new row but
# keeps the joined label row it had, the join no longer matches and the write
# saw no annotation at all (a 409 "now at version 0" for a label at version 2).
_LOCKED = f"""
SELECT a.id, a.sentence_id, a.annotator_id, a.label_id,
       (SELECT l."key" FROM {Label._meta.db_table} l WHERE l.id = a.label_id) AS label_key,
       a.note, a.source, a.guideline_version, a.version, a.needs_review, a.created_at,
       a.updated_at, a.suggested_by
FROM {Annotation._meta.db_table} a
WHERE a.sentence_id = %(sentence_id)s AND a.annotator_id = %(annotator_id)s
"""


def annotation_locked_row(*, sentence_id: int, annotator_id: int) -> LockedAnnotationRow | None:
    """The stored annotation and its label's key, its row locked until the transaction ends.

    Only the annotation row is locked (``OF a``): locking the joined label row
    too would queue every annotator behind each other and deadlock with the
    foreign-key checks of concurrent inserts.
    """
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(_LOCKED + lock, {"sentence_id": sentence_id, "annotator_id": annotator_id})
        return fetch_one(cursor, LockedAnnotationRow)


_LAST_VERSION = (
    f"SELECT MAX(version) AS version FROM {AnnotationEvent._meta.db_table} "
    "WHERE sentence_id = %(sentence_id)s AND annotator_id = %(annotator_id)s"
)


class _VersionRow(NamedTuple):
    version: int | None


def annotation_event_last_version(*, sentence_id: int, annotator_id: int) -> int:
    """The highest version in the history of this annotator's label on the sentence; 0 if none."""
    with connection.cursor() as cursor:
        cursor.execute(_LAST_VERSION, {"sentence_id": sentence_id, "annotator_id": annotator_id})
        return fetch_one(cursor, _VersionRow).version or 0


# The review columns take their database defaults (no review asked for).
_INSERT_COLUMNS = (
    "sentence_id",
    "annotator_id",
    "label_id",
    "note",
    "source",
    "guideline_version",
    "version",
    "suggested_by",
    "created_at",
    "updated_at",
)
_INSERT = (
    f"INSERT INTO {Annotation._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join(f'%({name})s' for name in _INSERT_COLUMNS)})"
)


def annotation_insert(
    *,
    sentence_id: int,
    annotator_id: int,
    label_id: int,
    note: str,
    source: str,
    guideline_version: int,
    version: int,
    suggested_by: str,
    at: dt.datetime,
) -> int:
    """Insert a new annotation row, created and updated ``at``; its id.

    A second annotation of the same sentence and annotator raises IntegrityError
    (the unique constraint), as ``Annotation.objects.create()`` would.
    """
    stamp = connection.ops.adapt_datetimefield_value(at)
    params = {
        "sentence_id": sentence_id,
        "annotator_id": annotator_id,
        "label_id": label_id,
        "note": note,
        "source": source,
        "guideline_version": guideline_version,
        "version": version,
        "suggested_by": suggested_by,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(_INSERT + " RETURNING id", params)
            return cursor.fetchone()[0]
        cursor.execute(_INSERT, params)
        return cursor.lastrowid


# A write by the annotator is their answer to a review request: the flag goes.
_UPDATE = (
    f"UPDATE {Annotation._meta.db_table} SET label_id = %(label_id)s, note = %(note)s, "
    "source = %(source)s, guideline_version = %(guideline_version)s, version = %(version)s, "
    "updated_at = %(updated_at)s, suggested_by = %(suggested_by)s, "
    "needs_review = %(needs_review)s, review_reason = '', review_from = '[]' WHERE id = %(id)s"
)


def annotation_update(
    *,
    id: int,
    label_id: int,
    note: str,
    source: str,
    guideline_version: int,
    version: int,
    updated_at: dt.datetime,
    suggested_by: str = "",
) -> None:
    """Write the changed columns of an annotation row (locked by the caller)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _UPDATE,
            {
                "id": id,
                "label_id": label_id,
                "note": note,
                "source": source,
                "guideline_version": guideline_version,
                "version": version,
                "updated_at": connection.ops.adapt_datetimefield_value(updated_at),
                "suggested_by": suggested_by,
                "needs_review": False,
            },
        )


_EVENT_COLUMNS = (
    "article_id",
    "sentence_id",
    "sentence_start",
    "sentence_end",
    "sentence_text",
    "annotator_id",
    "changed_by_id",
    "action",
    "old_label",
    "old_note",
    "old_source",
    "new_label",
    "new_note",
    "new_source",
    "version",
    "guideline_version",
    "at",
    "suggested_by",
)
_EVENT = (
    f"INSERT INTO {AnnotationEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(f'%({name})s' for name in _EVENT_COLUMNS)})"
)


class CreatedRow(NamedTuple):
    id: int
    version: int


# A new annotation, its version continuing the history (versions keep rising
# across a clear); an annotation already there makes the INSERT do nothing, and
# no row comes back.
_ANNOTATION_CREATE = (
    f"INSERT INTO {Annotation._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) "
    "VALUES (%(sentence_id)s, %(annotator_id)s, %(label_id)s, %(note)s, %(source)s, "
    "%(guideline_version)s, "
    f"COALESCE((SELECT MAX(version) FROM {AnnotationEvent._meta.db_table} "
    "WHERE sentence_id = %(sentence_id)s AND annotator_id = %(annotator_id)s), 0) + 1, "
    "%(suggested_by)s, %(at)s, %(at)s) "
    "ON CONFLICT (sentence_id, annotator_id) DO NOTHING RETURNING id, version"
)

# On PostgreSQL the annotation, its history event and the labeled count are one
# statement (data-modifying WITH), so the commonest write is one round trip
# without BEGIN and COMMIT. Each part takes its rows from the one before, so they
# run in the order of the transaction they replace: the annotation, then the
# event (which waits for a boundary change holding the article), then the count.
_CREATE = (
    f"WITH created AS ({_ANNOTATION_CREATE}), "
    f"event AS (INSERT INTO {AnnotationEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)}) "
    "SELECT %(article_id)s, %(sentence_id)s, %(sentence_start)s, %(sentence_end)s, "
    "%(sentence_text)s, %(annotator_id)s, %(changed_by_id)s, %(action)s, '', '', '', "
    "%(new_label)s, %(note)s, %(source)s, created.version, %(guideline_version)s, %(at)s, "
    "%(suggested_by)s FROM created RETURNING article_id), "
    f"counted AS (INSERT INTO {ArticleLabelCount._meta.db_table} AS c "
    "(article_id, annotator_id, labeled) SELECT article_id, %(annotator_id)s, 1 FROM event "
    "ON CONFLICT (annotator_id, article_id) DO UPDATE SET labeled = c.labeled + excluded.labeled "
    "RETURNING article_id) "
    "SELECT created.id, created.version FROM created, counted"
)


def annotation_create(
    *,
    sentence: Sentence,
    annotator_id: int,
    changed_by_id: int,
    label_id: int,
    label_key: str,
    note: str,
    source: str,
    guideline_version: int,
    suggested_by: str,
    at: dt.datetime,
) -> CreatedRow | None:
    """Create an annotation with its history event and labeled count; its id and
    version, or None if the annotator already has one on the sentence (nothing is
    written). On PostgreSQL one statement (outside a transaction it is one); elsewhere
    three in one transaction, the writer's lock held for them alone: the annotation
    (which tells whether there was one), its event, its count."""
    params = {
        "sentence_id": sentence.pk,
        "annotator_id": annotator_id,
        "label_id": label_id,
        "note": note,
        "source": source,
        "guideline_version": guideline_version,
        "suggested_by": suggested_by,
        "at": connection.ops.adapt_datetimefield_value(at),
        "article_id": sentence.article_id,
        "sentence_start": sentence.start,
        "sentence_end": sentence.end,
        "sentence_text": sentence.text,
        "changed_by_id": changed_by_id,
        "action": AnnotationEvent.Action.CREATE.value,
        "new_label": label_key,
    }
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(_CREATE, params)
            return fetch_one(cursor, CreatedRow)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ANNOTATION_CREATE, params)
        created = fetch_one(cursor, CreatedRow)
        if created is None:
            return None
        cursor.execute(
            _EVENT,
            {
                **params,
                "old_label": "",
                "old_note": "",
                "old_source": "",
                "new_note": note,
                "new_source": source,
                "version": created.version,
            },
        )
        label_counts_add(article_id=sentence.article_id, deltas={annotator_id: 1})
    return created


def annotation_event_insert(
    *,
    article_id: int,
    sentence_id: int,
    sentence_start: int,
    sentence_end: int,
    sentence_text: str,
    annotator_id: int,
    changed_by_id: int,
    action: str,
    old_label: str,
    old_note: str,
    old_source: str,
    new_label: str,
    new_note: str,
    new_source: str,
    version: int,
    guideline_version: int | None,
    at: dt.datetime,
    suggested_by: str = "",
) -> None:
    """Append one history event (nothing listens to AnnotationEvent's model signals)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _EVENT,
            {
                "article_id": article_id,
                "sentence_id": sentence_id,
                "sentence_start": sentence_start,
                "sentence_end": sentence_end,
                "sentence_text": sentence_text,
                "annotator_id": annotator_id,
                "changed_by_id": changed_by_id,
                "action": action,
                "old_label": old_label,
                "old_note": old_note,
                "old_source": old_source,
                "new_label": new_label,
                "new_note": new_note,
                "new_source": new_source,
                "version": version,
                "guideline_version": guideline_version,
                "at": connection.ops.adapt_datetimefield_value(at),
                "suggested_by": suggested_by,
            },
        )


# An increment, not a value: label writes on one article run side by side, and each
# adds its own change to what the others committed (docs/architecture.md, "Derived
# counts"). The ORM has no upsert that adds to the stored value; PostgreSQL and
# SQLite (3.24 and later) both take this one. A removal updates the row its label's
# write made (an INSERT of a negative count would break the row's check first).
_LABEL_COUNT_ADD = (
    f"INSERT INTO {ArticleLabelCount._meta.db_table} AS c (article_id, annotator_id, labeled) "
    "VALUES (%(article_id)s, %(annotator_id)s, %(delta)s) "
    "ON CONFLICT (annotator_id, article_id) DO UPDATE SET labeled = c.labeled + excluded.labeled"
)
_LABEL_COUNT_SUBTRACT = (
    f"UPDATE {ArticleLabelCount._meta.db_table} SET labeled = labeled + %(delta)s "
    "WHERE annotator_id = %(annotator_id)s AND article_id = %(article_id)s"
)


# An article's first segmentation: its sentences in one statement, each column
# one array. The ORM's bulk_create (UNNEST too) built a model instance and
# prepared each value of each row in Python, 40 % of a segmentation's CPU.
_SENTENCES_INSERT = (
    f'INSERT INTO {Sentence._meta.db_table} (article_id, "index", "start", "end", paragraph, '
    "kind, text) SELECT %(article_id)s, * FROM unnest(%(index)s::integer[], "
    "%(start)s::integer[], %(end)s::integer[], %(paragraph)s::integer[], %(kind)s::text[], "
    "%(text)s::text[])"
)


def sentences_insert(*, article_id: int, text: str, segments: Sequence) -> None:
    """Store the article's sentences: ``segments`` (start, end, paragraph, kind each) of
    ``text``, indexed in order (PostgreSQL, in the caller's transaction)."""
    params = {
        "article_id": article_id,
        "index": list(range(len(segments))),
        "start": [s.start for s in segments],
        "end": [s.end for s in segments],
        "paragraph": [s.paragraph for s in segments],
        "kind": [s.kind for s in segments],
        "text": [text[s.start : s.end] for s in segments],
    }
    with prepared_cursor() as cursor:
        cursor.execute(_SENTENCES_INSERT, params)


def label_counts_add(*, article_id: int, deltas: dict[int, int]) -> None:
    """Add ``deltas`` (annotator id -> labels added, negative for removed) to the
    annotators' labeled counts of the article, in the caller's transaction.

    In annotator order, so two writes changing several counts of one article take
    their row locks in the same order.
    """
    with connection.cursor() as cursor:
        for who, delta in sorted(deltas.items()):
            if delta:
                cursor.execute(
                    _LABEL_COUNT_ADD if delta > 0 else _LABEL_COUNT_SUBTRACT,
                    {"article_id": article_id, "annotator_id": who, "delta": delta},
                )


def astral_article_texts(*, article_ids: list[int], pattern: str) -> list[tuple[int, str]]:
    """(id, text) of those of these articles whose text matches ``pattern`` (PostgreSQL).

    The articles are taken first and only their texts are searched: with both
    conditions in one WHERE, PostgreSQL may run the (costly) regular expression on
    every article of the table before it tests the id.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH chosen AS MATERIALIZED (
  SELECT id, text FROM "{Article._meta.db_table}" WHERE id = ANY(%s)
)
SELECT id, text FROM chosen WHERE text ~ %s""",
            [list(article_ids), pattern],
        )
        return cursor.fetchall()


# Segmentation's statements (``articles.services.segmentation``): run for every
# article of a bulk import, so written out rather than built by the ORM, whose
# query compilation cost more Python time than the segmenter (bench/README.md).
_ARTICLE = Article._meta.db_table

_SEGMENTATION_CLAIM = f"""
UPDATE {_ARTICLE}
SET status = %(segmenting)s, segmentation_task_id = %(task_id)s, status_changed_at = %(now)s,
    failure_reason = '', attempts = attempts + 1
WHERE id = %(article_id)s
  AND (status = %(pending)s
       OR (status = %(segmenting)s AND segmentation_task_id = %(task_id)s
           AND attempts < %(limit)s))
RETURNING text
"""


class _ClaimedRow(NamedTuple):
    text: str


def segmentation_claim(
    *, article_id: int, task_id: str, limit: int, now: dt.datetime
) -> str | None:
    """Take a pending article (or this task's own earlier claim, started fewer than
    ``limit`` times) for ``task_id``, counting the start; its text, or None if not taken."""
    params = {
        "article_id": article_id,
        "task_id": task_id,
        "limit": limit,
        "now": connection.ops.adapt_datetimefield_value(now),
        "pending": Article.Status.PENDING.value,
        "segmenting": Article.Status.SEGMENTING.value,
    }
    with prepared_cursor() as cursor:
        cursor.execute(_SEGMENTATION_CLAIM, params)
        row = fetch_one(cursor, _ClaimedRow)
    return row.text if row else None


def _segmentation_lock_sql() -> str:
    lock = " FOR UPDATE OF a" if connection.vendor == "postgresql" else ""
    return f"""
SELECT a.text, EXISTS (SELECT 1 FROM {Sentence._meta.db_table} s WHERE s.article_id = a.id)
         AS segmented
FROM {_ARTICLE} a
WHERE a.id = %(article_id)s AND a.status = %(segmenting)s AND a.segmentation_task_id = %(task_id)s
{lock}"""


class SegmentationLockRow(NamedTuple):
    text: str
    segmented: bool


def segmentation_lock(*, article_id: int, task_id: str) -> SegmentationLockRow | None:
    """Lock the article while ``task_id`` still holds its claim (in the caller's
    transaction): its text now and whether it has sentences; None if the claim is gone."""
    params = {
        "article_id": article_id,
        "task_id": task_id,
        "segmenting": Article.Status.SEGMENTING.value,
    }
    with prepared_cursor() as cursor:
        cursor.execute(_segmentation_lock_sql(), params)
        return fetch_one(cursor, SegmentationLockRow)


_SEGMENTATION_DONE = f"""
UPDATE {_ARTICLE}
SET status = %(ready)s, segmenter_version = %(version)s, status_changed_at = %(now)s,
    updated_at = %(now)s, segmentation_task_id = '', failure_reason = '',
    labelable_count = %(labelable)s
WHERE id = %(article_id)s
"""


def segmentation_done(*, article_id: int, version: str, labelable: int, now: dt.datetime) -> None:
    """Mark the locked article segmented (ready) with ``labelable`` sentences that take a
    label, in the caller's transaction."""
    params = {
        "article_id": article_id,
        "ready": Article.Status.READY.value,
        "version": version,
        "labelable": labelable,
        "now": connection.ops.adapt_datetimefield_value(now),
    }
    with prepared_cursor() as cursor:
        cursor.execute(_SEGMENTATION_DONE, params)
