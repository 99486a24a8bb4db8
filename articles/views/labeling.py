"""The labeling screen.

The screen is rendered with the article and the user's labels in it; every
change afterwards goes through the REST API from static/js/labeling.js.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from articles.access import article_for
from articles.models import Article
from articles.selectors.labeling import article_paragraphs, corpus_labels, split_headline
from corpora.guidelines import IN_PAGE, guidelines_html
from corpora.models import Label
from corpora.permissions import Right, has_right


def _page_config(article: Article, user, labels: list[Label]) -> dict:
    corpus = article.corpus
    return {
        "articleId": article.pk,
        "userId": user.pk,
        "apiRoot": "/api/",
        "nextUrl": reverse("next_article", kwargs={"slug": corpus.slug}),
        "corpusUrl": reverse("corpus_detail", kwargs={"slug": corpus.slug}),
        "labels": [
            {
                "key": label.key,
                "name": label.name,
                "color": label.color,
                "shortcut": label.shortcut.lower(),
                "takesSource": label.takes_source,
                "description": label.description,
            }
            for label in labels
        ],
    }


@require_GET
@login_required
@ensure_csrf_cookie
def label_article(request: HttpRequest, pk: int) -> HttpResponse:
    article, role = article_for(request.user, pk, right=Right.LABEL)
    ready = article.status == Article.Status.READY
    paragraphs = article_paragraphs(article, request.user) if ready else []
    headline, paragraphs = split_headline(article, paragraphs)
    labelable = [s for p in paragraphs for s in p.sentences if s.kind == "sentence"]
    labels = corpus_labels(corpus=article.corpus)
    return render(
        request,
        "articles/label.html",
        {
            "article": article,
            "corpus": article.corpus,
            "labels": labels,
            "paragraphs": paragraphs,
            "headline": headline,
            "can_see_all": has_right(role, Right.SEE_ALL_LABELS),
            "can_retry": has_right(role, Right.MANAGE),
            "ready": ready,
            "total": len(labelable),
            "labeled": sum(1 for s in labelable if s.mine is not None),
            "guidelines_html": guidelines_html(article.corpus.guidelines, top_heading=IN_PAGE),
            "config": _page_config(article, request.user, labels),
        },
    )
