"""An owner edits an article's metadata, corrects its text, and archives it (or brings it back)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from annotator.validation import CheckedForm
from articles.access import article_for
from articles.exceptions import BoundaryConflict
from articles.models import Article
from articles.selectors.segmentation import latest_text_correction, text_correction_checks
from articles.services.articles import article_archive_set, article_metadata_update
from articles.services.text_correction import TextCorrection, article_text_correction
from corpora.permissions import Right


class ArticleMetadataForm(CheckedForm):
    title = forms.CharField(required=False, max_length=500, label="Title")
    author = forms.CharField(required=False, max_length=300, label="Author")
    outlet = forms.CharField(required=False, max_length=300, label="Outlet")
    published_on = forms.DateField(
        required=False, label="Published on", widget=forms.DateInput(attrs={"type": "date"})
    )
    source_url = forms.CharField(
        required=False,
        max_length=2000,
        label="URL",
        widget=forms.URLInput(),
    )


@require_http_methods(["GET", "POST"])
@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article, _role = article_for(request.user, pk, right=Right.MANAGE)
    if request.method == "POST":
        form = ArticleMetadataForm(request.POST)
        if form.is_valid():
            try:
                article_metadata_update(article=article, **form.cleaned_data)
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, f"Saved the details of “{article}”.")
                return redirect("article_edit", pk=article.pk)
        status = 400
    else:
        form = ArticleMetadataForm(
            initial={
                name: getattr(article, name)
                for name in ("title", "author", "outlet", "published_on", "source_url")
            }
        )
        status = 200
    return render(request, "articles/edit.html", {"article": article, "form": form}, status=status)


class ArticleTextForm(CheckedForm):
    # No max_length here: the service counts the text once its line endings are
    # normalised (a browser sends \r\n), against MAX_ARTICLE_CHARS, and says so.
    text = forms.CharField(
        label="Text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        error_messages={"required": "The text is empty; an article needs its text."},
    )
    based_on = forms.RegexField(
        r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput,
        error_messages={"invalid": "The form is damaged; reload the page and correct again."},
    )


def _labels_report(result: TextCorrection) -> str:
    kept = result.labels_kept
    parts = ["1 label kept as it was" if kept == 1 else f"{kept} labels kept as they were"]
    if result.labels_for_review:
        parts.append(
            f"{result.labels_for_review} kept and marked “needs review”: their annotators see "
            "them with the text they were made on"
        )
    if result.labels_joined:
        parts.append(
            f"{result.labels_joined} joined another label of the same annotator on a sentence "
            "that became one (kept in its history)"
        )
    return "; ".join(parts) + "."


@require_http_methods(["GET", "POST"])
@login_required
def article_text_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the text (typos, a missing paragraph): preview what happens to the labels, save.

    Owners only, as ``PUT /api/articles/{id}/text/``; the same service.
    """
    article, _role = article_for(request.user, pk, right=Right.MANAGE)
    preview: TextCorrection | None = None
    status = 200
    if request.method == "POST":
        form = ArticleTextForm(request.POST)
        if form.is_valid():
            try:
                result = article_text_correction(
                    article_id=article.pk,
                    text=form.cleaned_data["text"],
                    based_on=form.cleaned_data["based_on"],
                    by=request.user,
                    preview="preview" in request.POST,
                )
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                status = 400
            except BoundaryConflict as exc:
                form.add_error(None, f"{exc} Nothing was changed; your text is below.")
                status = 409
            else:
                if not result.changed:
                    form.add_error(
                        "text", "This is the article's text as it is: there is nothing to change."
                    )
                    status = 400
                elif "preview" in request.POST:
                    preview = result
                else:
                    report = _labels_report(result)
                    messages.success(request, f"Saved the corrected text of “{article}”. {report}")
                    return redirect("article_text", pk=article.pk)
        else:
            status = 400
    else:
        form = ArticleTextForm(initial={"text": article.text, "based_on": article.content_hash})
    last = latest_text_correction(article=article)
    return render(
        request,
        "articles/text.html",
        {
            "article": article,
            "form": form,
            "preview": preview,
            "ready": article.status == Article.Status.READY,
            "last": last,
            "last_checks": text_correction_checks(edit=last) if last is not None else [],
        },
        status=status,
    )


@require_POST
@login_required
def article_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive (``archived=1``) or bring back (``archived=0``) the article."""
    article, _role = article_for(request.user, pk, right=Right.MANAGE)
    archived = request.POST.get("archived") == "1"
    if article_archive_set(article=article, archived=archived):
        messages.success(
            request,
            f"Archived “{article}”: lists, assignment and exports leave it out; its labels are "
            "kept."
            if archived
            else f"“{article}” is back in the corpus's lists and exports.",
        )
    else:
        messages.info(request, f"“{article}” was already {'archived' if archived else 'current'}.")
    return redirect("article_edit", pk=article.pk)
