"""Sentences with their labels, as dataset clients read them (listing and export).

Who sees which labels (docs/architecture.md, invariant 4: access only through
membership): roles with SEE_ALL_LABELS (owner, reviewer, viewer) see every
annotator's labels and the gold label; an annotator sees only their own labels
and no gold, so colleagues' choices cannot sway them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypedDict

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import CombinedExpression, RawSQL

from articles.models import Annotation, AnnotationEvent, Article, GoldLabel, Sentence
from articles.offsets import utf16_offsets
from articles.selectors.articles import astral_articles
from corpora.models import Corpus
from corpora.permissions import Right, corpus_roles, has_right
from suggestions.models import Suggestion, SuggestionModel


@dataclass(frozen=True)
class DatasetScope:
    """What one caller may read: their corpora, split by whether they see all labels."""

    user_id: int
    see_all: frozenset[int]
    own_only: frozenset[int]
    only_annotator: str | None = None  # the ``annotator`` filter, if any

    @property
    def corpora(self) -> frozenset[int]:
        return self.see_all | self.own_only

    def annotations_q(self, prefix: str = "") -> Q:
        """Annotations (or events, which share the fields) this caller may see."""
        corpus = f"{prefix}sentence__article__corpus_id__in"
        visible = Q(**{corpus: list(self.see_all)}) | Q(
            **{corpus: list(self.own_only), f"{prefix}annotator_id": self.user_id}
        )
        if self.only_annotator is not None:
            visible &= Q(**{f"{prefix}annotator__username": self.only_annotator})
        return visible


def dataset_scope(
    *, user: User, corpus_id: int | None = None, annotator: str | None = None
) -> DatasetScope:
    roles = corpus_roles(user)
    if corpus_id is not None:
        roles = {cid: role for cid, role in roles.items() if cid == corpus_id}
    see_all = frozenset(c for c, role in roles.items() if has_right(role, Right.SEE_ALL_LABELS))
    return DatasetScope(
        user_id=user.pk,
        see_all=see_all,
        own_only=frozenset(roles) - see_all,
        only_annotator=annotator,
    )


def dataset_sentences(
    *,
    scope: DatasetScope,
    article_id: int | None = None,
    label: str | None = None,
    changed_since: dt.datetime | None = None,
    gold: bool | None = None,
    kind: str | None = None,
    older_guidelines: bool | None = None,
) -> QuerySet[Sentence]:
    """The sentences a listing walks through, in id order, filtered."""
    # Archived articles are left out of datasets and exports; their labels are kept.
    sentences = Sentence.objects.filter(
        article__corpus_id__in=list(scope.corpora), article__archived=False
    )
    if article_id is not None:
        sentences = sentences.filter(article_id=article_id)
    if kind:
        sentences = sentences.filter(kind=kind)
    visible = Annotation.objects.filter(scope.annotations_q(), sentence=OuterRef("pk"))
    if label:
        sentences = sentences.filter(Exists(visible.filter(label__key=label)))
    if older_guidelines is True:
        # Labels made under guidelines older than their corpus's current version:
        # what a re-check after a guidelines change looks at.
        sentences = sentences.filter(
            Exists(
                visible.filter(
                    guideline_version__lt=OuterRef("article__corpus__guidelines_version")
                )
            )
        )
    if scope.only_annotator is not None and changed_since is None:
        # With changed_since the events below already pick this annotator's
        # sentences, including those whose label was cleared.
        sentences = sentences.filter(Exists(visible))
    if changed_since is not None:
        events = AnnotationEvent.objects.filter(
            scope.annotations_q(), sentence=OuterRef("pk"), at__gte=changed_since
        )
        gold_changed = Q(
            gold__updated_at__gte=changed_since, article__corpus_id__in=list(scope.see_all)
        )
        sentences = sentences.filter(Exists(events) | gold_changed)
    if gold is True:
        sentences = sentences.filter(gold__isnull=False, article__corpus_id__in=list(scope.see_all))
    elif gold is False:
        sentences = sentences.exclude(
            gold__isnull=False, article__corpus_id__in=list(scope.see_all)
        )
    return sentences.order_by("pk")


@dataclass(frozen=True)
class DatasetListing:
    """What the listing pages through: the caller's scope and its sentences (ids only)."""

    scope: DatasetScope
    sentences: QuerySet[Sentence]


def dataset_listing(
    *,
    user: User,
    corpus_id: int | None = None,
    annotator: str | None = None,
    article_id: int | None = None,
    label: str | None = None,
    changed_since: dt.datetime | None = None,
    gold: bool | None = None,
    kind: str | None = None,
    older_guidelines: bool | None = None,
) -> DatasetListing:
    """The listing's scope and filtered sentences, in id order, for a cursor paginator.

    Only the ids are loaded: a page's rows come from ``dataset_rows``.
    """
    scope = dataset_scope(user=user, corpus_id=corpus_id, annotator=annotator)
    sentences = dataset_sentences(
        scope=scope,
        article_id=article_id,
        label=label,
        changed_since=changed_since,
        gold=gold,
        kind=kind,
        older_guidelines=older_guidelines,
    ).only("pk")
    return DatasetListing(scope=scope, sentences=sentences)


def iso(value: dt.datetime) -> str:
    """UTC with microseconds and a Z: the same instant always gives the same text.

    PostgreSQL's side of the export writes ``to_char(.., 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')``,
    the same text.
    """
    utc = value.astimezone(dt.UTC)
    if utc.year >= 1000:
        # The same text as strftime below (which writes years before 1000 without
        # their leading zeros), in less than half its time: an export writes one
        # for every label.
        return utc.isoformat(timespec="microseconds")[:-6] + "Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The shape of a listing row and of a JSONL export line: the one place it is
# declared. The listing builds these dicts here rather than through
# DatasetRowSerializer, which measured 38-41% slower on a page of 1,000-2,000
# rows; the serializers (datasets/api/serializers.py, which document the
# schema) are checked against these fields, in order, by
# tests/datasets/test_row_shape.py.


class DatasetArticle(TypedDict):
    id: int
    title: str
    author: str
    outlet: str
    source_url: str
    published_on: str | None


class DatasetSentence(TypedDict):
    id: int
    index: int
    text: str
    start: int
    end: int
    start_utf16: int
    end_utf16: int
    paragraph: int
    kind: str


class DatasetAnnotation(TypedDict):
    annotator: str
    label: str
    note: str
    source: str
    guideline_version: int
    updated_at: str
    suggested_by: str


class DatasetGold(TypedDict):
    label: str
    origin: str
    decided_by: str | None
    note: str
    source: str
    decided_at: str


class DatasetSuggestion(TypedDict):
    model: str
    label: str
    score: float


class DatasetRow(TypedDict):
    corpus: str
    article: DatasetArticle
    sentence: DatasetSentence
    annotations: list[DatasetAnnotation]
    gold: DatasetGold | None
    suggestions: list[DatasetSuggestion] | None


SENTENCE_FIELDS = (
    "pk",
    "index",
    "text",
    "start",
    "end",
    "paragraph",
    "kind",
    "article_id",
    "article__corpus__slug",
    "article__corpus_id",
    "gold__label__key",
    "gold__origin",
    "gold__decided_by__username",
    "gold__note",
    "gold__source",
    "gold__updated_at",
)
# Where the gold columns sit in a row of SENTENCE_FIELDS: label, origin,
# decided_by, note, source, decided_at (the time of the latest decision).
GOLD_COLUMNS = slice(10, 16)
ARTICLE_FIELDS = ("pk", "title", "author", "outlet", "source_url", "published_on")
ANNOTATION_FIELDS = (
    "sentence_id",
    "annotator__username",
    "label__key",
    "note",
    "source",
    "guideline_version",
    "updated_at",
    "suggested_by",
)


def many_ids(ids: list[int]) -> list[int] | RawSQL:
    """``ids`` as the right side of an ``__in`` lookup: on SQLite, one JSON parameter
    that ``json_each`` reads back.

    Django prepares each value of a list on its own: about 5 µs an id, which for
    the three id lists of every chunk (gold, annotations, suggestions) was a
    quarter of a SQLite export's time. SQLite still probes the index by each id.
    """
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return ids


def _visible_annotations_of(sentence_rows: list[tuple], scope: DatasetScope) -> Q:
    """The annotations of these sentence rows that the caller may see.

    Each row names its corpus, so the condition is on sentence ids (and the
    annotator where the caller sees only their own labels) without joining
    sentences and articles: with the corpus condition through that join,
    SQLite walked every sentence of the corpus for each chunk, and an export
    slowed with the square of the corpus.
    """
    everyone = [row[0] for row in sentence_rows if row[9] in scope.see_all]
    own = [row[0] for row in sentence_rows if row[9] in scope.own_only]
    visible = Q(pk__in=[])
    if everyone:
        visible |= Q(sentence_id__in=many_ids(everyone))
    if own:
        visible |= Q(sentence_id__in=many_ids(own), annotator_id=scope.user_id)
    if scope.only_annotator is not None:
        visible &= Q(annotator__username=scope.only_annotator)
    return visible


def dataset_chunk(
    *,
    sentence_rows: list[tuple],
    scope: DatasetScope,
    annotation_fields: tuple = ANNOTATION_FIELDS,
) -> tuple[dict[int, tuple], dict[int, list[tuple]]]:
    """The articles and visible annotations of some sentence rows (of SENTENCE_FIELDS).

    Two queries whatever the number of rows: articles by id, annotations by
    sentence id, ordered by annotator so the output is deterministic. The
    annotations are rows of ``annotation_fields`` (ANNOTATION_FIELDS, or the
    same columns with some read as expressions).
    """
    article_ids = {row[7] for row in sentence_rows}
    articles = {
        row[0]: row
        for row in Article.objects.filter(pk__in=article_ids).values_list(*ARTICLE_FIELDS)
    }
    annotations: dict[int, list[tuple]] = {}
    for row in (
        Annotation.objects.filter(_visible_annotations_of(sentence_rows, scope))
        .order_by("sentence_id", "annotator__username")
        .values_list(*annotation_fields)
    ):
        annotations.setdefault(row[0], []).append(row)
    return articles, annotations


def dataset_suggestions(*, sentence_rows: list[tuple]) -> dict[int, list[tuple]]:
    """Machine suggestions (each model's label and score) of some sentence rows, by sentence id.

    Kept apart from the annotations: a machine's output never passes for a
    person's. One query, ordered by model so the output is deterministic.
    """
    found: dict[int, list[tuple]] = {}
    for row in (
        Suggestion.objects.filter(
            sentence_id__in=many_ids([r[0] for r in sentence_rows]),
            # A running training's suggestions are stored batch by batch; only done models show.
            model__status=SuggestionModel.Status.DONE,
        )
        .order_by("sentence_id", "model__name", "model__version", "model_id")
        .values_list("sentence_id", "model__name", "model__version", "label", "score")
    ):
        found.setdefault(row[0], []).append((f"{row[1]} v{row[2]}", row[3], row[4]))
    return found


def sentence_utf16_spans(
    *, sentences: Iterable[tuple[int, int, int, int]]
) -> dict[int, tuple[int, int]]:
    """Each sentence's start and end in UTF-16 code units, by sentence id.

    ``sentences``: (sentence id, article id, start, end) with start and end in
    code points. One query, which reads back only the texts that hold a
    character outside the Basic Multilingual Plane (the database searches the
    others); each of those is scanned once (``articles.offsets``). In the
    others the two kinds of offsets are the same.
    """
    sentences = list(sentences)
    spans = {sentence[0]: (sentence[2], sentence[3]) for sentence in sentences}
    astral = astral_articles(article_ids={sentence[1] for sentence in sentences})
    if not astral:
        return spans
    # Only the sentences of those articles are gathered (most chunks have none).
    by_article: dict[int, list[tuple[int, int, int, int]]] = {aid: [] for aid in astral}
    for sentence in sentences:
        if sentence[1] in by_article:
            by_article[sentence[1]].append(sentence)
    for article_id, text in astral.items():
        rows = by_article[article_id]
        offsets = utf16_offsets(text, (offset for row in rows for offset in row[2:4]))
        for i, row in enumerate(rows):
            spans[row[0]] = (offsets[2 * i], offsets[2 * i + 1])
    return spans


def sentence_rows_utf16_spans(rows: list[tuple]) -> dict[int, tuple[int, int]]:
    """``sentence_utf16_spans`` of rows of SENTENCE_FIELDS."""
    return sentence_utf16_spans(sentences=[(r[0], r[7], r[3], r[4]) for r in rows])


def dataset_row(
    sentence: tuple,
    article: tuple,
    annotations: Iterable[tuple],
    *,
    show_gold: bool,
    utf16: tuple[int, int],
    suggestions: Iterable[tuple] = (),
) -> DatasetRow:
    """One row of the listing and of the JSONL export; ``utf16``: the sentence's span
    in UTF-16 code units (``sentence_utf16_spans``). Suggestions are shown where gold is
    (to those who see all labels), else null."""
    (pk, index, text, start, end, paragraph, kind, _, slug, _) = sentence[:10]
    g_label, g_origin, g_by, g_note, g_source, g_at = sentence[GOLD_COLUMNS]
    return {
        "corpus": slug,
        "article": {
            "id": article[0],
            "title": article[1],
            "author": article[2],
            "outlet": article[3],
            "source_url": article[4],
            "published_on": article[5].isoformat() if article[5] else None,
        },
        "sentence": {
            "id": pk,
            "index": index,
            "text": text,
            "start": start,
            "end": end,
            "start_utf16": utf16[0],
            "end_utf16": utf16[1],
            "paragraph": paragraph,
            "kind": kind,
        },
        "annotations": [
            {
                "annotator": a[1],
                "label": a[2],
                "note": a[3],
                "source": a[4],
                "guideline_version": a[5],
                "updated_at": iso(a[6]),
                "suggested_by": a[7],
            }
            for a in annotations
        ],
        "gold": {
            "label": g_label,
            "origin": g_origin,
            "decided_by": g_by,
            "note": g_note,
            "source": g_source,
            "decided_at": iso(g_at),
        }
        if show_gold and g_label is not None
        else None,
        "suggestions": [{"model": m, "label": lab, "score": sc} for m, lab, sc in suggestions]
        if show_gold
        else None,
    }


def dataset_rows(*, sentence_ids: list[int], scope: DatasetScope) -> list[DatasetRow]:
    """The listing's rows for one page of sentence ids, in id order."""
    sentence_rows = list(
        Sentence.objects.filter(pk__in=sentence_ids).order_by("pk").values_list(*SENTENCE_FIELDS)
    )
    articles, annotations = dataset_chunk(sentence_rows=sentence_rows, scope=scope)
    spans = sentence_rows_utf16_spans(sentence_rows)
    suggestions = dataset_suggestions(sentence_rows=sentence_rows)
    return [
        dataset_row(
            row,
            articles[row[7]],
            annotations.get(row[0], []),
            show_gold=row[9] in scope.see_all,
            utf16=spans[row[0]],
            suggestions=suggestions.get(row[0], ()),
        )
        for row in sentence_rows
    ]


def dataset_chunks(
    *,
    corpus_id: int,
    scope: DatasetScope,
    chunk_size: int,
    sentences: Q | None = None,
    fields: tuple[str, ...] = SENTENCE_FIELDS,
    annotation_fields: tuple = ANNOTATION_FIELDS,
    after: int = 0,
    upto: int | None = None,
) -> Iterator[tuple[list[tuple], dict[int, tuple], dict[int, list[tuple]], dict]]:
    """(sentence rows, articles, annotations, UTF-16 spans) for each keyset chunk by id,
    of the sentences with ``after`` < id (<= ``upto`` when given).

    The rows are of ``fields`` (SENTENCE_FIELDS, whose gold fields come last), the
    annotations of ``annotation_fields`` (``dataset_chunk``);
    ``sentences`` narrows the corpus's sentences (releases: which articles). Memory
    holds one chunk whatever the corpus size (docs/architecture.md, invariant 6).

    The ``gold__`` fields, which come last, are read by sentence id in a query of
    their own: joined to the sentences, PostgreSQL merge-joins the gold table from
    its first row for every chunk (1.6 s a chunk deep into 1,000,000 sentences
    with 333,000 gold labels, against 25 ms; bench/release.py).
    """
    own = tuple(f for f in fields if not f.startswith("gold__"))
    gold_fields = tuple(f.removeprefix("gold__") for f in fields[len(own) :])
    if any(f.startswith("gold__") for f in own):  # pragma: no cover - a caller's mistake
        raise ValueError("the gold fields must come last")
    no_gold = (None,) * len(gold_fields)
    # The corpus's slug is the same on every row: read once rather than joined.
    slug = Corpus.objects.filter(pk=corpus_id).values_list("slug", flat=True).first()
    columns = [
        Value(slug, output_field=CharField()) if f == "article__corpus__slug" else f for f in own
    ]
    corpus: F | CombinedExpression = F("article__corpus_id")
    if connection.vendor == "sqlite":
        # Through the index on the articles' corpus, SQLite read and sorted every
        # sentence of the corpus past ``last`` for each chunk (an export in the square
        # of the corpus); kept out of that index, the condition is checked while it
        # walks the sentences in id order, up to the chunk's size.
        corpus = corpus + 0
    base = Sentence.objects.alias(chunk_corpus=corpus).filter(chunk_corpus=corpus_id)
    if sentences is not None:
        base = base.filter(sentences)
    if upto is not None:
        base = base.filter(pk__lte=upto)
    last = after
    while True:
        rows = list(base.filter(pk__gt=last).order_by("pk").values_list(*columns)[:chunk_size])
        if not rows:
            return
        if gold_fields:
            gold = {
                row[0]: row[1:]
                for row in GoldLabel.objects.filter(
                    sentence_id__in=many_ids([r[0] for r in rows])
                ).values_list("sentence_id", *gold_fields)
            }
            rows = [(*row, *gold.get(row[0], no_gold)) for row in rows]
        articles, annotations = dataset_chunk(
            sentence_rows=rows, scope=scope, annotation_fields=annotation_fields
        )
        yield rows, articles, annotations, sentence_rows_utf16_spans(rows)
        last = rows[-1][0]
