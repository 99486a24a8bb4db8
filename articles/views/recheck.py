"""Re-checking one's labels made under older guidelines: the list, each linked to its sentence."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from articles.selectors.labeling import labels_under_older_guidelines
from corpora.permissions import Right, corpus_for

# The page lists this many labels at most; the count says how many there are.
RECHECK_LIMIT = 500


@require_GET
@login_required
def corpus_recheck(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.LABEL)
    older = labels_under_older_guidelines(corpus=corpus, user=request.user)
    total = older.count()
    shown = list(older[:RECHECK_LIMIT])
    articles = [
        {"article": article, "labels": list(rows)}
        for article, rows in groupby(shown, key=lambda a: a.sentence.article)
    ]
    context = {
        "corpus": corpus,
        "articles": articles,
        "total": total,
        "shown": len(shown),
    }
    return render(request, "articles/recheck.html", context)
