"""The suggestions page: the corpus's models and scores, blind labeling, the next policy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotator.validation import CheckedForm
from corpora.permissions import Right, corpus_for, has_right
from suggestions.charts import learning_chart
from suggestions.models import NextPolicy
from suggestions.selectors import suggestions_overview
from suggestions.services import suggestion_settings_update, training_request


class SuggestionSettingsForm(CheckedForm):
    show_to_annotators = forms.BooleanField(required=False)
    next_policy = forms.ChoiceField(choices=NextPolicy.choices)


@require_GET
@login_required
def corpus_suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    overview = suggestions_overview(corpus=corpus)
    return render(
        request,
        "suggestions/corpus_suggestions.html",
        {
            "corpus": corpus,
            "overview": overview,
            "learning_chart": learning_chart(overview.curve),
            "can_manage": has_right(role, Right.MANAGE),
            "policies": NextPolicy.choices,
        },
    )


@require_POST
@login_required
def suggestion_settings_save(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _ = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = SuggestionSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the policies offered.")
        return redirect("corpus_suggestions", slug=corpus.slug)
    suggestion_settings_update(corpus=corpus, **form.cleaned_data)
    messages.success(request, "Suggestion settings saved.")
    return redirect("corpus_suggestions", slug=corpus.slug)


@require_POST
@login_required
def suggestion_model_train(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _ = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    model, created = training_request(corpus=corpus, requested_by="owner")
    if created:
        messages.success(request, f"{model.display_name} is queued; it trains in the background.")
    else:
        messages.info(request, f"{model.display_name} is already {model.status}.")
    return redirect("corpus_suggestions", slug=corpus.slug)
