"""The article list's derived counts, counted again from scratch for the tests.

``Article.labelable_count`` and ``ArticleLabelCount`` are kept by the write
paths as they go (docs/architecture.md, "Derived counts"); this counts the
same figures from the sentences and annotations alone, without the code that
keeps them, so a test can compare the two after any write.
"""

from __future__ import annotations

from collections import Counter

from articles.models import Annotation, Article, ArticleLabelCount, Sentence


def label_counts_stored(articles) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """(article id -> labelable count, (article id, annotator id) -> labeled count), as stored;
    counts of 0 left out (a cleared label leaves its row at 0)."""
    labelable = dict(Article.objects.filter(pk__in=articles).values_list("pk", "labelable_count"))
    labeled = {
        (article_id, who): n
        for article_id, who, n in ArticleLabelCount.objects.filter(
            article__in=articles
        ).values_list("article_id", "annotator_id", "labeled")
        if n
    }
    return labelable, labeled


def label_counts_recounted(articles) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """The same figures counted from the article's sentences and annotations, row by row."""
    labelable = dict.fromkeys(
        Article.objects.filter(pk__in=articles).values_list("pk", flat=True), 0
    )
    for article_id, kind in Sentence.objects.filter(article__in=articles).values_list(
        "article_id", "kind"
    ):
        labelable[article_id] += kind == Sentence.Kind.SENTENCE
    labeled: Counter[tuple[int, int]] = Counter()
    for article_id, who, kind in Annotation.objects.filter(
        sentence__article__in=articles
    ).values_list("sentence__article_id", "annotator_id", "sentence__kind"):
        # What the counts rely on: headings carry no label (docs/architecture.md).
        assert kind == Sentence.Kind.SENTENCE, f"a label on a heading in article {article_id}"
        labeled[(article_id, who)] += 1
    return labelable, dict(labeled)


def assert_label_counts_right(articles) -> None:
    """The stored counts of ``articles`` (a queryset or ids) equal a recount from scratch."""
    ids = list(Article.objects.filter(pk__in=articles).values_list("pk", flat=True))
    assert ids, "no article to check"
    assert label_counts_stored(ids) == label_counts_recounted(ids)
