"""The derived counts behind the article list's "labeled by me", rebuilt from scratch.

Label writes and boundary changes keep ``Article.labelable_count`` and
``ArticleLabelCount`` as they go (``articles.services.annotations``,
``articles.services.boundaries``). What writes sentences and annotations
otherwise, a whole corpus at once (an archive restored, a bulk load), counts
them again here (docs/architecture.md, "Derived counts").
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, OuterRef

from articles.models import Annotation, Article, ArticleLabelCount, Sentence
from articles.selectors.counts import count_subquery

BATCH = 5_000


def label_counts_rebuild(*, corpus_id: int) -> int:
    """Count every article of the corpus's labelable sentences and each annotator's
    labels there again; how many (article, annotator) counts it stored.

    For a corpus nothing else writes to meanwhile (it is being restored or
    loaded): the counts are replaced, not added to.
    """
    with transaction.atomic():
        Article.objects.filter(corpus_id=corpus_id).update(
            labelable_count=count_subquery(
                Sentence.objects.filter(article=OuterRef("pk"), kind=Sentence.Kind.SENTENCE),
                "article",
            )
        )
        ArticleLabelCount.objects.filter(article__corpus_id=corpus_id).delete()
        # Headings take no label, and boundary changes remove a new heading's.
        counted = (
            Annotation.objects.filter(
                sentence__article__corpus_id=corpus_id, sentence__kind=Sentence.Kind.SENTENCE
            )
            .values_list("sentence__article_id", "annotator_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        stored = 0
        batch: list[ArticleLabelCount] = []
        for article_id, annotator_id, n in counted.iterator(chunk_size=BATCH):
            batch.append(
                ArticleLabelCount(article_id=article_id, annotator_id=annotator_id, labeled=n)
            )
            if len(batch) >= BATCH:
                ArticleLabelCount.objects.bulk_create(batch)
                stored += len(batch)
                batch = []
        ArticleLabelCount.objects.bulk_create(batch)
        return stored + len(batch)
