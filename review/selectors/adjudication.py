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
native in PostgreSQL and registered by Django on SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from articles.models import Annotation, Article, GoldLabel, Sentence
from corpora.models import Corpus, Label
from review.models import AgreementReport, Disagreement

# How many annotators gave each label to each labelable sentence of a corpus.
# Counts as floats: LN in double precision, not PostgreSQL's slower numeric.
LABEL_COUNTS_SQL = f"""
    SELECT a.sentence_id, a.label_id, CAST(COUNT(*) AS DOUBLE PRECISION) AS n
    FROM {Annotation._meta.db_table} a
    JOIN {Sentence._meta.db_table} s ON s.id = a.sentence_id
    JOIN {Article._meta.db_table} ar ON ar.id = s.article_id
    WHERE ar.corpus_id = %s AND s.kind = 'sentence' AND ar.status = 'ready'
    GROUP BY a.sentence_id, a.label_id
"""


def ranked_sql(counts: str) -> str:
    """Sentences with two or more different labels, ranked, from label counts (table/subquery)."""
    return f"""
        SELECT c.sentence_id,
               CAST(SUM(c.n) AS INTEGER) AS total,
               COUNT(*) AS distinct_labels,
               LN(SUM(c.n)) - SUM(c.n * LN(c.n)) / SUM(c.n) AS entropy
        FROM {counts} c
        GROUP BY c.sentence_id
        HAVING COUNT(*) > 1
    """


RANKED_SQL = ranked_sql(f"({LABEL_COUNTS_SQL})")

_UNDECIDED = f"""
    NOT EXISTS (
        SELECT 1 FROM {GoldLabel._meta.db_table} g
        WHERE g.sentence_id = q.sentence_id AND g.origin = 'adjudicated'
    )
"""
_STORED = f"""
    SELECT d.sentence_id, d.total, d.distinct_labels, d.entropy
    FROM {Disagreement._meta.db_table} d WHERE d.corpus_id = %s
"""
_DECIDED = f"""
    SELECT COUNT(*) FROM {GoldLabel._meta.db_table} g
    JOIN {Disagreement._meta.db_table} d ON d.sentence_id = g.sentence_id
    WHERE g.origin = 'adjudicated' AND d.corpus_id = %s
"""
# After the cursor's row in the order entropy DESC, total DESC, sentence_id.
_AFTER = """
    (q.entropy < %s OR (q.entropy = %s AND (q.total < %s
        OR (q.total = %s AND q.sentence_id > %s))))
"""
_ORDER = "ORDER BY q.entropy DESC, q.total DESC, q.sentence_id"


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
    source, params = (_STORED, [corpus.pk]) if ranked_at else (RANKED_SQL, [corpus.pk])
    where, where_params = _UNDECIDED, []
    if after:
        entropy, total, sentence_id = cursor_decode(after)
        where += f" AND {_AFTER}"
        where_params = [entropy, entropy, total, total, sentence_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.sentence_id, q.total, q.distinct_labels, q.entropy FROM ({source}) q "
            f"WHERE {where} {_ORDER} LIMIT %s OFFSET %s",
            [*params, *where_params, limit + 1, offset],
        )
        ranked = cursor.fetchall()
        if ranked_at:
            # The stored count less the decisions among those sentences: a few
            # index lookups instead of checking every disagreement for gold.
            cursor.execute(_DECIDED, [corpus.pk])
            length = stored - int(cursor.fetchone()[0])
        else:
            cursor.execute(f"SELECT COUNT(*) FROM ({source}) q WHERE {_UNDECIDED}", params)
            length = int(cursor.fetchone()[0])
    more = len(ranked) > limit
    ranked = ranked[:limit]
    next_cursor = None
    if more:
        last = ranked[-1]
        next_cursor = cursor_encode(float(last[3]), int(last[1]), int(last[0]))
    return QueuePage(
        items=_queue_items(ranked), total=length, next_cursor=next_cursor, ranked_at=ranked_at
    )


def _queue_items(ranked: list[tuple]) -> list[QueueItem]:
    if not ranked:
        return []
    ids = [row[0] for row in ranked]
    sentences = Sentence.objects.select_related("article").in_bulk(ids)
    items = {
        sentence_id: QueueItem(
            sentence=sentences[sentence_id],
            total=int(total),
            distinct_labels=int(distinct),
            entropy=float(entropy),
        )
        for sentence_id, total, distinct, entropy in ranked
        if sentence_id in sentences  # deleted since the ranking was read
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


def gold_label_choice(*, corpus_id: int, key: str) -> Label | None:
    return Label.objects.filter(corpus_id=corpus_id, key=key).first()


def queue_sentence_get(*, corpus: Corpus, sentence_id: int) -> Sentence | None:
    """A sentence of ``corpus`` (with its article) to decide, or None."""
    return (
        Sentence.objects.select_related("article")
        .filter(pk=sentence_id, article__corpus=corpus)
        .first()
    )
