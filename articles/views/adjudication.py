"""The reviewers' queue of disagreements, and their gold decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from articles.models import Label, Sentence
from articles.permissions import Right, corpus_for
from articles.selectors.adjudication import disagreement_page
from articles.services.adjudication import gold_label_decide

PAGE_SIZE = 10


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


@require_GET
@login_required
def adjudication_queue(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.REVIEW)
    page = _page(request)
    items, total = disagreement_page(corpus=corpus, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "workflow/adjudication.html",
        {
            "corpus": corpus,
            "items": items,
            "labels": list(Label.objects.filter(corpus=corpus)),
            "total": total,
            "page": page,
            "has_next": page * PAGE_SIZE < total,
            "first_rank": (page - 1) * PAGE_SIZE + 1,
        },
    )


@require_POST
@login_required
def adjudication_decide(request: HttpRequest, slug: str, sentence_id: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.REVIEW)
    sentence = (
        Sentence.objects.select_related("article")
        .filter(pk=sentence_id, article__corpus=corpus)
        .first()
    )
    if sentence is None:
        raise Http404("No such sentence in this corpus.")
    back = reverse("adjudication_queue", kwargs={"slug": corpus.slug})
    page = _page(request)
    if page > 1:
        back += f"?page={page}"
    label = Label.objects.filter(corpus=corpus, key=request.POST.get("label", "")).first()
    if label is None:
        messages.error(request, "Choose the gold label for the sentence, then save.")
        return redirect(f"{back}#sentence-{sentence.pk}")
    try:
        gold_label_decide(
            sentence=sentence,
            label=label,
            reviewer=request.user,
            note=request.POST.get("note", ""),
            source=request.POST.get("source", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{back}#sentence-{sentence.pk}")
    messages.success(request, f"Gold label “{label.name}” saved for sentence {sentence.index + 1}.")
    return redirect(back)
