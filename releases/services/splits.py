"""Train / validation / test splits by article: stratified, seeded, and kept across releases.

An article gets its split the first time a release holds it and keeps it
(``ArticleSplit``) until an owner resets the corpus's splits, so a later
release never moves a test article into training.

New articles are put in strata by their dominant label (the gold label most of
their sentences have, else the annotators' most frequent label), shuffled
within each stratum by a generator seeded with the release's seed and the
corpus, and dealt out in that order to whichever split is furthest below its
share: every stratum is spread over the splits in proportion, and the whole
matches the percentages as closely as whole articles allow.
"""

from __future__ import annotations

import random
from collections import Counter

from django.db.models import Count

from articles.models import Annotation, GoldLabel
from releases.format import SPLITS
from releases.models import ArticleSplit, Release
from releases.selectors import article_splits

UNLABELED = ""


def split_plan(
    *, strata: dict[int, str], seed: int, corpus_id: int, shares: tuple[int, int, int]
) -> dict[int, str]:
    """The split of each article (id -> stratum), as the module docstring describes.

    Pure: the same articles, strata, seed and shares always give the same plan.
    """
    order: list[int] = []
    by_stratum: dict[str, list[int]] = {}
    for article_id, stratum in strata.items():
        by_stratum.setdefault(stratum, []).append(article_id)
    for stratum in sorted(by_stratum):
        members = sorted(by_stratum[stratum])
        random.Random(f"{seed}:{corpus_id}:{stratum}").shuffle(members)  # noqa: S311 - reproducible
        order += members
    total = sum(shares)
    counts = [0, 0, 0]
    plan: dict[int, str] = {}
    for n, article_id in enumerate(order, start=1):
        deficits = [shares[i] * n / total - counts[i] for i in range(3)]
        best = max(range(3), key=lambda i: (deficits[i], -i))
        counts[best] += 1
        plan[article_id] = SPLITS[best]
    return plan


def _strata(*, article_ids: list[int]) -> dict[int, str]:
    """Each article's dominant label: gold first, else the annotators' labels."""
    gold: dict[int, Counter] = {}
    for article_id, key, n in (
        GoldLabel.objects.filter(sentence__article_id__in=article_ids)
        .values_list("sentence__article_id", "label__key")
        .annotate(n=Count("pk"))
    ):
        gold.setdefault(article_id, Counter())[key] = n
    labels: dict[int, Counter] = {}
    for article_id, key, n in (
        Annotation.objects.filter(sentence__article_id__in=article_ids)
        .values_list("sentence__article_id", "label__key")
        .annotate(n=Count("pk"))
    ):
        labels.setdefault(article_id, Counter())[key] = n
    strata = {}
    for article_id in article_ids:
        counts = gold.get(article_id) or labels.get(article_id)
        # Ties go to the first key in order, so the stratum does not depend on row order.
        strata[article_id] = (
            min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else UNLABELED
        )
    return strata


def splits_assign(*, release: Release, article_ids: list[int]) -> dict[int, str]:
    """Give a split to those of ``article_ids`` that have none; every article's split.

    Committed on its own before the release's read, so a build that is
    started again finds the same splits.
    """
    kept = article_splits(corpus=release.corpus)
    new = sorted(set(article_ids) - kept.keys())
    if new:
        plan = split_plan(
            strata=_strata(article_ids=new),
            seed=release.seed,
            corpus_id=release.corpus_id,
            shares=(release.train_percent, release.validation_percent, release.test_percent),
        )
        ArticleSplit.objects.bulk_create(
            [
                ArticleSplit(
                    corpus_id=release.corpus_id, article_id=pk, split=split, release=release
                )
                for pk, split in plan.items()
            ],
            ignore_conflicts=True,  # a concurrent build of the corpus assigned it first
        )
        kept = article_splits(corpus=release.corpus)
    return kept
