"""The article list's filters on review data, registered with the core at start-up.

``articles.selectors.listing`` cannot import review (the core depends on no
feature), so ``review/apps.py`` hands it these two functions by name.
"""

from __future__ import annotations

from django.db.models import QuerySet

from articles.models import Article
from corpora.models import Corpus
from review.models import ArticleAgreement, Assignment


def articles_assigned_to(articles: QuerySet[Article], corpus: Corpus, value) -> QuerySet[Article]:
    """``value`` a user id: the articles assigned to them; "none": articles nobody holds."""
    held = Assignment.objects.filter(article__corpus=corpus)
    if value == "none":
        return articles.exclude(pk__in=held.values("article_id"))
    return articles.filter(pk__in=held.filter(annotator_id=int(value)).values("article_id"))


def articles_agreement_below(
    articles: QuerySet[Article], corpus: Corpus, value: float
) -> QuerySet[Article]:
    """Articles whose stored percent agreement (0 to 1) is below ``value``.

    Read from the latest background refresh; an article with no figure (fewer
    than two annotators on any sentence) is never below anything.
    """
    low = ArticleAgreement.objects.filter(corpus=corpus, percent_agreement__lt=value)
    return articles.filter(pk__in=low.values("article_id"))
