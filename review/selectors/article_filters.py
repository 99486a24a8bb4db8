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
    if value == "none":
        # The articles' own count of holders, kept by the assignment services, read
        # from its partial index: the anti-join over every assignment it replaces
        # cost 70-190 ms on 100,000 articles (bench/article_list.py).
        return articles.filter(assignment_count=0)
    # The member's assignments in any corpus: ``articles`` keeps the corpus's own,
    # and the (annotator, article) index gives them without reading an article.
    mine = Assignment.objects.filter(annotator_id=int(value))
    return articles.filter(pk__in=mine.values("article_id"))


def articles_agreement_below(
    articles: QuerySet[Article], corpus: Corpus, value: float
) -> QuerySet[Article]:
    """Articles whose stored percent agreement (0 to 1) is below ``value``.

    Read from the latest background refresh; an article with no figure (fewer
    than two annotators on any sentence) is never below anything.
    """
    low = ArticleAgreement.objects.filter(corpus=corpus, percent_agreement__lt=value)
    return articles.filter(pk__in=low.values("article_id"))
