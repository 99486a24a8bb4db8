"""The corpus's import page, an import job's progress page, its JSON status and its retry."""

from __future__ import annotations

import dataclasses

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotator.middleware import csp_policy
from annotator.validation import CheckedForm
from articles.access import article_for
from articles.services.articles import metadata_max_length
from corpora.permissions import Right, corpus_for
from imports.extraction import BULK_SUFFIXES, DOCUMENT_SUFFIXES
from imports.selectors import (
    import_job_get,
    import_job_progress,
    import_jobs_recent,
    snapshot_charset,
    snapshot_of,
)
from imports.services import import_create, import_preview
from imports.services import import_job_retry as import_job_retry_service

FORM_FIELDS = ("kind", "text", "url", "title", "author", "outlet", "source_url", "published_on")
FORM_FLAGS = ("keep_first_line",)


def _optional(name: str, **kwargs) -> forms.CharField:
    return forms.CharField(required=False, label=name.replace("_", " ").capitalize(), **kwargs)


class ImportForm(CheckedForm):
    """The import page's fields; ``import_create`` checks what they mean and names the field."""

    kind = _optional("kind", max_length=8)
    text = _optional("text", strip=False, max_length=settings.MAX_ARTICLE_CHARS)
    url = _optional("url", max_length=2000)
    title = _optional("title", max_length=metadata_max_length("title"))
    author = _optional("author", max_length=metadata_max_length("author"))
    outlet = _optional("outlet", max_length=metadata_max_length("outlet"))
    source_url = _optional("source_url", max_length=metadata_max_length("source_url"))
    published_on = _optional("published_on", max_length=40)
    keep_first_line = forms.BooleanField(
        required=False, label="Keep the first line in the text (it is not a headline)"
    )


@login_required
@require_http_methods(["GET", "POST"])
def corpus_import(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    errors: dict[str, list[str]] = {}
    values = {name: request.POST.get(name, "") for name in FORM_FIELDS + FORM_FLAGS}
    if request.method == "POST":
        form = ImportForm(request.POST)
        if not form.is_valid():
            errors = form.named_error_dict()
        else:
            try:
                job = import_create(
                    corpus=corpus,
                    user=request.user,
                    upload=request.FILES.get("file"),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"kind": exc.messages}
            else:
                return redirect("import_job", slug=corpus.slug, pk=job.pk)
    jobs = import_jobs_recent(corpus=corpus, limit=20)
    context = {
        "corpus": corpus,
        "jobs": jobs,
        "errors": errors,
        "values": values,
        "active": values["kind"] or "file",
        "accept": ",".join(DOCUMENT_SUFFIXES + BULK_SUFFIXES),
    }
    return render(request, "imports/corpus_import.html", context, status=400 if errors else 200)


@login_required
@require_POST
def corpus_import_preview(request: HttpRequest, slug: str) -> JsonResponse:
    """What importing this text or file would make (title, byline, first
    sentences), from the same extraction as the import; nothing is stored."""
    corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = ImportForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.named_error_dict()}, status=400)
    fields = {name: value for name, value in form.cleaned_data.items() if name != "url"}
    try:
        preview = import_preview(upload=request.FILES.get("file"), **fields)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"kind": exc.messages}
        return JsonResponse({"errors": errors}, status=400)
    record = dataclasses.asdict(preview)
    if preview.published_on:
        record["published_on"] = preview.published_on.isoformat()
    return JsonResponse(record)


def _job(corpus, pk: int):
    job = import_job_get(corpus=corpus, job_id=pk)
    if job is None:
        raise Http404("No such import job in this corpus.")
    return job


@require_GET
@login_required
def import_job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    job = _job(corpus, pk)
    progress = import_job_progress(job=job)
    context = {
        "corpus": corpus,
        "job": job,
        "progress": progress,
        "status_url": reverse("import_job_status", kwargs={"slug": slug, "pk": pk}),
        "corpus_url": reverse("corpus_detail", kwargs={"slug": slug}),
    }
    return render(request, "imports/job.html", context)


@require_GET
@login_required
def import_job_status(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    job = _job(corpus, pk)
    return JsonResponse(import_job_progress(job=job, failures_limit=500))


SNAPSHOT_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def snapshot_response(*, body: bytes, content_type: str, article_id: int, download: bool):
    if download:
        response = HttpResponse(body, content_type="application/octet-stream")
        disposition = f'attachment; filename="article-{article_id}-archived.html"'
    else:
        charset = snapshot_charset(content_type)
        response = HttpResponse(body, content_type=f"text/plain; charset={charset}")
        disposition = f'inline; filename="article-{article_id}-archived.txt"'
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = SNAPSHOT_POLICY
    return response


@require_GET
@login_required
@csp_policy(SNAPSHOT_POLICY)
def article_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """Any member of the article's corpus; 404 for everyone else."""
    article, _role = article_for(request.user, pk, right=Right.VIEW)
    snapshot = snapshot_of(article)
    if snapshot is None:
        raise Http404("This article has no archived copy; only pages imported by URL have one.")
    return snapshot_response(
        body=bytes(snapshot.body),
        content_type=snapshot.content_type,
        article_id=article.pk,
        download=request.GET.get("download") == "1",
    )


@require_POST
@login_required
def import_job_retry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    job = _job(corpus, pk)
    if import_job_retry_service(job=job):
        messages.success(request, "Queued again: the import continues where it stopped.")
    else:
        messages.info(request, f"Nothing to retry: the import is {job.status}.")
    return redirect("import_job", slug=slug, pk=pk)
