"""The history of label changes, gold decisions and boundary changes, as a member may
read it: everyone's labels, or only their own; the boundary changes of every article
they can see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import F, IntegerField, QuerySet, Value

from articles.models import AnnotationEvent, Article, GoldEvent, SegmentationEdit, Sentence
from articles.selectors.segmentation import segmentation_edits_by_id
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


# --- the history pages: label changes and gold decisions in one list ----------

# What the history pages filter on, by the name the page's form uses.
HISTORY_ACTIONS = {
    "create": "Label set",
    "update": "Label changed",
    "clear": "Label cleared",
    "decide": "Gold decided",
    "withdraw": "Gold withdrawn",
    "boundary": "Boundary changed",  # any SegmentationEdit: split, merge, new segmentation...
}
BOUNDARY = "boundary"
_GOLD_ACTIONS: set[str] = set(GoldEvent.Action.values)
_ROW_FIELDS = (
    "kind",
    "row_id",
    "at",
    "action",
    "sentence_ref",
    "article_ref",
    "text",
    "person",
    "actor",
    "old_label",
    "new_label",
    "old_note",
    "new_note",
    "old_source",
    "new_source",
)


@dataclass(frozen=True)
class HistoryFilter:
    annotator: str = ""  # a username: their label changes, or their gold decisions
    action: str = ""  # a key of HISTORY_ACTIONS
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive


def _label_rows(events: QuerySet[AnnotationEvent]) -> QuerySet:
    return events.annotate(
        kind=Value("label"),
        row_id=F("id"),
        sentence_ref=F("sentence_id"),
        article_ref=F("article_id"),
        text=F("sentence_text"),
        person=F("annotator__username"),
        actor=F("changed_by__username"),
    ).values_list(*_ROW_FIELDS)


def _gold_rows(events: QuerySet[GoldEvent]) -> QuerySet:
    return events.annotate(
        kind=Value("gold"),
        row_id=F("id"),
        sentence_ref=F("sentence_id"),
        article_ref=F("article_id"),
        text=F("sentence_text"),
        person=F("decided_by__username"),
        actor=F("decided_by__username"),
    ).values_list(*_ROW_FIELDS)


def _boundary_rows(edits: QuerySet[SegmentationEdit]) -> QuerySet:
    # Every column an annotation, so the select list keeps ``_ROW_FIELDS``' order
    # (the model's own ``kind`` field would clash with the row's).
    blank = Value("")
    return edits.annotate(
        row_kind=Value(BOUNDARY),
        row_id=F("id"),
        row_at=F("at"),
        row_action=F("kind"),
        sentence_ref=Value(None, output_field=IntegerField()),
        article_ref=F("article_id"),
        row_text=blank,
        person=F("by__username"),
        actor=F("by__username"),
        row_old_label=blank,
        row_new_label=blank,
        row_old_note=blank,
        row_new_note=blank,
        row_old_source=blank,
        row_new_source=blank,
    ).values_list(
        "row_kind", "row_id", "row_at", "row_action", "sentence_ref", "article_ref", "row_text",
        "person", "actor", "row_old_label", "row_new_label", "row_old_note", "row_new_note",
        "row_old_source", "row_new_source",
    )  # fmt: skip


def _boundary_filtered(edits: QuerySet, when: HistoryFilter) -> QuerySet:
    if when.annotator:
        edits = edits.filter(by__username=when.annotator)
    if when.action and when.action != BOUNDARY:
        edits = edits.none()
    if when.since:
        edits = edits.filter(at__gte=when.since)
    if when.until:
        edits = edits.filter(at__lt=when.until)
    return edits


def _filtered(events: QuerySet, person: str, when: HistoryFilter, actions: set[str]) -> QuerySet:
    if when.annotator:
        events = events.filter(**{f"{person}__username": when.annotator})
    if when.action:
        events = events.filter(action=when.action) if when.action in actions else events.none()
    if when.since:
        events = events.filter(at__gte=when.since)
    if when.until:
        events = events.filter(at__lt=when.until)
    return events


def history_rows(
    *,
    user,
    role: str,
    when: HistoryFilter,
    corpus: Corpus | None = None,
    article: Article | None = None,
    sentence: Sentence | None = None,
) -> QuerySet:
    """Label changes, gold decisions and boundary changes of a corpus, of an article or
    (labels and gold only) of one sentence, newest first, as tuples of ``_ROW_FIELDS``
    (read a page of them with ``history_page_rows``); one query per page.

    Annotators (no right to see all labels) get their own label changes only and
    no gold decisions, as in the rest of the app; the boundary changes of what
    they can see are everyone's, as in the API (GET /api/articles/{id}/segmentation/).
    """
    labels = AnnotationEvent.objects.all()
    gold = GoldEvent.objects.all()
    edits = SegmentationEdit.objects.none()
    if sentence is not None:
        labels, gold = labels.filter(sentence=sentence), gold.filter(sentence=sentence)
    elif article is not None:
        labels, gold = labels.filter(article=article), gold.filter(article=article)
        edits = SegmentationEdit.objects.filter(article=article)
    elif corpus is not None:
        # The events' own article: an event outlives its sentence (invariant 3).
        labels = labels.filter(article__corpus=corpus)
        gold = gold.filter(article__corpus=corpus)
        edits = SegmentationEdit.objects.filter(article__corpus=corpus)
    else:  # pragma: no cover - a programming error
        raise ValueError("history_rows needs a corpus, an article or a sentence")
    labels = _filtered(labels, "annotator", when, set(AnnotationEvent.Action.values))
    if has_right(role, Right.SEE_ALL_LABELS):
        gold = _filtered(gold, "decided_by", when, _GOLD_ACTIONS)
    else:
        labels, gold = labels.filter(annotator=user), gold.none()
    # The models' default ordering is cleared: SQLite allows no ORDER BY inside a UNION.
    edits = _boundary_filtered(edits, when)
    return (
        _label_rows(labels.order_by())
        .union(_gold_rows(gold.order_by()), _boundary_rows(edits.order_by()), all=True)
        .order_by("-at", "-row_id")
    )


@dataclass(frozen=True)
class HistoryRow:
    kind: str  # "label", "gold" or "boundary"
    id: int
    at: dt.datetime
    action: str
    sentence_id: int | None
    article_id: int
    text: str
    person: str | None  # whose label, the reviewer who decided gold, who changed boundaries
    actor: str | None  # who made the change (None: a boundary change by the system)
    old_label: str
    new_label: str
    old_note: str
    new_note: str
    old_source: str
    new_source: str
    # A boundary change: the edit itself (its sentences before and after, labels, undo).
    edit: SegmentationEdit | None = None

    @property
    def action_name(self) -> str:
        if self.kind == BOUNDARY:
            return SegmentationEdit.Kind(self.action).label
        if self.action in HISTORY_ACTIONS:
            return HISTORY_ACTIONS[self.action]
        # A label a boundary change carried, retired or had checked.
        return AnnotationEvent.Action(self.action).label


def history_row(values: tuple) -> HistoryRow:
    row = HistoryRow(*values)
    if isinstance(row.at, str):  # SQLite gives a UNION's times back as text
        at = dt.datetime.fromisoformat(row.at)
        row = replace(row, at=at if at.tzinfo else at.replace(tzinfo=dt.UTC))
    return row


def history_page_rows(rows) -> list[HistoryRow]:
    """A page of ``history_rows``, each boundary change with its edit (one more query)."""
    out = [history_row(values) for values in rows]
    edits = segmentation_edits_by_id(ids=[r.id for r in out if r.kind == BOUNDARY])
    return [replace(r, edit=edits.get(r.id)) if r.kind == BOUNDARY else r for r in out]


def history_people(*, corpus: Corpus, article: Article | None = None) -> list[str]:
    """The usernames that appear in the corpus's (or the article's) history, for the
    page's filter."""
    scope = {"article": article} if article is not None else {"article__corpus": corpus}
    labels = AnnotationEvent.objects.filter(**scope).values_list("annotator__username", flat=True)
    gold = GoldEvent.objects.filter(**scope).values_list("decided_by__username", flat=True)
    edits = SegmentationEdit.objects.filter(**scope, by__isnull=False).values_list(
        "by__username", flat=True
    )
    return sorted(set(labels.distinct()) | set(gold.distinct()) | set(edits.distinct()))


def corpus_gold_history(
    *,
    corpus: Corpus,
    since: dt.datetime | None = None,
    reviewer_username: str | None = None,
    sentence_id: int | None = None,
) -> QuerySet[GoldEvent]:
    """Every reviewer's gold decision in ``corpus``, unordered: the caller pages it.
    For those who see all labels (the caller checks)."""
    events = GoldEvent.objects.filter(article__corpus=corpus).select_related("decided_by")
    if since:
        events = events.filter(at__gte=since)
    if reviewer_username:
        events = events.filter(decided_by__username=reviewer_username)
    if sentence_id:
        events = events.filter(sentence_id=sentence_id)
    return events


def corpus_labels_changed_since(*, corpus_id: int, since: dt.datetime) -> bool:
    """Whether anyone set, changed or cleared a label in the corpus after ``since``.

    One walk of the history's time index from ``since`` on, stopping at the
    first change in this corpus.
    """
    return AnnotationEvent.objects.filter(article__corpus_id=corpus_id, at__gt=since).exists()
