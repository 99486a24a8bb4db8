"""The adjudication queue: sentences on which annotators disagree, most contested first.

"Contested" is the entropy of the sentence's labels (a 2-2 split ranks above
3-1, three labels above two), then the number of annotators. Sentences a
reviewer has decided leave the queue. The ranking runs in one SQL statement
(LN is native in PostgreSQL and registered by Django on SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from articles.models import Annotation, Article, Corpus, GoldLabel, Sentence

_RANKED = f"""
    SELECT c.sentence_id,
           SUM(c.n) AS total,
           COUNT(*) AS distinct_labels,
           LN(SUM(c.n)) - SUM(c.n * LN(c.n)) / SUM(c.n) AS entropy
    FROM (
        SELECT a.sentence_id, a.label_id, COUNT(*) AS n
        FROM {Annotation._meta.db_table} a
        JOIN {Sentence._meta.db_table} s ON s.id = a.sentence_id
        JOIN {Article._meta.db_table} ar ON ar.id = s.article_id
        WHERE ar.corpus_id = %s AND s.kind = 'sentence' AND ar.status = 'ready'
        GROUP BY a.sentence_id, a.label_id
    ) c
    LEFT JOIN {GoldLabel._meta.db_table} g
        ON g.sentence_id = c.sentence_id AND g.origin = 'adjudicated'
    WHERE g.id IS NULL
    GROUP BY c.sentence_id
    HAVING COUNT(*) > 1
"""


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


def disagreement_count(*, corpus: Corpus) -> int:
    return disagreement_page(corpus=corpus, limit=1)[1]


def disagreement_queue(*, corpus: Corpus, limit: int = 20, offset: int = 0) -> list[QueueItem]:
    return disagreement_page(corpus=corpus, limit=limit, offset=offset)[0]


def disagreement_page(
    *, corpus: Corpus, limit: int = 20, offset: int = 0
) -> tuple[list[QueueItem], int]:
    """A page of the queue and the queue's length, from one scan of the labels.

    Each sentence comes with its neighbours and every annotator's label.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.*, COUNT(*) OVER () FROM ({_RANKED}) q "
            "ORDER BY q.entropy DESC, q.total DESC, q.sentence_id LIMIT %s OFFSET %s",
            [corpus.pk, limit, offset],
        )
        rows = cursor.fetchall()
    if not rows:
        # Past the end of the queue: its length still answers the pager.
        if offset:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({_RANKED}) q", [corpus.pk])
                return [], int(cursor.fetchone()[0])
        return [], 0
    length = int(rows[0][4])
    ranked = [row[:4] for row in rows]
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
    return [items[i] for i in ids], length
