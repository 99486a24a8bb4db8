"""Changing an article's sentence boundaries with the labels following the text.

Every change of boundaries goes through ``boundaries_apply``: a split or a
merge on the labeling screen, marking a segment a heading or a sentence, a new
segmentation of a labeled article, a corrected text, and the undo of an edit.
It writes the new sentences and carries every label and gold label of a
sentence that changed to the new sentences that overlap it, character by
character (through a diff of the old and new text when the text changed):

- a sentence whose text and place survive keeps its row, and so its labels;
- a new sentence takes, for each annotator, the label of the old sentence it
  shares the most characters with. The label is marked ``needs_review`` (with
  the old text it was made on, ``review_from``) unless the new sentence is
  nearly the old one (``SAME_SENTENCE`` of the characters in common), or, for a
  merge, every part held the same value; a split always asks for a check;
- a label whose sentence left no trace (its text was deleted) goes, for review,
  to the nearest sentence; a label on a segment marked a heading is taken off
  (an undo puts it back).

Nothing is refused for having labels and no history is deleted: each label
taken off a sentence writes a ``retire`` event there and each label placed
writes a ``carry`` event (docs/architecture.md, invariant 3), events outlive
their sentence, and the edit itself is a ``SegmentationEdit`` row holding what
it replaced. Every edit runs under the article's row lock, and locks the
sentences and labels it replaces before reading them, so a concurrent label
write either lands before the edit reads it or is refused after (a 409), and
two people editing one article take turns (invariant 1: offsets stay exact).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from articles import segmenter
from articles.exceptions import BoundaryConflict
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    GoldLabel,
    ReviewReason,
    SegmentationEdit,
    Sentence,
)
from articles.selectors.segmentation import UNDOABLE_KINDS
from articles.services.articles import normalise_text
from articles.signals import labels_changed
from articles.sql import label_counts_add, sentences_insert
from articles.textdiff import OffsetMap, equal_blocks
from corpora.models import Label

# A label carried to a sentence sharing at least this share of its characters
# with the old one (2 * shared / (old + new length)) is kept as it was; below,
# it is kept and marked for review.
SAME_SENTENCE = 0.9

# Added to kept rows' index and offsets while they are renumbered, so the
# article's unique index and start hold at every statement.
_SHIFT = 1_000_000_000

Edit = SegmentationEdit.Kind


@dataclass(eq=False)
class Planned:
    """One sentence of the article after the edit."""

    start: int
    end: int
    paragraph: int
    kind: str
    keep: Sentence | None = None  # the row kept for it, when its text and place survive
    row: Sentence | None = None  # the row it ends as


@dataclass
class Carried:
    """A label as it stood on an old sentence, or as an undo puts it back."""

    label_id: int
    label_key: str
    note: str
    source: str
    needs_review: bool = False
    review_reason: str = ""
    review_from: list = field(default_factory=list)
    guideline_version: int = 1
    # gold only
    origin: str = ""
    decided_by_id: int | None = None


@dataclass
class EditOutcome:
    edit: SegmentationEdit | None
    removed: list[int]  # ids of sentences that no longer exist
    created: list[int]  # ids of the new sentences
    changed: list[int] = field(default_factory=list)  # new ones and those whose kind changed


def _sentence_json(s: Sentence, *, kind: str | None = None) -> dict:
    # No ids: they change when an archive is restored; a sentence is found by its place.
    return {
        "start": s.start,
        "end": s.end,
        "paragraph": s.paragraph,
        "kind": kind or s.kind,
        "text": s.text,
    }


def _from_entry(text: str, value: Carried) -> dict:
    return {"text": text, "label": value.label_key, "note": value.note, "source": value.source}


def _from_entries(text: str, value: Carried) -> list[dict]:
    """What a carried label was made on: a label still waiting for its check keeps the
    sentences it was carried from (a second change must not hide the first one's choices)."""
    if value.needs_review and value.review_from:
        return list(value.review_from)
    return [_from_entry(text, value)]


def _add_entries(sources: list[dict], entries: list[dict]) -> list[dict]:
    return [*sources, *(entry for entry in entries if entry not in sources)]


def _carried_of(annotation: Annotation | GoldLabel, keys: dict[int, str]) -> Carried:
    return Carried(
        label_id=annotation.label_id,
        label_key=keys.get(annotation.label_id, ""),
        note=annotation.note,
        source=annotation.source,
        needs_review=annotation.needs_review,
        review_reason=annotation.review_reason,
        review_from=list(annotation.review_from or []),
        guideline_version=getattr(annotation, "guideline_version", 1),
        origin=getattr(annotation, "origin", ""),
        decided_by_id=getattr(annotation, "decided_by_id", None),
    )


def _same_value(a: Carried, b: Carried) -> bool:
    return (a.label_id, a.note, a.source) == (b.label_id, b.note, b.source)


def _locked_article(article_id: int) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise BoundaryConflict("The article no longer exists.")
    return article


def _require_ready(article: Article) -> None:
    if article.status != Article.Status.READY:
        raise BoundaryConflict(
            f"The article is {article.get_status_display().lower()}; change its sentences "
            "once it is ready."
        )


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


# -- the one way boundaries change --------------------------------------------------------


def boundaries_apply(
    *,
    article: Article,
    planned: list[Planned],
    kind: str,
    by: User | None,
    new_text: str | None = None,
    reason: str,
    always_review: bool = False,
    undoes: SegmentationEdit | None = None,
    restore: dict[tuple[int, int], dict[int | None, Carried]] | None = None,
    retire_on_heading: bool = True,
    hand_edits: dict | None = None,
) -> EditOutcome:
    """Make the article's sentences ``planned`` (ordered, tiling ``new_text`` or the
    current text), carrying labels; call with the article row locked, in a transaction.

    ``restore`` (an undo): for a planned span, the labels to put back as they were,
    by annotator id (None for the gold label), instead of carrying. Returns the
    edit written, or an outcome with ``edit=None`` when nothing changed.
    """
    old_text = article.text
    text = old_text if new_text is None else new_text
    offsets = OffsetMap.identity(len(text)) if text == old_text else None
    if offsets is None:
        offsets = OffsetMap(equal_blocks(old_text, text), len(text))
    old = list(Sentence.objects.filter(article=article).order_by("index"))
    by_mapped: dict[tuple[int, int], Sentence] = {}
    for s in old:
        mapped = offsets.span(s.start, s.end)
        if mapped is not None:
            by_mapped[mapped] = s
    for p in planned:
        row = by_mapped.get((p.start, p.end))
        if row is not None and row.text == text[p.start : p.end]:
            p.keep = row
    kept_ids = {p.keep.pk for p in planned if p.keep is not None}
    gone = [s for s in old if s.pk not in kept_ids]
    created = [p for p in planned if p.keep is None]
    to_heading = [
        p.keep
        for p in planned
        if p.keep is not None and p.keep.kind != p.kind and p.kind == Sentence.Kind.HEADING
    ]
    to_sentence = [
        p for p in planned if p.keep is not None and p.keep.kind != p.kind and p.kind != "heading"
    ]
    relabelable = {id(p) for p in to_sentence}
    heading_ids = {s.pk for s in to_heading}
    moved = any(
        p.keep is not None
        and (p.keep.index, p.keep.start, p.keep.end, p.keep.paragraph)
        != (i, p.start, p.end, p.paragraph)
        for i, p in enumerate(planned)
    )
    if not (gone or created or to_heading or to_sentence or moved or text != old_text):
        return EditOutcome(edit=None, removed=[], created=[])

    # Lock what is replaced before reading its labels: a label write on it either
    # committed already (and is read here) or waits and is then refused.
    replaced_ids = [s.pk for s in gone] + [s.pk for s in to_heading]
    list(Sentence.objects.select_for_update().filter(pk__in=replaced_ids).values_list("pk"))
    annotations = list(
        Annotation.objects.select_for_update().filter(sentence_id__in=replaced_ids).order_by("pk")
    )
    golds = list(
        GoldLabel.objects.select_for_update().filter(sentence_id__in=replaced_ids).order_by("pk")
    )
    keys = dict(Label.objects.filter(corpus_id=article.corpus_id).values_list("pk", "key"))
    old_by_id = {s.pk: s for s in old}
    # old sentence id -> {annotator id (None: gold) -> value}
    values: dict[int, dict[int | None, Carried]] = defaultdict(dict)
    for a in annotations:
        values[a.sentence_id][a.annotator_id] = _carried_of(a, keys)
    for g in golds:
        values[g.sentence_id][None] = _carried_of(g, keys)

    edit = SegmentationEdit.objects.create(
        article=article,
        kind=kind,
        by=by,
        before=[_sentence_json(s) for s in gone]
        + [_sentence_json(s) for s in to_heading]
        + [_sentence_json(p.keep) for p in to_sentence if p.keep is not None],
        labels=_labels_json(annotations, golds, old_by_id, keys, _usernames(annotations, golds)),
        old_text=old_text if text != old_text else "",
        segmenter_version=segmenter.SEGMENTER_VERSION if kind == Edit.RESEGMENT else "",
        hand_edits=hand_edits or {},
    )
    if undoes is not None:
        undoes.undone_at = timezone.now()
        undoes.save(update_fields=["undone_at"])
    now = timezone.now()
    events: list[AnnotationEvent] = []
    for a in annotations:
        s = old_by_id[a.sentence_id]
        events.append(
            _event(
                article=article, sentence=s, annotator_id=a.annotator_id, by=by, edit=edit,
                action=AnnotationEvent.Action.RETIRE, old=values[s.pk][a.annotator_id],
                new=None, version=a.version + 1, at=now,
            )
        )  # fmt: skip
    AnnotationEvent.objects.bulk_create(events, batch_size=1000)
    events = []

    # Rows out, rows moved, rows in. Sentences go with their labels and gold
    # (saved above in the edit and in retire events); their events stay.
    if gone:
        Sentence.objects.filter(pk__in=[s.pk for s in gone]).delete()
    if to_heading:
        Annotation.objects.filter(sentence_id__in=[s.pk for s in to_heading]).delete()
        GoldLabel.objects.filter(sentence_id__in=[s.pk for s in to_heading]).delete()
    kept = [p for p in planned if p.keep is not None]
    if kept:
        Sentence.objects.filter(article=article).update(
            index=F("index") + _SHIFT, start=F("start") + _SHIFT, end=F("end") + _SHIFT
        )
    rows_kept: list[Sentence] = []
    rows_new: list[Sentence] = []
    for index, p in enumerate(planned):
        if p.keep is not None:
            row = p.keep
            row.index, row.start, row.end = index, p.start, p.end
            row.paragraph, row.kind = p.paragraph, p.kind
            rows_kept.append(row)
        else:
            row = Sentence(
                article=article,
                index=index,
                start=p.start,
                end=p.end,
                paragraph=p.paragraph,
                kind=p.kind,
                text=text[p.start : p.end],
            )
            rows_new.append(row)
        p.row = row
    if rows_kept:
        Sentence.objects.bulk_update(
            rows_kept, ["index", "start", "end", "paragraph", "kind"], batch_size=500
        )
    Sentence.objects.bulk_create(rows_new, batch_size=1000)
    if text != old_text:
        article.text = text
        article.content_hash = _content_hash(text)
        try:
            with transaction.atomic():
                article.save(update_fields=["text", "content_hash", "updated_at"])
        except IntegrityError:
            raise ValidationError(
                {"text": "Another article of the corpus has exactly this text."}
            ) from None

    # Where each old labeled sentence's characters went.
    targets = _targets(gone, planned, offsets, text)
    labeled_gone = [s for s in gone if values.get(s.pk)]
    # For a merge: how many labelable old sentences each new one is made of.
    parts: dict[int, int] = defaultdict(int)
    for s in gone:
        if s.kind == Sentence.Kind.SENTENCE:
            for _, p in targets.get(s.pk, []):
                parts[id(p)] += 1
    placements: dict[int, dict[int | None, list[tuple[tuple[int, int], Sentence, Carried]]]] = (
        defaultdict(lambda: defaultdict(list))
    )
    orphans: list[tuple[Sentence, int | None, Carried]] = []
    for s in labeled_gone:
        places = [
            t
            for t in targets.get(s.pk, [])
            if t[1].kind == Sentence.Kind.SENTENCE and t[1].keep is None
        ]
        for who, value in values[s.pk].items():
            if places:
                for score, p in places:
                    placements[id(p)][who].append((score, s, value))
            else:
                orphans.append((s, who, value))
    new_annotations: list[Annotation] = []
    new_golds: list[GoldLabel] = []
    counts = {
        "carried": 0,
        "review": 0,
        "retired": sum(1 for a in annotations if a.sentence_id in heading_ids),
    }
    restore = restore or {}
    for p in planned:
        if p.kind != Sentence.Kind.SENTENCE:
            continue
        back = restore.get((p.start, p.end), {})
        found = placements.get(id(p), {})
        if p.keep is not None and id(p) not in relabelable:
            continue  # a kept labelable sentence keeps its own labels (orphans below)
        for who in set(found) | set(back):
            if who in back:
                value = back[who]
            else:
                value = _choose(found[who], p, kind, reason, always_review, parts[id(p)])
            row = p.row
            assert row is not None  # noqa: S101
            counts["carried"] += 1
            counts["review"] += int(value.needs_review)
            if who is None:
                new_golds.append(_gold_row(row, value))
            else:
                new_annotations.append(_annotation_row(row, who, value, version=1))
    Annotation.objects.bulk_create(new_annotations, batch_size=1000)
    GoldLabel.objects.bulk_create(new_golds, batch_size=1000)
    for a in new_annotations:
        events.append(_carry_event(article, a, by, edit, now, keys))
    # Each annotator's labeled count moves by the rows this edit removed and added
    # (the replaced sentences' annotations all went, with their sentence or as a
    # heading's), added to the stored figure as label writes add theirs.
    label_deltas: Counter[int] = Counter()
    label_deltas.subtract(a.annotator_id for a in annotations)
    label_deltas.update(a.annotator_id for a in new_annotations)
    counts["review"] += _place_orphans(
        article=article, orphans=orphans, planned=planned, offsets=offsets, by=by,
        edit=edit, now=now, events=events, keys=keys, kind=kind, reason=reason,
        counts=counts, placed=label_deltas,
    )  # fmt: skip
    AnnotationEvent.objects.bulk_create(events, batch_size=1000)
    label_counts_add(article_id=article.pk, deltas=dict(label_deltas))
    _labelable_count_set(article, planned)

    after_rows = [
        p.row
        for p in planned
        if p.row is not None
        and (p.keep is None or id(p) in relabelable or p.keep.pk in heading_ids)
    ]
    edit.after = [_sentence_json(row) for row in after_rows]
    edit.labels_carried = counts["carried"]
    edit.labels_for_review = counts["review"]
    edit.labels_retired = counts["retired"]
    edit.save(update_fields=["after", "labels_carried", "labels_for_review", "labels_retired"])
    if annotations or golds or counts["carried"]:
        labels_changed.send(sender=Sentence, corpus_id=article.corpus_id)
    return EditOutcome(
        edit=edit,
        removed=[s.pk for s in gone],
        created=[p.row.pk for p in planned if p.keep is None and p.row is not None],
        changed=[row.pk for row in after_rows],
    )


def _labelable(planned: list[Planned]) -> int:
    """How many of ``planned`` take a label (sentences, not headings)."""
    return sum(1 for p in planned if p.kind == Sentence.Kind.SENTENCE)


def _labelable_count_set(article: Article, planned: list[Planned]) -> None:
    """Store how many of the article's sentences, now ``planned``, take a label.

    Only boundary changes write sentences, each with the article row locked, so
    the figure is set, not added to (docs/architecture.md, "Derived counts").
    """
    labelable = _labelable(planned)
    Article.objects.filter(pk=article.pk).update(labelable_count=labelable)
    article.labelable_count = labelable


def _content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _usernames(annotations: list[Annotation], golds: list[GoldLabel]) -> dict[int, str]:
    ids = {a.annotator_id for a in annotations}
    ids |= {g.decided_by_id for g in golds if g.decided_by_id is not None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))


def _labels_json(
    annotations: list[Annotation],
    golds: list[GoldLabel],
    old_by_id: dict,
    keys: dict,
    names: dict[int, str],
) -> list[dict]:
    out = []
    for a in annotations:
        s = old_by_id[a.sentence_id]
        out.append(
            {
                "start": s.start, "end": s.end,
                "annotator": names.get(a.annotator_id, ""),
                "label": keys.get(a.label_id, ""), "note": a.note,
                "source": a.source, "version": a.version, "needs_review": a.needs_review,
                "review_reason": a.review_reason, "review_from": a.review_from,
                "guideline_version": a.guideline_version,
            }
        )  # fmt: skip
    for g in golds:
        s = old_by_id[g.sentence_id]
        out.append(
            {
                "start": s.start, "end": s.end, "gold": True,
                "label": keys.get(g.label_id, ""), "note": g.note,
                "source": g.source, "origin": g.origin,
                "decided_by": names.get(g.decided_by_id) if g.decided_by_id else None,
                "needs_review": g.needs_review, "review_reason": g.review_reason,
                "review_from": g.review_from,
            }
        )  # fmt: skip
    return out


def _targets(
    gone: list[Sentence], planned: list[Planned], offsets: OffsetMap, text: str
) -> dict[int, list[tuple[tuple[int, int], Planned]]]:
    """For each old sentence, the new sentences standing where it stood, with a score:
    (characters shared unchanged, characters of overlap with what replaced it).
    One pass over both lists, which are in text order."""
    out: dict[int, list[tuple[tuple[int, int], Planned]]] = {}
    k = 0
    for s in gone:
        lo, hi = offsets.around(s.start, s.end)
        while k < len(planned) and planned[k].end <= lo:
            k += 1
        found = []
        j = k
        while j < len(planned) and planned[j].start < hi:
            p = planned[j]
            shared = offsets.shared((s.start, s.end), (p.start, p.end))
            overlap = min(hi, p.end) - max(lo, p.start)
            if shared or overlap > 0:
                found.append(((shared, overlap), p))
            j += 1
        out[s.pk] = found
    return out


def _choose(
    found: list[tuple[tuple[int, int], Sentence, Carried]],
    p: Planned,
    kind: str,
    reason: str,
    always_review: bool,
    parts: int,
) -> Carried:
    """The label a new sentence takes for one annotator, from the old sentences it overlaps."""
    score, source_sentence, value = max(found, key=lambda f: f[0])
    new_length = p.end - p.start
    similar = 2 * score[0] / (len(source_sentence.text) + new_length) >= SAME_SENTENCE
    agree = all(_same_value(v, value) for _, _, v in found)
    unsure = any(v.needs_review for _, _, v in found)
    if kind == Edit.MERGE:
        # No choice is needed only when every part held the same value.
        review = not agree or len(found) < parts or unsure
    else:
        review = always_review or not agree or not similar or unsure
    if not review:
        return dataclasses.replace(value)
    sources: list[dict] = []
    for _, s, v in sorted(found, key=lambda f: f[1].start):
        sources = _add_entries(sources, _from_entries(s.text, v))
    return dataclasses.replace(
        value,
        needs_review=True,
        review_reason=reason if not value.needs_review else value.review_reason or reason,
        review_from=sources,
    )


def _annotation_row(row: Sentence, who: int, value: Carried, *, version: int) -> Annotation:
    return Annotation(
        sentence=row,
        annotator_id=who,
        label_id=value.label_id,
        note=value.note,
        source=value.source,
        guideline_version=value.guideline_version,
        version=version,
        needs_review=value.needs_review,
        review_reason=value.review_reason if value.needs_review else "",
        review_from=value.review_from if value.needs_review else [],
    )


def _gold_row(row: Sentence, value: Carried) -> GoldLabel:
    return GoldLabel(
        sentence=row,
        label_id=value.label_id,
        origin=value.origin or GoldLabel.Origin.ADJUDICATED,
        decided_by_id=value.decided_by_id,
        note=value.note,
        source=value.source,
        needs_review=value.needs_review,
        review_reason=value.review_reason if value.needs_review else "",
        review_from=value.review_from if value.needs_review else [],
    )


def _event(
    *,
    article: Article,
    sentence: Sentence,
    annotator_id: int,
    by: User | None,
    edit: SegmentationEdit,
    action: str,
    old: Carried | None,
    new: Carried | None,
    version: int,
    at,
) -> AnnotationEvent:
    # A boundary change run by the system (a new segmentation) is recorded as the
    # annotator's own: the label is theirs, the edit row says who asked for it.
    return AnnotationEvent(
        article=article,
        sentence=sentence,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        sentence_text=sentence.text,
        annotator_id=annotator_id,
        changed_by_id=by.pk if by is not None else annotator_id,
        action=action,
        old_label=old.label_key if old else "",
        old_note=old.note if old else "",
        old_source=old.source if old else "",
        new_label=new.label_key if new else "",
        new_note=new.note if new else "",
        new_source=new.source if new else "",
        version=version,
        edit=edit,
        at=at,
    )


def _carry_event(article, a: Annotation, by, edit, now, keys) -> AnnotationEvent:
    value = Carried(label_id=a.label_id, label_key=keys.get(a.label_id, ""), note=a.note,
                    source=a.source)  # fmt: skip
    return _event(
        article=article, sentence=a.sentence, annotator_id=a.annotator_id, by=by, edit=edit,
        action=AnnotationEvent.Action.CARRY, old=None, new=value, version=a.version, at=now,
    )  # fmt: skip


def _place_orphans(
    *,
    article: Article,
    orphans: list[tuple[Sentence, int | None, Carried]],
    planned: list[Planned],
    offsets: OffsetMap,
    by,
    edit,
    now,
    events: list[AnnotationEvent],
    keys: dict,
    kind: str,
    reason: str,
    counts: dict,
    placed: Counter[int],
) -> int:
    """Labels whose sentence left no labelable trace go, for review, to the nearest sentence.

    A segment marked a heading loses its labels instead (they stay in the edit and
    the history; undoing the mark puts them back). With no labelable sentence left
    at all, the history alone keeps them. Returns how many labels now ask for review;
    ``placed`` counts, by annotator, the annotations it creates.
    """
    if not orphans:
        return 0
    labelable = [p for p in planned if p.kind == Sentence.Kind.SENTENCE and p.row is not None]
    if not labelable:
        counts["retired"] += len(orphans)
        return 0
    starts = [p.start for p in labelable]
    review = 0
    for s, who, value in orphans:
        at = offsets.around(s.start, s.end)[0]
        k = max(0, bisect_right(starts, at) - 1)
        if k + 1 < len(labelable) and abs(labelable[k + 1].start - at) < abs(at - labelable[k].end):
            k += 1
        row = labelable[k].row
        assert row is not None  # noqa: S101
        entries = _from_entries(s.text, value)
        counts["carried"] += 1
        if who is None:
            gold = GoldLabel.objects.filter(sentence=row).first()
            if gold is None:
                flagged = dataclasses.replace(
                    value, needs_review=True, review_reason=reason, review_from=entries
                )
                _gold_row(row, flagged).save()
            else:
                gold.needs_review = True
                gold.review_reason = gold.review_reason or reason
                gold.review_from = _add_entries(gold.review_from, entries)
                gold.save(update_fields=["needs_review", "review_reason", "review_from"])
            review += 1
            continue
        current = Annotation.objects.filter(sentence=row, annotator_id=who).first()
        if current is None:
            last = (
                AnnotationEvent.objects.filter(sentence=row, annotator_id=who)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            ) or 0
            row_placed = _annotation_row(
                row,
                who,
                dataclasses.replace(
                    value, needs_review=True, review_reason=reason, review_from=entries
                ),
                version=last + 1,
            )
            row_placed.save()
            placed[who] += 1
            events.append(_carry_event(article, row_placed, by, edit, now, keys))
        else:
            current.needs_review = True
            current.review_reason = current.review_reason or reason
            current.review_from = _add_entries(current.review_from, entries)
            current.version += 1
            current.save(update_fields=["needs_review", "review_reason", "review_from", "version"])
            events.append(_carry_event(article, current, by, edit, now, keys))
        review += 1
    return review


# -- the edits ----------------------------------------------------------------------------


def _current_plan(article: Article) -> list[Planned]:
    return [
        Planned(start=s.start, end=s.end, paragraph=s.paragraph, kind=s.kind)
        for s in Sentence.objects.filter(article=article).order_by("index")
    ]


def _find(sentences: Iterable[Sentence], sentence_id: int) -> int:
    for i, s in enumerate(sentences):
        if s.pk == sentence_id:
            return i
    raise BoundaryConflict(
        f"Sentence {sentence_id} is no longer in this article: someone changed its "
        "boundaries. Reload the article to see them."
    )


def sentence_split(*, article_id: int, sentence_id: int, at: int, by: User) -> EditOutcome:
    """Split a sentence in two at ``at`` code points from its start; each part keeps its
    labels, marked for a check."""
    with transaction.atomic():
        article = _locked_article(article_id)
        _require_ready(article)
        sentences = list(Sentence.objects.filter(article=article).order_by("index"))
        i = _find(sentences, sentence_id)
        s = sentences[i]
        if s.kind != Sentence.Kind.SENTENCE:
            raise ValidationError({"sentence": "A heading is not split; mark it a sentence first."})
        if not 0 < at < len(s.text):
            raise ValidationError(
                {"at": f"Split inside the sentence: between 1 and {len(s.text) - 1}."}
            )
        left_end = s.start + len(s.text[:at].rstrip())
        right_start = s.start + at + (len(s.text[at:]) - len(s.text[at:].lstrip()))
        if left_end <= s.start or right_start >= s.end:
            raise ValidationError({"at": "Both parts of a split need some text."})
        planned = _current_plan(article)
        parts = [
            Planned(start=s.start, end=left_end, paragraph=s.paragraph, kind=s.kind),
            Planned(start=right_start, end=s.end, paragraph=s.paragraph, kind=s.kind),
        ]
        planned[i : i + 1] = parts
        return boundaries_apply(
            article=article, planned=planned, kind=Edit.SPLIT, by=by,
            reason=ReviewReason.SPLIT, always_review=True,
        )  # fmt: skip


def sentences_merge(*, article_id: int, sentence_id: int, next_id: int, by: User) -> EditOutcome:
    """Merge a sentence with the one after it (``next_id``, as the caller saw it)."""
    with transaction.atomic():
        article = _locked_article(article_id)
        _require_ready(article)
        sentences = list(Sentence.objects.filter(article=article).order_by("index"))
        i = _find(sentences, sentence_id)
        if i + 1 >= len(sentences):
            raise ValidationError({"sentence": "The last segment has nothing after it to merge."})
        first, second = sentences[i], sentences[i + 1]
        if second.pk != next_id:
            raise BoundaryConflict(
                "The segment after this one has changed since you loaded the article; "
                "reload it and merge again."
            )
        merged_kind = (
            Sentence.Kind.HEADING
            if first.kind == second.kind == Sentence.Kind.HEADING
            else Sentence.Kind.SENTENCE
        )
        planned = _current_plan(article)
        planned[i : i + 2] = [
            Planned(start=first.start, end=second.end, paragraph=first.paragraph, kind=merged_kind)
        ]
        return boundaries_apply(
            article=article, planned=planned, kind=Edit.MERGE, by=by, reason=ReviewReason.MERGE
        )


def sentence_kind_set(*, article_id: int, sentence_id: int, kind: str, by: User) -> EditOutcome:
    """Mark a segment a heading (it takes no label: its labels come off, kept in the history)
    or a sentence to label."""
    if kind not in Sentence.Kind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(Sentence.Kind.values)}."})
    with transaction.atomic():
        article = _locked_article(article_id)
        _require_ready(article)
        sentences = list(Sentence.objects.filter(article=article).order_by("index"))
        i = _find(sentences, sentence_id)
        if sentences[i].kind == kind:
            return EditOutcome(edit=None, removed=[], created=[])
        planned = _current_plan(article)
        planned[i].kind = kind
        return boundaries_apply(
            article=article,
            planned=planned,
            kind=Edit.HEADING if kind == Sentence.Kind.HEADING else Edit.SENTENCE,
            by=by,
            reason=ReviewReason.SPLIT,
        )


UNDOABLE = UNDOABLE_KINDS


def segmentation_edit_undo(*, article_id: int, edit_id: int, by: User) -> EditOutcome:
    """Undo a split, merge or heading mark: its sentences come back, and each person's
    labels as they were, unless that person changed them since (then they are carried
    and marked for review)."""
    with transaction.atomic():
        article = _locked_article(article_id)
        _require_ready(article)
        edit = SegmentationEdit.objects.filter(pk=edit_id, article=article).first()
        if edit is None:
            raise Http404(f"No edit {edit_id} on this article.")
        if edit.kind not in UNDOABLE:
            raise ValidationError(
                {"edit": "Only a split, a merge or a heading mark can be undone."}
            )
        if edit.undone_at is not None:
            raise BoundaryConflict("This edit was undone already.")
        sentences = list(Sentence.objects.filter(article=article).order_by("index"))
        # Found by place and kind, not id: ids change when an archive is restored.
        where = {(s.start, s.end, s.kind): i for i, s in enumerate(sentences)}
        after = edit.after
        positions = [where.get((item["start"], item["end"], item["kind"])) for item in after]
        if not after or any(i is None for i in positions):
            raise BoundaryConflict(
                "The sentences of this edit have changed since; undo the later edits first, "
                "or change the boundaries again by hand."
            )
        first = min(p for p in positions if p is not None)
        last = max(p for p in positions if p is not None)
        planned = _current_plan(article)
        planned[first : last + 1] = [
            Planned(
                start=item["start"], end=item["end"], paragraph=item["paragraph"], kind=item["kind"]
            )
            for item in edit.before
        ]
        after_ids = [sentences[i].pk for i in positions if i is not None]
        changed_since = set(
            AnnotationEvent.objects.filter(sentence_id__in=after_ids, at__gte=edit.at)
            .exclude(edit=edit)
            .values_list("annotator_id", flat=True)
        )
        users = dict(
            User.objects.filter(
                username__in={i.get("annotator") or i.get("decided_by") for i in edit.labels}
                - {None}
            ).values_list("username", "pk")
        )
        label_ids = {
            key: pk
            for pk, key in Label.objects.filter(corpus_id=article.corpus_id).values_list(
                "pk", "key"
            )
        }
        restore: dict[tuple[int, int], dict[int | None, Carried]] = defaultdict(dict)
        for item in edit.labels:
            who = None if item.get("gold") else users.get(item["annotator"])
            label_id = label_ids.get(item["label"])
            if label_id is None or (who is None and not item.get("gold")):
                continue  # the label or the person is gone: the labels are carried instead
            if who is not None and who in changed_since:
                continue
            restore[(item["start"], item["end"])][who] = Carried(
                label_id=label_id,
                label_key=item["label"],
                note=item["note"],
                source=item["source"],
                needs_review=item["needs_review"],
                review_reason=item["review_reason"],
                review_from=item["review_from"],
                guideline_version=item.get("guideline_version", 1),
                origin=item.get("origin", ""),
                decided_by_id=users.get(item.get("decided_by") or ""),
            )
        reason = ReviewReason.MERGE if edit.kind == Edit.SPLIT else ReviewReason.SPLIT
        return boundaries_apply(
            article=article, planned=planned, kind=Edit.UNDO, by=by, reason=reason,
            undoes=edit, restore=restore,
        )  # fmt: skip


def _paragraph_of(fresh: list[segmenter.Segment]):
    starts = [seg.start for seg in fresh]

    def paragraph(offset: int) -> int:
        k = bisect_right(starts, offset) - 1
        return fresh[max(0, k)].paragraph if fresh else 0

    return paragraph


def plan_for_text(
    *, old: list[Sentence], old_text: str, new_text: str, keep_intact: bool
) -> list[Planned]:
    """The sentences of ``new_text``: the segmenter's, except that (``keep_intact``) every
    old sentence whose text survived unchanged keeps its boundaries and kind (a split,
    a merge or a heading mark made by hand outlives a corrected typo elsewhere)."""
    fresh = segmenter.segment(new_text)
    if not keep_intact:
        return [Planned(s.start, s.end, s.paragraph, s.kind) for s in fresh]
    offsets = OffsetMap(equal_blocks(old_text, new_text), len(new_text))
    fixed: list[Planned] = []
    paragraph = _paragraph_of(fresh)
    for s in old:
        mapped = offsets.span(s.start, s.end)
        if mapped is not None:
            fixed.append(Planned(mapped[0], mapped[1], paragraph(mapped[0]), s.kind))
    out: list[Planned] = []
    k = 0
    position = 0
    for f in [*fixed, None]:
        gap_end = f.start if f is not None else len(new_text)
        while k < len(fresh) and fresh[k].end <= position:
            k += 1
        j = k
        while j < len(fresh) and fresh[j].start < gap_end:
            seg = fresh[j]
            lo, hi = max(seg.start, position), min(seg.end, gap_end)
            piece = new_text[lo:hi]
            if piece.strip():
                lo += len(piece) - len(piece.lstrip())
                hi -= len(piece) - len(piece.rstrip())
                out.append(Planned(lo, hi, seg.paragraph, seg.kind))
            j += 1
        if f is not None:
            out.append(f)
            position = f.end
    # Paragraph numbers never go down along the text.
    for a, b in itertools.pairwise(out):
        if b.paragraph < a.paragraph:
            b.paragraph = a.paragraph
    return out


# Edits made by hand, which a new segmentation applies again.
HAND_MADE = (Edit.SPLIT, Edit.MERGE, Edit.HEADING, Edit.SENTENCE)


def _hand_edits(article: Article) -> list[tuple[SegmentationEdit, list[dict] | None]]:
    """The article's hand-made edits that stand (not undone), oldest first, each with
    the segments it made (its ``after``) at their offsets in the current text: moved
    through every later text correction, or None when one changed their text."""
    edits = list(
        SegmentationEdit.objects.filter(article=article).select_related("by").order_by("id")
    )
    corrections = [e for e in edits if e.kind == Edit.TEXT]
    # the text each correction made: the next one's old text, or the article's text
    made = {
        e.pk: (nxt.old_text if nxt is not None else article.text)
        for e, nxt in zip(corrections, [*corrections[1:], None], strict=False)
    }
    standing: list[tuple[SegmentationEdit, list[dict] | None]] = []
    for e in edits:
        if e.kind == Edit.TEXT and standing:
            offsets = OffsetMap(equal_blocks(e.old_text, made[e.pk]), len(made[e.pk]))
            standing = [(h, _moved(items, offsets)) for h, items in standing]
        elif e.kind in HAND_MADE and e.undone_at is None:
            standing.append((e, [dict(item) for item in e.after]))
    return standing


def _moved(items: list[dict] | None, offsets: OffsetMap) -> list[dict] | None:
    if items is None:
        return None
    out = []
    for item in items:
        span = offsets.span(item["start"], item["end"])
        if span is None:
            return None
        out.append({**item, "start": span[0], "end": span[1]})
    return out


def _at(planned: list[Planned], offset: int) -> int:
    """Index of the planned segment holding the character at ``offset`` (or the last
    one starting before it)."""
    return bisect_right([p.start for p in planned], offset) - 1


def _split_again(planned: list[Planned], text: str, left: dict, right: dict) -> str:
    """Put back the boundary a split made between ``left`` and ``right``; "" when it
    holds, else why not."""
    end, start = left["end"], right["start"]
    if text[end:start].strip():
        return "Text now stands between the two parts of the split."
    k = _at(planned, end - 1)
    g = planned[k]
    if g.end <= end:
        return ""  # the new segmentation ends a segment there too
    planned[k : k + 1] = [
        Planned(g.start, end, g.paragraph, g.kind),
        Planned(start, g.end, g.paragraph, g.kind),
    ]
    return ""


def _merge_again(planned: list[Planned], merged: dict) -> str:
    """Make the stretch a merge made one segment again; "" when it holds, else why not."""
    first, last = _at(planned, merged["start"]), _at(planned, merged["end"] - 1)
    if first == last and planned[first].start <= merged["start"]:
        return ""  # one segment of the new segmentation holds the whole stretch
    if planned[first].start != merged["start"] or planned[last].end != merged["end"]:
        return (
            "The new segmentation starts or ends segments inside the merged stretch's "
            "first or last part, so it cannot be merged as it was."
        )
    planned[first : last + 1] = [
        Planned(merged["start"], merged["end"], planned[first].paragraph, merged["kind"])
    ]
    return ""


def _mark_again(planned: list[Planned], marked: dict) -> str:
    """Give the marked segment its kind again; "" when it holds, else why not."""
    k = _at(planned, marked["start"])
    if k < 0 or (planned[k].start, planned[k].end) != (marked["start"], marked["end"]):
        return "The new segmentation has no segment with the marked one's bounds."
    planned[k].kind = marked["kind"]
    return ""


def _reapply_hand_edits(article: Article, planned: list[Planned]) -> dict:
    """Apply the article's standing hand-made edits again on a new segmentation
    ``planned`` (changed in place), oldest first, wherever the text at the edit is
    still the same; returns what was kept and what could not be, and why, for the
    history (``SegmentationEdit.hand_edits``)."""
    kept: list[dict] = []
    not_kept: list[dict] = []
    text = article.text
    for edit, items in _hand_edits(article):
        if items is None or any(text[i["start"] : i["end"]] != i["text"] for i in items):
            why = "The text at the edit was changed since."
        elif edit.kind == Edit.SPLIT and len(items) == 2:
            why = _split_again(planned, text, items[0], items[1])
        elif edit.kind == Edit.MERGE and len(items) == 1:
            why = _merge_again(planned, items[0])
        elif edit.kind in (Edit.HEADING, Edit.SENTENCE) and len(items) == 1:
            why = _mark_again(planned, items[0])
        else:
            why = "The edit's record does not say where it applies."
        entry = {
            "kind": edit.kind,
            "by": edit.by.username if edit.by is not None else None,
            "at": edit.at.isoformat(),
            "segments": [
                {key: i[key] for key in ("start", "end", "kind", "text")} for i in items or []
            ]
            or edit.after,
        }
        if why:
            not_kept.append({**entry, "reason": why})
        else:
            kept.append(entry)
    return {"kept": kept, "not_kept": not_kept} if kept or not_kept else {}


def _sentences_store(article_id: int, text: str, planned: list[Planned]) -> None:
    """An article's first sentences: one statement of arrays on PostgreSQL
    (``articles.sql.sentences_insert``), the ORM's bulk insert elsewhere."""
    if connection.vendor == "postgresql":
        sentences_insert(article_id=article_id, text=text, segments=planned)
        return
    Sentence.objects.bulk_create(
        [
            Sentence(
                article_id=article_id, index=i, start=p.start, end=p.end,
                paragraph=p.paragraph, kind=p.kind, text=text[p.start : p.end],
            )
            for i, p in enumerate(planned)
        ],
        batch_size=1000,
    )  # fmt: skip


def sentences_first_store(*, article_id: int, text: str, segments: list[segmenter.Segment]) -> int:
    """Store the first sentences of a locked article that has none (its first
    segmentation: no labels, no edit to carry); how many of them take a label.
    The caller stores that count with the article's new status."""
    planned = [Planned(s.start, s.end, s.paragraph, s.kind) for s in segments]
    _sentences_store(article_id, text, planned)
    return _labelable(planned)


def sentences_resegment(*, article: Article, segments: list[segmenter.Segment]) -> EditOutcome:
    """Make a locked article's sentences ``segments`` (a new segmentation), carrying labels.

    The first segmentation of an article writes its sentences and no edit. A later
    one applies again, on top of the new segments, the splits, merges and heading or
    sentence marks made by hand, wherever the text at the edit is the same; the
    edit it writes says which were kept and which could not be, and why.
    """
    planned = [Planned(s.start, s.end, s.paragraph, s.kind) for s in segments]
    if not Sentence.objects.filter(article=article).exists():
        _sentences_store(article.pk, article.text, planned)
        _labelable_count_set(article, planned)
        return EditOutcome(edit=None, removed=[], created=[])
    hand_edits = _reapply_hand_edits(article, planned)
    validate_segments(
        article.text, [segmenter.Segment(p.start, p.end, p.paragraph, p.kind) for p in planned]
    )
    return boundaries_apply(
        article=article, planned=planned, kind=Edit.RESEGMENT, by=None,
        reason=ReviewReason.RESEGMENTED, hand_edits=hand_edits,
    )  # fmt: skip


def article_text_correct(*, article_id: int, text: str, based_on: str, by: User) -> EditOutcome:
    """Replace an article's text (typos, a missing paragraph), keeping every label.

    ``based_on`` is the ``content_hash`` of the text the owner corrected; if the
    text changed since, nothing is written (409). Sentences whose text survived
    keep their boundaries; the changed stretches are segmented afresh and their
    labels carried through a diff of the two texts.
    """
    text = normalise_text(text)
    if not text.strip():
        raise ValidationError({"text": "The text is empty; an article needs its text."})
    if "\x00" in text:
        raise ValidationError({"text": "The text holds a NUL character."})
    if len(text) > settings.MAX_ARTICLE_CHARS:
        raise ValidationError(
            {"text": f"The text has {len(text):,} characters; the limit is "
                     f"{settings.MAX_ARTICLE_CHARS:,}."}
        )  # fmt: skip
    with transaction.atomic():
        article = _locked_article(article_id)
        _require_ready(article)
        if article.content_hash != based_on:
            raise BoundaryConflict(
                "The article's text changed since you loaded it; reload it and correct it again."
            )
        if text == article.text:
            return EditOutcome(edit=None, removed=[], created=[])
        old = list(Sentence.objects.filter(article=article).order_by("index"))
        planned = plan_for_text(old=old, old_text=article.text, new_text=text, keep_intact=True)
        validate_segments(
            text, [segmenter.Segment(p.start, p.end, p.paragraph, p.kind) for p in planned]
        )
        return boundaries_apply(
            article=article, planned=planned, kind=Edit.TEXT, by=by, new_text=text,
            reason=ReviewReason.TEXT,
        )  # fmt: skip
