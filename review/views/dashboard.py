"""The corpus dashboard: progress, label distribution, agreement, and its settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from corpora.permissions import Right, corpus_for, has_right
from review.charts import bar_chart, from_zero, line_chart
from review.selectors.agreement import (
    agreement_article_get,
    agreement_dashboard_get,
    agreement_report_get,
    agreement_state_get,
)
from review.selectors.assignments import article_in_corpus
from review.selectors.dashboard import corpus_dashboard
from review.services.workflow import corpus_auto_gold_set, corpus_workflow_refresh_request
from suggestions.charts import learning_chart
from suggestions.selectors import suggestions_overview


@require_GET
@login_required
def corpus_dashboard_view(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    board = corpus_dashboard(corpus=corpus)
    report = board.agreement
    suggestions = suggestions_overview(corpus=corpus)
    return render(
        request,
        "workflow/dashboard.html",
        {
            "corpus": corpus,
            "board": board,
            "can_manage": has_right(role, Right.MANAGE),
            "can_review": has_right(role, Right.REVIEW),
            "label_chart": bar_chart([(lab.name, lab.count, lab.color) for lab in board.labels]),
            "status_chart": bar_chart(
                [
                    (status.title(), n, _STATUS_COLORS[status])
                    for status, n in board.articles_by_status.items()
                ]
            ),
            "progress_chart": line_chart(
                from_zero(board.progress_by_hour or board.progress_by_day)
            ),
            "report": report,
            "agreement": agreement_dashboard_get(report=report),
            "state": agreement_state_get(report=report),
            "suggestions": suggestions,
            "learning_chart": learning_chart(suggestions.curve),
        },
    )


@require_GET
@login_required
def article_agreement_view(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    """Drill-down: one article's alpha, agreement and Cohen's kappa for every pair on it."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    article = article_in_corpus(corpus=corpus, article_id=article_id)
    if article is None:
        raise Http404("No such article in this corpus.")
    report = agreement_report_get(corpus=corpus)
    computed = report is not None and report.computed_at is not None
    return render(
        request,
        "workflow/article_agreement.html",
        {
            "corpus": corpus,
            "article": article,
            "report": report if computed else None,
            "entry": agreement_article_get(report=report, article_id=article.pk)
            if computed
            else None,
        },
    )


_STATUS_COLORS = {
    "pending": "#6b7280",
    "segmenting": "#2563eb",
    "ready": "#047857",
    "failed": "#b91c1c",
}


@require_GET
@login_required
def agreement_state(request: HttpRequest, slug: str) -> JsonResponse:
    """What dashboard.js polls: when the report was computed and whether one is queued."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    return JsonResponse(agreement_state_get(report=getattr(corpus, "agreement", None)))


@require_POST
@login_required
def agreement_recompute(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    corpus_workflow_refresh_request(corpus_id=corpus.pk, countdown=0)
    messages.success(request, "Agreement is being recomputed; the figures update by themselves.")
    return redirect("corpus_dashboard", slug=corpus.slug)


@require_POST
@login_required
def auto_gold_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    enabled = request.POST.get("enabled") == "on"
    corpus_auto_gold_set(corpus=corpus, enabled=enabled)
    messages.success(
        request,
        "Sentences on which every annotator agrees now become gold automatically."
        if enabled
        else "Unanimous sentences no longer become gold automatically; "
        "automatic gold labels are being removed (reviewers' decisions stay).",
    )
    return redirect("corpus_dashboard", slug=corpus.slug)
