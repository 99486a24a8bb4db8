"""The adjudication queue: sentences on which annotators disagree, most contested first.

"Contested" is the entropy of the sentence's labels (a 2-2 split ranks above
3-1, three labels above two), then the number of annotators. Ranking every
label of a large corpus takes about half a second, so the background refresh
stores the ranking (``Disagreement``, see ``corpus_disagreements_store``) and
the queue pages through it by keyset on (entropy, annotators, sentence) along
an index: the first page and every later one cost a few milliseconds. Decided
sentences are filtered out as the page is read, so a decision takes its
sentence off the queue at once and a withdrawn one comes back. Until the first
refresh has stored a ranking, the queue ranks live (one SQL statement; LN is
native in PostgreSQL and registered by Django on SQLite). The statements are in
``review.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from articles.models import Annotation, GoldLabel, Sentence
from corpora.models import Corpus, Label
from review.models import AgreementReport
from review.sql import (
    RankedRow,
    disagreements_decided_count,
    disagreements_ranked,
    disagreements_undecided_live_count,
)


class BadCursor(ValueError):
    """A queue cursor that this code did not make."""


def cursor_encode(entropy: float, total: int, sentence_id: int) -> str:
    # repr() round-trips a float exactly, so the keyset comparison is exact.
    return f"{entropy!r}_{total}_{sentence_id}"


def cursor_decode(cursor: str) -> tuple[float, int, int]:
    try:
        entropy, total, sentence_id = cursor.split("_")
        return float(entropy), int(total), int(sentence_id)
    except ValueError:
        raise BadCursor(
            f"{cursor[:40]!r} is not a queue cursor; use the one a page gave."
        ) from None


@dataclass
class QueueItem:
    sentence: Sentence
    entropy: float
    total: int
    distinct_labels: int
    previous: str = ""
    next: str = ""
    annotations: list[Annotation] = field(default_factory=list)
    gold: GoldLabel | None = None


@dataclass
class QueuePage:
    items: list[QueueItem]
    total: int
    next_cursor: str | None
    ranked_at: datetime | None = None  # when the stored ranking was made; None: ranked live


def disagreement_count(*, corpus: Corpus) -> int:
    return disagreement_queue_page(corpus=corpus, limit=1).total


def disagreement_queue(*, corpus: Corpus, limit: int = 20, offset: int = 0) -> list[QueueItem]:
    return disagreement_queue_page(corpus=corpus, limit=limit, offset=offset).items


def disagreement_page(
    *, corpus: Corpus, limit: int = 20, offset: int = 0
) -> tuple[list[QueueItem], int]:
    page = disagreement_queue_page(corpus=corpus, limit=limit, offset=offset)
    return page.items, page.total


def disagreement_queue_page(
    *, corpus: Corpus, limit: int = 20, after: str | None = None, offset: int = 0
) -> QueuePage:
    """A page of the queue after ``after`` (a cursor from an earlier page), and its length.

    Each sentence comes with its neighbours and every annotator's label.
    Raises BadCursor for a cursor this code did not make.
    """
    ranked_at, stored = (
        AgreementReport.objects.filter(corpus=corpus)
        .values_list("disagreements_at", "disagreements")
        .first()
    ) or (None, 0)
    decoded = cursor_decode(after) if after else None
    ranked = disagreements_ranked(
        corpus_id=corpus.pk, stored=bool(ranked_at), after=decoded, limit=limit + 1, offset=offset
    )
    if ranked_at:
        # The stored count less the decisions among those sentences: a few
        # index lookups instead of checking every disagreement for gold.
        length = stored - disagreements_decided_count(corpus_id=corpus.pk)
    else:
        length = disagreements_undecided_live_count(corpus_id=corpus.pk)
    more = len(ranked) > limit
    ranked = ranked[:limit]
    next_cursor = None
    if more:
        last = ranked[-1]
        next_cursor = cursor_encode(float(last.entropy), int(last.total), int(last.sentence_id))
    return QueuePage(
        items=_queue_items(ranked), total=length, next_cursor=next_cursor, ranked_at=ranked_at
    )


def _queue_items(ranked: list[RankedRow]) -> list[QueueItem]:
    if not ranked:
        return []
    ids = [row.sentence_id for row in ranked]
    sentences = Sentence.objects.select_related("article").in_bulk(ids)
    items = {
        row.sentence_id: QueueItem(
            sentence=sentences[row.sentence_id],
            total=int(row.total),
            distinct_labels=int(row.distinct_labels),
            entropy=float(row.entropy),
        )
        for row in ranked
        if row.sentence_id in sentences  # deleted since the ranking was read
    }
    # Neighbours for context: one query for every (article, index +- 1).
    wanted = {}
    for item in items.values():
        s = item.sentence
        wanted[(s.article_id, s.index - 1)] = (s.pk, "previous")
        wanted[(s.article_id, s.index + 1)] = (s.pk, "next")
    article_ids = {s.article_id for s in sentences.values()}
    indexes = {index for _, index in wanted}
    for article_id, index, text in Sentence.objects.filter(
        article_id__in=article_ids, index__in=indexes
    ).values_list("article_id", "index", "text"):
        hit = wanted.get((article_id, index))
        if hit:
            setattr(items[hit[0]], hit[1], text)
    for annotation in (
        Annotation.objects.filter(sentence_id__in=ids)
        .select_related("annotator", "label")
        .order_by("label__order", "annotator__username")
    ):
        items[annotation.sentence_id].annotations.append(annotation)
    for gold in GoldLabel.objects.filter(sentence_id__in=ids).select_related("label"):
        items[gold.sentence_id].gold = gold
    return [items[i] for i in ids if i in items]


def gold_label_choices(*, corpus: Corpus) -> list[Label]:
    """The labels a reviewer may choose as gold, in the corpus's order."""
    return list(Label.objects.filter(corpus=corpus))


def queue_sentence_get(*, corpus: Corpus, sentence_id: int) -> Sentence | None:
    """A sentence of ``corpus`` (with its article) to decide, or None."""
    return (
        Sentence.objects.select_related("article")
        .filter(pk=sentence_id, article__corpus=corpus)
        .first()
    )
