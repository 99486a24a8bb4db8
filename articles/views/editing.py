"""An owner edits an article's metadata and archives it (or brings it back)."""

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
from articles.services.articles import article_archive_set, article_metadata_update
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
