"""Trying a failed article's segmentation again, from its page (owners)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from articles.access import article_for
from articles.services.articles import article_retry
from corpora.permissions import Right


@require_POST
@login_required
def retry_article(request: HttpRequest, pk: int) -> HttpResponse:
    article, _role = article_for(request.user, pk, right=Right.MANAGE)
    if article_retry(article=article):
        messages.success(request, "Queued again: the article is being segmented.")
    else:
        messages.info(request, f"Nothing to retry: the article is {article.status}.")
    return redirect("label_article", pk=article.pk)
