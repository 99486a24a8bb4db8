"""Setting, changing and clearing labels, with versions and history.

Every change writes an AnnotationEvent (docs/architecture.md, invariant 3:
no label is lost). A write names the version it was based on; if the stored
annotation has moved on, the write is refused with VersionConflict carrying
the current value, unless the stored value already equals what was asked (a
retried write that landed), which makes retries idempotent.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from annotator.rows import instance
from articles.exceptions import VersionConflict
from articles.models import Annotation, AnnotationEvent, Article, Sentence
from articles.signals import labels_changed
from articles.sql import (
    annotation_create,
    annotation_event_insert,
    annotation_event_last_version,
    annotation_insert,
    annotation_locked_row,
    annotation_update,
    label_counts_add,
)
from corpora.models import Label
from corpora.permissions import Right, corpus_roles, require_right

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
    if label is not None and label.archived:
        raise ValidationError(
            {
                "label": f"The label {label.key!r} is archived: it stays on earlier labels "
                "but is no longer offered; choose another."
            }
        )


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


def _locked_annotation(sentence: Sentence, annotator) -> Annotation | None:
    """The stored annotation with its label's key, its row locked until the transaction ends.

    Every write runs it: raw SQL (``articles.sql``) because the ORM built it
    in three times the Python time. The label carries its id and key; its
    other fields load if ever read.
    """
    row = annotation_locked_row(sentence_id=sentence.pk, annotator_id=annotator.pk)
    if row is None:
        return None
    current = instance(
        Annotation,
        id=row.id,
        sentence_id=row.sentence_id,
        annotator_id=row.annotator_id,
        label_id=row.label_id,
        note=row.note,
        source=row.source,
        guideline_version=row.guideline_version,
        version=row.version,
        needs_review=row.needs_review,
        created_at=row.created_at,
        updated_at=row.updated_at,
        suggested_by=row.suggested_by,
    )
    current.label = instance(Label, id=row.label_id, key=row.label_key)
    return current


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
    suggested_by: str = "",
) -> None:
    # Every change writes one, so it is sent as a plain INSERT: the ORM's
    # create() cost three times the Python time. Nothing listens to its signals.
    annotation_event_insert(
        article_id=sentence.article_id,
        sentence_id=sentence.pk,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        sentence_text=sentence.text,
        annotator_id=annotator.pk,
        changed_by_id=changed_by.pk,
        action=action,
        old_label=old.label.key if old else "",
        old_note=old.note if old else "",
        old_source=old.source if old else "",
        new_label=new.label.key if new else "",
        new_note=new.note if new else "",
        new_source=new.source if new else "",
        version=version,
        # The guidelines in force when the change was made (a clear too), so
        # changes can be read against the text their annotator was following.
        guideline_version=sentence.article.corpus.guidelines_version,
        at=timezone.now(),
        suggested_by=suggested_by,
    )


def _create(
    *,
    sentence: Sentence,
    annotator,
    changed_by,
    label: Label,
    note: str,
    source: str,
    guideline_version: int,
    suggested_by: str,
) -> Annotation | None:
    """A new annotation with its history event and count, or None if one is there.

    ``articles.sql.annotation_create``: one statement on PostgreSQL, one transaction
    elsewhere; inside a caller's transaction, a savepoint keeps an error from breaking it.
    """
    at = timezone.now()
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        row = annotation_create(
            sentence=sentence,
            annotator_id=annotator.pk,
            changed_by_id=changed_by.pk,
            label_id=label.pk,
            label_key=label.key,
            note=note,
            source=source,
            guideline_version=guideline_version,
            suggested_by=suggested_by,
            at=at,
        )
    if row is None:
        return None
    return _new_annotation(
        pk=row.id,
        sentence=sentence,
        annotator=annotator,
        label=label,
        note=note,
        source=source,
        guideline_version=guideline_version,
        version=row.version,
        suggested_by=suggested_by,
        at=at,
    )


def _new_annotation(
    *,
    pk: int,
    sentence: Sentence,
    annotator,
    label: Label,
    note: str,
    source: str,
    guideline_version: int,
    version: int,
    suggested_by: str,
    at,
) -> Annotation:
    """The Annotation a new label's INSERT wrote, without reading it back."""
    annotation = Annotation(
        pk=pk,
        sentence=sentence,
        annotator=annotator,
        label=label,
        note=note,
        source=source,
        guideline_version=guideline_version,
        version=version,
        suggested_by=suggested_by,
        created_at=at,
        updated_at=at,
    )
    annotation._state.adding = False
    annotation._state.db = connection.alias
    return annotation


def annotation_set(
    *,
    sentence: Sentence,
    annotator: User,
    label: Label,
    note: str = "",
    source: str = "",
    expected_version: int | None = ANY_VERSION,
    changed_by: User | None = None,
    announce: bool = True,
    suggested_by: str = "",
) -> AnnotationResult:
    """Set ``annotator``'s label on ``sentence``.

    ``expected_version`` is the version the caller saw: 0 for "no label yet",
    None to write whatever is stored. ``announce=False`` leaves sending
    ``labels_changed`` to a caller that changes many labels at once.
    ``suggested_by`` names the machine suggestion (model and version) the
    person accepted, kept on the label and in its history: a machine's
    output never passes for a person's.
    """
    check_labelable(sentence, label)
    note, source = clean_note_and_source(note, source, label)
    changed_by = changed_by or annotator
    guideline_version = sentence.article.corpus.guidelines_version
    try:
        if expected_version in (0, ANY_VERSION):
            created = _create(
                sentence=sentence,
                annotator=annotator,
                changed_by=changed_by,
                label=label,
                note=note,
                source=source,
                guideline_version=guideline_version,
                suggested_by=suggested_by,
            )
            if created is not None:
                if announce:
                    _labels_changed(sentence)
                return AnnotationResult(created, changed=True, created=True)
            # The annotator has a label there already: the locked read below decides
            # between a retry that landed, a change and a conflict.
        with transaction.atomic():
            current = _locked_annotation(sentence, annotator)
            same = current is not None and (
                current.label_id == label.pk and current.note == note and current.source == source
            )
            if same and current is not None and not current.needs_review:
                return AnnotationResult(current, changed=False)
            have = current.version if current else 0
            if expected_version is not None and expected_version != have:
                raise _conflict(current, expected_version)
            if current is None:
                # Versions keep rising across a clear, so a client holding a
                # version from before the clear cannot match the new label.
                version = (
                    annotation_event_last_version(
                        sentence_id=sentence.pk, annotator_id=annotator.pk
                    )
                    + 1
                )
                # A plain INSERT: create() cost twice the Python time of the
                # rest of a new label's write (issue #15).
                at = timezone.now()
                annotation = _new_annotation(
                    pk=annotation_insert(
                        sentence_id=sentence.pk,
                        annotator_id=annotator.pk,
                        label_id=label.pk,
                        note=note,
                        source=source,
                        guideline_version=guideline_version,
                        version=version,
                        suggested_by=suggested_by,
                        at=at,
                    ),
                    sentence=sentence,
                    annotator=annotator,
                    label=label,
                    note=note,
                    source=source,
                    guideline_version=guideline_version,
                    version=version,
                    suggested_by=suggested_by,
                    at=at,
                )
                _event(
                    sentence=sentence,
                    annotator=annotator,
                    changed_by=changed_by,
                    action=AnnotationEvent.Action.CREATE,
                    old=None,
                    new=annotation,
                    version=version,
                    suggested_by=suggested_by,
                )
                # After the event: its insert waits for a boundary change holding the
                # article, which then adds to this count; taking the count's row first
                # deadlocked the two (tests/articles/test_label_counts.py).
                label_counts_add(article_id=sentence.article_id, deltas={annotator.pk: 1})
                if announce:
                    _labels_changed(sentence)
                return AnnotationResult(annotation, changed=True, created=True)
            old = Annotation(label=current.label, note=current.note, source=current.source)
            current.label, current.note, current.source = label, note, source
            current.guideline_version = guideline_version
            current.suggested_by = suggested_by
            current.version += 1
            # The same value written over a label carried by a boundary change confirms it
            # (docs/architecture.md, invariant 3): the review request goes.
            current.needs_review, current.review_reason, current.review_from = False, "", []
            current.updated_at = timezone.now()
            # A plain UPDATE of the row locked above: save(update_fields=...)
            # cost several times the Python time on every change.
            annotation_update(
                id=current.pk,
                label_id=label.pk,
                note=note,
                source=source,
                guideline_version=guideline_version,
                version=current.version,
                updated_at=current.updated_at,
                suggested_by=suggested_by,
            )
            _event(
                sentence=sentence,
                annotator=annotator,
                changed_by=changed_by,
                action=AnnotationEvent.Action.CONFIRM if same else AnnotationEvent.Action.UPDATE,
                old=old,
                new=current,
                version=current.version,
                suggested_by=suggested_by,
            )
            if announce:
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
    annotator: User,
    expected_version: int | None = ANY_VERSION,
    changed_by: User | None = None,
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
        # After the event, as in annotation_set.
        label_counts_add(article_id=sentence.article_id, deltas={annotator.pk: -1})
        _labels_changed(sentence)
        return AnnotationResult(None, changed=True)


@dataclass(frozen=True)
class BulkConflict:
    index: int
    sentence: Sentence
    current: Annotation | None


@dataclass(frozen=True)
class BulkOutcome:
    """Each item's sentence and result in order; or, if any version conflicted, the conflicts
    (and no result: nothing was written)."""

    results: list[tuple[Sentence, AnnotationResult]]
    conflicts: list[BulkConflict]


def annotations_bulk_set(*, annotator: User, items: list[dict]) -> BulkOutcome:
    """Set many of ``annotator``'s labels at once, all or nothing.

    Each item names ``sentence`` (id), ``label`` (key), ``note``, ``source``
    and ``version`` (None to overwrite). Raises ValidationError naming the
    item (``annotations[i].label``), Http404 for sentences the annotator
    cannot see and PermissionDenied where they may not label; version
    conflicts are collected and returned, with nothing written.
    """
    sentences = _bulk_sentences(annotator, [item["sentence"] for item in items])
    labels = {
        (label.corpus_id, label.key): label
        for label in Label.objects.filter(
            corpus_id__in={s.article.corpus_id for s in sentences.values()}
        )
    }
    results, conflicts = [], []
    with transaction.atomic():
        for i, item in enumerate(items):
            sentence = sentences[item["sentence"]]
            label = labels.get((sentence.article.corpus_id, item["label"]))
            if label is None:
                raise ValidationError(
                    {f"annotations[{i}].label": f"No label {item['label']!r} in this corpus."}
                )
            try:
                result = annotation_set(
                    sentence=sentence,
                    annotator=annotator,
                    label=label,
                    note=item["note"],
                    source=item["source"],
                    expected_version=item["version"],
                    announce=False,
                )
            except ValidationError as exc:
                fields = getattr(exc, "message_dict", {"sentence": exc.messages})
                raise ValidationError(
                    {f"annotations[{i}].{name}": msgs for name, msgs in fields.items()}
                ) from None
            except VersionConflict as exc:
                conflicts.append(BulkConflict(index=i, sentence=sentence, current=exc.current))
                continue
            results.append((sentence, result))
        if conflicts:
            transaction.set_rollback(True)
            return BulkOutcome(results=[], conflicts=conflicts)
        # Once per corpus that changed, not once per label.
        for corpus_id in {s.article.corpus_id for s, result in results if result.changed}:
            labels_changed.send(sender=Sentence, corpus_id=corpus_id)
    return BulkOutcome(results=results, conflicts=[])


def _bulk_sentences(annotator: User, ids: list[int]) -> dict[int, Sentence]:
    seen: set[int] = set()
    for i, pk in enumerate(ids):
        if pk in seen:
            raise ValidationError(
                {f"annotations[{i}].sentence": f"Sentence {pk} appears twice; send it once."}
            )
        seen.add(pk)
    roles = corpus_roles(annotator)
    found = {
        s.pk: s
        for s in Sentence.objects.filter(
            pk__in=ids, article__corpus_id__in=list(roles)
        ).select_related("article__corpus")
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        shown = ", ".join(str(pk) for pk in missing[:10])
        raise Http404(f"No such sentence(s): {shown}.")
    for sentence in found.values():
        try:
            require_right(roles[sentence.article.corpus_id], Right.LABEL)
        except (Http404, PermissionDenied) as exc:
            raise PermissionDenied(f"Sentence {sentence.pk}: {exc}") from None
    return found
