"""The reviewers' queue of disagreements, and their gold decisions."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotator.validation import CheckedForm
from corpora.permissions import Right, corpus_for
from corpora.selectors import label_by_key
from review.selectors.adjudication import (
    BadCursor,
    disagreement_queue_page,
    gold_label_choices,
    queue_sentence_get,
)
from review.services.adjudication import gold_label_decide

PAGE_SIZE = 10


class DecisionForm(CheckedForm):
    """The same limits as the API's gold decision (``review.api.serializers``)."""

    label = forms.CharField(required=False, max_length=40, label="Gold label")
    note = forms.CharField(required=False, max_length=10_000, label="Note")
    source = forms.CharField(required=False, max_length=2_000, label="Source")


def _position(request: HttpRequest) -> tuple[str, int]:
    """The page's cursor (``after``) and the rank of its first item (``from``, for display)."""
    after = request.GET.get("after", "")[:100]
    try:
        first = max(1, min(int(request.GET.get("from", "1")), 10_000_000))
    except ValueError:
        first = 1
    return after, first


def _queue_url(corpus, after: str, first: int) -> str:
    url = reverse("adjudication_queue", kwargs={"slug": corpus.slug})
    return f"{url}?{urlencode({'after': after, 'from': first})}" if after else url


@require_GET
@login_required
def adjudication_queue(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.REVIEW)
    after, first = _position(request)
    try:
        page = disagreement_queue_page(corpus=corpus, limit=PAGE_SIZE, after=after or None)
    except BadCursor:
        messages.error(request, "That queue link is out of date; here is the start of the queue.")
        return redirect("adjudication_queue", slug=corpus.slug)
    return render(
        request,
        "workflow/adjudication.html",
        {
            "corpus": corpus,
            "page": page,
            "items": page.items,
            "labels": gold_label_choices(corpus=corpus),
            "total": page.total,
            "after": after,
            "first_rank": first if after else 1,
            "next_url": _queue_url(corpus, page.next_cursor, first + PAGE_SIZE)
            if page.next_cursor
            else "",
        },
    )


@require_POST
@login_required
def adjudication_decide(request: HttpRequest, slug: str, sentence_id: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.REVIEW)
    sentence = queue_sentence_get(corpus=corpus, sentence_id=sentence_id)
    if sentence is None:
        raise Http404("No such sentence in this corpus.")
    # Back to the same place: the decided sentence has left, the next moves up.
    back = _queue_url(corpus, *_position(request))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for message in form.named_errors():
            messages.error(request, message)
        return redirect(f"{back}#sentence-{sentence.pk}")
    label = label_by_key(corpus_id=corpus.pk, key=form.cleaned_data["label"])
    if label is None:
        messages.error(request, "Choose the gold label for the sentence, then save.")
        return redirect(f"{back}#sentence-{sentence.pk}")
    try:
        gold_label_decide(
            sentence=sentence,
            label=label,
            reviewer=request.user,
            note=form.cleaned_data["note"],
            source=form.cleaned_data["source"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{back}#sentence-{sentence.pk}")
    messages.success(request, f"Gold label “{label.name}” saved for sentence {sentence.index + 1}.")
    return redirect(back)
