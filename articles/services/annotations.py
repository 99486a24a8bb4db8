"""Setting, changing and clearing labels, with versions and history.

Every change writes an AnnotationEvent (docs/architecture.md, invariant 3:
no label is lost). A write names the version it was based on; if the stored
annotation has moved on, the write is refused with VersionConflict carrying
the current value, unless the stored value already equals what was asked (a
retried write that landed), which makes retries idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles.exceptions import VersionConflict
from articles.models import Annotation, AnnotationEvent, Article, Sentence
from articles.signals import labels_changed
from corpora.models import Label

MAX_NOTE_CHARS = 10_000
MAX_SOURCE_CHARS = 2_000

# expected_version=ANY_VERSION writes whatever is stored (pre-annotation scripts).
ANY_VERSION = None


@dataclass(frozen=True)
class AnnotationResult:
    annotation: Annotation | None
    changed: bool
    created: bool = False


def check_labelable(sentence: Sentence, label: Label | None) -> None:
    """Refuse a label on a heading, on an article being segmented, or from another corpus."""
    if sentence.kind == Sentence.Kind.HEADING:
        raise ValidationError(
            {"sentence": f"Sentence {sentence.pk} is a heading or byline; headings take no label."}
        )
    if sentence.article.status not in (Article.Status.READY, Article.Status.FAILED):
        raise ValidationError(
            {"sentence": "The article is being segmented again; label it when it is ready."}
        )
    if label is not None and label.corpus_id != sentence.article.corpus_id:
        raise ValidationError({"label": f"The label {label.key!r} belongs to another corpus."})


def clean_note_and_source(note: str, source: str, label: Label) -> tuple[str, str]:
    """Trimmed note and source, within their limits; a source only where the label takes one."""
    note, source = note.strip(), source.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError({"note": f"Keep the note under {MAX_NOTE_CHARS:,} characters."})
    if len(source) > MAX_SOURCE_CHARS:
        raise ValidationError({"source": f"Keep the source under {MAX_SOURCE_CHARS:,} characters."})
    if source and not label.takes_source:
        raise ValidationError(
            {
                "source": f"The label {label.name!r} takes no source; remove the source "
                "or choose a label that takes one."
            }
        )
    return note, source


def _conflict(current: Annotation | None, expected: int) -> VersionConflict:
    have = current.version if current else 0
    return VersionConflict(
        f"Your change was based on version {expected}, but the label is now at version "
        f"{have}. Reload it, then decide which value to keep.",
        current=current,
    )


def _last_event_version(sentence: Sentence, annotator) -> int:
    # Runs on every new label; the ORM's aggregate cost five times the Python time.
    with connection.cursor() as cursor:
        cursor.execute(_LAST_VERSION_SQL, [sentence.pk, annotator.pk])
        (last,) = cursor.fetchone()
    return last or 0


_LAST_VERSION_SQL = (
    f"SELECT MAX(version) FROM {AnnotationEvent._meta.db_table} "
    "WHERE sentence_id = %s AND annotator_id = %s"
)


def _locked_annotation(sentence: Sentence, annotator) -> Annotation | None:
    """The stored annotation with its label's key, its row locked until the transaction ends.

    Only the annotation row is locked (``OF a``): locking the joined label row
    too would queue every annotator behind each other and deadlock with the
    foreign-key checks of concurrent inserts. Written as raw SQL because every
    write runs it and the ORM built it in three times the Python time. The
    label carries its id and key; its other fields load if ever read.
    """
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    rows = Annotation.objects.raw(_LOCKED_SQL + lock, [sentence.pk, annotator.pk])
    current = next(iter(rows), None)
    if current is not None:
        current.label = Label.from_db(
            current._state.db, ["id", "key"], [current.label_id, current.label_key]
        )
    return current


# The label's key comes from a subquery, not a join: when the row was changed
# while this write waited for its lock, PostgreSQL re-reads the new row but
# keeps the joined label row it had, the join no longer matches and the write
# saw no annotation at all (a 409 "now at version 0" for a label at version 2).
_LOCKED_SQL = (
    f'SELECT a.*, (SELECT l."key" FROM {Label._meta.db_table} l WHERE l.id = a.label_id) '
    f"AS label_key FROM {Annotation._meta.db_table} a "
    "WHERE a.sentence_id = %s AND a.annotator_id = %s"
)


def _cleared_at(sentence: Sentence, annotator, expected_version: int) -> bool:
    """Whether the last change was a clear of ``expected_version``: a retried clear."""
    last = (
        AnnotationEvent.objects.filter(sentence=sentence, annotator=annotator)
        .order_by("-version", "-pk")
        .values_list("action", "version")
        .first()
    )
    return last == (AnnotationEvent.Action.CLEAR, expected_version + 1)


def _labels_changed(sentence: Sentence) -> None:
    """Tell the apps that follow labels (review refreshes gold, assignments, agreement)."""
    labels_changed.send(sender=Sentence, corpus_id=sentence.article.corpus_id)


def _event(
    *,
    sentence: Sentence,
    annotator,
    changed_by,
    action: str,
    old: Annotation | None,
    new: Annotation | None,
    version: int,
) -> None:
    # Every change writes one, so it is sent as a plain INSERT: the ORM's
    # create() cost three times the Python time. Nothing listens to its signals.
    values = [
        sentence.pk,
        annotator.pk,
        changed_by.pk,
        action,
        old.label.key if old else "",
        old.note if old else "",
        old.source if old else "",
        new.label.key if new else "",
        new.note if new else "",
        new.source if new else "",
        version,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_EVENT_SQL, values)


_UPDATE_SQL = (
    f"UPDATE {Annotation._meta.db_table} SET label_id = %s, note = %s, source = %s, "
    "guideline_version = %s, version = %s, updated_at = %s WHERE id = %s"
)
_EVENT_SQL = (
    f"INSERT INTO {AnnotationEvent._meta.db_table} (sentence_id, annotator_id, changed_by_id, "
    "action, old_label, old_note, old_source, new_label, new_note, new_source, version, at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def annotation_set(
    *,
    sentence: Sentence,
    annotator: AbstractBaseUser,
    label: Label,
    note: str = "",
    source: str = "",
    expected_version: int | None = ANY_VERSION,
    changed_by: AbstractBaseUser | None = None,
) -> AnnotationResult:
    """Set ``annotator``'s label on ``sentence``.

    ``expected_version`` is the version the caller saw: 0 for "no label yet",
    None to write whatever is stored.
    """
    check_labelable(sentence, label)
    note, source = clean_note_and_source(note, source, label)
    changed_by = changed_by or annotator
    guideline_version = sentence.article.corpus.guidelines_version
    try:
        with transaction.atomic():
            current = _locked_annotation(sentence, annotator)
            if current is not None and (
                current.label_id == label.pk and current.note == note and current.source == source
            ):
                return AnnotationResult(current, changed=False)
            have = current.version if current else 0
            if expected_version is not None and expected_version != have:
                raise _conflict(current, expected_version)
            if current is None:
                # Versions keep rising across a clear, so a client holding a
                # version from before the clear cannot match the new label.
                version = _last_event_version(sentence, annotator) + 1
                annotation = Annotation.objects.create(
                    sentence=sentence,
                    annotator=annotator,
                    label=label,
                    note=note,
                    source=source,
                    guideline_version=guideline_version,
                    version=version,
                )
                _event(
                    sentence=sentence,
                    annotator=annotator,
                    changed_by=changed_by,
                    action=AnnotationEvent.Action.CREATE,
                    old=None,
                    new=annotation,
                    version=version,
                )
                _labels_changed(sentence)
                return AnnotationResult(annotation, changed=True, created=True)
            old = Annotation(label=current.label, note=current.note, source=current.source)
            current.label, current.note, current.source = label, note, source
            current.guideline_version = guideline_version
            current.version += 1
            current.updated_at = timezone.now()
            # A plain UPDATE of the row locked above: save(update_fields=...)
            # cost several times the Python time on every change.
            with connection.cursor() as cursor:
                cursor.execute(
                    _UPDATE_SQL,
                    [
                        label.pk,
                        note,
                        source,
                        guideline_version,
                        current.version,
                        connection.ops.adapt_datetimefield_value(current.updated_at),
                        current.pk,
                    ],
                )
            _event(
                sentence=sentence,
                annotator=annotator,
                changed_by=changed_by,
                action=AnnotationEvent.Action.UPDATE,
                old=old,
                new=current,
                version=current.version,
            )
            _labels_changed(sentence)
            return AnnotationResult(current, changed=True)
    except IntegrityError:
        # Another request created the annotation between our read and insert.
        current = (
            Annotation.objects.select_related("label")
            .filter(sentence=sentence, annotator=annotator)
            .first()
        )
        if current and (current.label_id, current.note, current.source) == (label.pk, note, source):
            return AnnotationResult(current, changed=False)
        raise _conflict(current, expected_version or 0) from None


def annotation_clear(
    *,
    sentence: Sentence,
    annotator: AbstractBaseUser,
    expected_version: int | None = ANY_VERSION,
    changed_by: AbstractBaseUser | None = None,
) -> AnnotationResult:
    """Remove ``annotator``'s label from ``sentence``; the history keeps it."""
    check_labelable(sentence, None)
    with transaction.atomic():
        current = _locked_annotation(sentence, annotator)
        if current is None:
            if expected_version not in (None, 0) and not _cleared_at(
                sentence, annotator, expected_version
            ):
                raise _conflict(None, expected_version)
            return AnnotationResult(None, changed=False)
        if expected_version is not None and expected_version != current.version:
            raise _conflict(current, expected_version)
        _event(
            sentence=sentence,
            annotator=annotator,
            changed_by=changed_by or annotator,
            action=AnnotationEvent.Action.CLEAR,
            old=current,
            new=None,
            version=current.version + 1,
        )
        current.delete()
        _labels_changed(sentence)
        return AnnotationResult(None, changed=True)
