"""Creating a corpus from the app, and its owners' settings page (everything the form holds)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from corpora.forms import (
    COLOR_HELP,
    SHORTCUT_HELP,
    CorpusForm,
    LabelFormSet,
    corpus_initial,
    label_initial,
    put_errors,
    specs_of,
)
from corpora.guidelines import IN_PAGE, guidelines_html
from corpora.permissions import Right, corpus_for
from corpora.services.corpora import corpus_create, corpus_create_allowed, corpus_update
from corpora.services.labels import LabelSetChange


def _render(request, *, form, formset, corpus=None, status=200) -> HttpResponse:
    preview = None
    if "preview" in request.POST and form.is_bound and "guidelines" in form.cleaned_data:
        preview = guidelines_html(form.cleaned_data["guidelines"], top_heading=IN_PAGE)
    context = {
        "form": form,
        "formset": formset,
        "corpus": corpus,
        "preview": preview,
        "shortcut_help": SHORTCUT_HELP,
        "color_help": COLOR_HELP,
    }
    return render(request, "corpora/corpus_form.html", context, status=status)


def _bound(request: HttpRequest) -> tuple[CorpusForm, LabelFormSet, bool]:
    form = CorpusForm(request.POST)
    formset = LabelFormSet(request.POST, prefix="labels")
    valid = form.is_valid() & formset.is_valid()  # both, so each shows its errors
    return form, formset, valid


@login_required
@require_http_methods(["GET", "POST"])
def corpus_new(request: HttpRequest) -> HttpResponse:
    if not corpus_create_allowed(request.user):
        raise PermissionDenied("Only staff may create corpora here; ask an administrator.")
    if request.method == "GET":
        form = CorpusForm(initial={"overlap": 1})
        formset = LabelFormSet(prefix="labels", initial=label_initial(None))
        return _render(request, form=form, formset=formset)
    form, formset, valid = _bound(request)
    if not valid or "preview" in request.POST:
        return _render(request, form=form, formset=formset, status=200 if valid else 400)
    specs, rows = specs_of(formset)
    data = form.cleaned_data
    try:
        corpus = corpus_create(
            name=data["name"],
            owner=request.user,
            slug=data["slug"] or None,
            description=data["description"],
            guidelines=data["guidelines"],
            overlap=data["overlap"],
            auto_gold_unanimous=data["auto_gold_unanimous"],
            annotators_edit_segmentation=data["annotators_edit_segmentation"],
            labels=specs,
            check_allowed=True,
        )
    except ValidationError as exc:
        put_errors(exc, form, formset, rows)
        return _render(request, form=form, formset=formset, status=400)
    messages.success(
        request, f"The corpus {corpus.name} is ready. Import articles and invite members next."
    )
    return redirect("corpus_detail", slug=corpus.slug)


def _changed(change: LabelSetChange) -> str:
    parts = []
    if change.created:
        parts.append("added " + ", ".join(change.created))
    if change.deleted:
        parts.append("removed " + ", ".join(change.deleted))
    if change.archived:
        parts.append(
            "archived " + ", ".join(change.archived) + " (in use: kept on existing labels and "
            "in exports, no longer offered)"
        )
    if change.restored:
        parts.append("offered again " + ", ".join(change.restored))
    return "Labels: " + "; ".join(parts) + "." if parts else ""


@login_required
@require_http_methods(["GET", "POST"])
def corpus_settings(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    if request.method == "GET":
        form = CorpusForm(initial=corpus_initial(corpus))
        formset = LabelFormSet(prefix="labels", initial=label_initial(list(corpus.labels.all())))
        return _render(request, form=form, formset=formset, corpus=corpus)
    form, formset, valid = _bound(request)
    if not valid or "preview" in request.POST:
        status = 200 if valid else 400
        return _render(request, form=form, formset=formset, corpus=corpus, status=status)
    specs, rows = specs_of(formset)
    data = form.cleaned_data
    version = corpus.guidelines_version
    editing = corpus.annotators_edit_segmentation
    try:
        change = corpus_update(
            corpus=corpus,
            user=request.user,
            name=data["name"],
            slug=data["slug"] or corpus.slug,
            description=data["description"],
            guidelines=data["guidelines"],
            overlap=data["overlap"],
            auto_gold_unanimous=data["auto_gold_unanimous"],
            labels=specs,
            annotators_edit_segmentation=data["annotators_edit_segmentation"],
        )
    except ValidationError as exc:
        put_errors(exc, form, formset, rows)
        return _render(request, form=form, formset=formset, corpus=corpus, status=400)
    corpus.refresh_from_db()
    saved = "Settings saved."
    if corpus.guidelines_version != version:
        saved += (
            f" The guidelines are now version {corpus.guidelines_version}; annotators see "
            "what changed the next time they label."
        )
    if corpus.annotators_edit_segmentation != editing:
        saved += (
            " Annotators may now split and merge sentences and mark headings."
            if corpus.annotators_edit_segmentation
            else " Only owners and reviewers may change sentence boundaries now."
        )
    messages.success(request, " ".join(filter(None, [saved, _changed(change)])))
    return redirect("corpus_settings", slug=corpus.slug)
