"""Data shaped like real use for the dataset tests."""

from __future__ import annotations

import itertools
import random

import pytest

from articles.models import Annotation, Article, Sentence
from articles.services.articles import article_create
from corpora.models import Label

ARTICLES = 24
SENTENCES_PER_ARTICLE = 9


def segment_concurrently(corpus, *, seed: int = 15) -> dict[int, int]:
    """Articles whose sentences are written as three segmenters running at once write them.

    Up to three articles are "being segmented" at any time; each next sentence
    goes to one of them at random, and a finished article makes room for the
    next. Returns each sentence id's article id.
    """
    rng = random.Random(seed)
    articles = [
        article_create(
            corpus=corpus, text=" ".join(f"Sentence {i} of {n}." for i in range(9)), title=n
        )
        for n in (f"Article {k:02d}" for k in range(ARTICLES))
    ]
    waiting, active = list(articles), []
    written: dict[int, int] = {}
    pending: list[Sentence] = []
    while waiting or active:
        while waiting and len(active) < 3:
            active.append([waiting.pop(0), 0])
        slot = rng.choice(active)
        article, index = slot
        start = sum(len(f"Sentence {i} of {article.title}.") + 1 for i in range(index))
        text = f"Sentence {index} of {article.title}."
        pending.append(
            Sentence(
                article=article,
                index=index,
                start=start,
                end=start + len(text),
                paragraph=0,
                text=text,
            )
        )
        slot[1] += 1
        if slot[1] == SENTENCES_PER_ARTICLE:
            active.remove(slot)
    # One row at a time, so ids follow the interleaved order on every database.
    for sentence in pending:
        Sentence.objects.bulk_create([sentence])
        written[sentence.pk] = sentence.article_id
    return written


@pytest.fixture
def interleaved(corpus, annotator, reviewer):
    article_of = segment_concurrently(corpus)
    ids = sorted(article_of)
    switches = sum(article_of[a] != article_of[b] for a, b in itertools.pairwise(ids))
    assert switches > ARTICLES * 3  # the ids do interleave
    claim = Label.objects.get(corpus=corpus, key="claim")
    Annotation.objects.bulk_create(
        Annotation(sentence_id=pk, annotator=user, label=claim, guideline_version=1)
        for pk in ids[::4]
        for user in (annotator, reviewer)
    )
    titles = dict(Article.objects.filter(corpus=corpus).values_list("pk", "title"))
    return {pk: (aid, titles[aid]) for pk, aid in article_of.items()}
