"""A user's labeling progress, per corpus and per article.

Counts only labelable sentences (headings take no label) of articles that are
ready, and only the user's own annotations: annotators never see colleagues'
labels here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from articles.models import Annotation, Article, Sentence
from articles.selectors.counts import count_subquery
from corpora.models import Corpus, Membership


@dataclass(frozen=True)
class CorpusProgress:
    corpus: Corpus
    role: str
    article_count: int
    sentence_count: int
    labeled_count: int

    @property
    def percent(self) -> int:
        if not self.sentence_count:
            return 0
        return round(100 * self.labeled_count / self.sentence_count)


def corpora_progress(user) -> list[CorpusProgress]:
    """Every corpus the user belongs to, with their role and their progress."""
    labelable = Sentence.objects.filter(
        kind=Sentence.Kind.SENTENCE, article__status=Article.Status.READY
    )
    corpora = (
        Corpus.objects.filter(memberships__user=user)
        .annotate(
            my_role=Subquery(
                Membership.objects.filter(corpus=OuterRef("pk"), user=user).values("role")[:1]
            ),
            n_articles=count_subquery(Article.objects.filter(corpus=OuterRef("pk")), "corpus"),
            n_sentences=count_subquery(
                labelable.filter(article__corpus=OuterRef("pk")), "article__corpus"
            ),
            n_labeled=count_subquery(
                Annotation.objects.filter(
                    annotator=user,
                    sentence__kind=Sentence.Kind.SENTENCE,
                    sentence__article__status=Article.Status.READY,
                    sentence__article__corpus=OuterRef("pk"),
                ),
                "sentence__article__corpus",
            ),
        )
        .order_by("name")
    )
    return [
        CorpusProgress(
            corpus=c,
            role=c.my_role,
            article_count=c.n_articles,
            sentence_count=c.n_sentences,
            labeled_count=c.n_labeled,
        )
        for c in corpora
    ]


def articles_with_progress(corpus: Corpus, user):
    """The corpus's articles with ``sentence_count`` and the user's ``labeled_count``."""
    return (
        Article.objects.filter(corpus=corpus)
        .annotate(
            # Both counts are correlated subqueries: a join to the sentences with a
            # GROUP BY made PostgreSQL run the labeled_count subquery once per
            # sentence (61 s for one 20,000-sentence article, bench/huge_article.py).
            sentence_count=count_subquery(
                Sentence.objects.filter(article=OuterRef("pk"), kind=Sentence.Kind.SENTENCE),
                "article",
            ),
            labeled_count=count_subquery(
                Annotation.objects.filter(
                    annotator=user,
                    sentence__kind=Sentence.Kind.SENTENCE,
                    sentence__article=OuterRef("pk"),
                ),
                "sentence__article",
            ),
        )
        .only(
            "pk",
            "title",
            "author",
            "outlet",
            "published_on",
            "status",
            "failure_reason",
            "created_at",
        )
        .order_by("pk")
    )
