"""The read-only reading view of an article.

For members without the right to label (viewers) it is the way to read an
article; for those who see all labels (viewers, reviewers, owners) it shows
every annotator's label and the gold label per sentence. Nothing here writes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from articles.access import article_for
from articles.models import Article
from articles.selectors.labeling import corpus_labels, split_headline
from articles.selectors.reading import article_reading
from corpora.guidelines import IN_PAGE, guidelines_html
from corpora.permissions import Right, has_right


@require_GET
@login_required
def read_article(request: HttpRequest, pk: int) -> HttpResponse:
    article, role = article_for(request.user, pk, right=Right.VIEW)
    all_labels = has_right(role, Right.SEE_ALL_LABELS)
    ready = article.status == Article.Status.READY
    reading = article_reading(article, user=request.user, all_labels=all_labels) if ready else None
    headline, paragraphs = split_headline(article, reading.paragraphs if reading else [])
    return render(
        request,
        "articles/read.html",
        {
            "article": article,
            "corpus": article.corpus,
            "labels": corpus_labels(corpus=article.corpus),
            "ready": ready,
            "reading": reading,
            "paragraphs": paragraphs,
            "headline": headline,
            "all_labels": all_labels,
            "can_label": has_right(role, Right.LABEL),
            "can_retry": has_right(role, Right.MANAGE),
            "guidelines_html": guidelines_html(article.corpus.guidelines, top_heading=IN_PAGE),
        },
    )
