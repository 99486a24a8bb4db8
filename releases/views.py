"""The releases pages: list and publish, one release (progress, files, withdraw), a diff."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotator.validation import CheckedForm
from corpora.permissions import Right, corpus_for, has_right
from releases import format as release_format
from releases.downloads import Gone, release_file_response
from releases.models import Release
from releases.selectors import (
    DIFF_SHOWN,
    release_diff,
    release_get,
    release_progress,
    releases_of,
)
from releases.services.releases import release_create, release_withdraw, splits_reset


class ReleaseForm(CheckedForm):
    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=40)
    description = forms.CharField(required=False, max_length=20_000)
    licence = forms.CharField(max_length=64)
    citation = forms.CharField(required=False, max_length=5_000)
    language = forms.CharField(max_length=16)
    contents = forms.ChoiceField(choices=Release.Contents.choices)
    article_ids = forms.CharField(required=False, max_length=200_000, label="Articles")
    show_usernames = forms.BooleanField(required=False, label="Show usernames")
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    train_percent = forms.IntegerField(min_value=1, max_value=100, label="Train %")
    validation_percent = forms.IntegerField(min_value=0, max_value=99, label="Validation %")
    test_percent = forms.IntegerField(min_value=0, max_value=99, label="Test %")

    def clean_article_ids(self) -> list[int] | None:
        raw = self.cleaned_data["article_ids"].replace(",", " ").split()
        if not raw:
            return None
        if not all(part.isdigit() and len(part) < 19 for part in raw):
            raise ValidationError("List article ids (numbers) separated by spaces or commas.")
        return [int(part) for part in raw]


class WithdrawForm(CheckedForm):
    reason = forms.CharField(max_length=2_000)


DEFAULTS = {
    "language": "en",
    "contents": "gold",
    "seed": "0",
    "train_percent": "80",
    "validation_percent": "10",
    "test_percent": "10",
    "licence": "CC-BY-4.0",
}


def _release(corpus, role, version: str) -> Release:
    release = release_get(corpus=corpus, version=version)
    if release is None or (release.withdrawn and not has_right(role, Right.MANAGE)):
        raise Http404("No such release in this corpus.")
    return release


@login_required
@require_http_methods(["GET", "POST"])
def corpus_releases(request: HttpRequest, slug: str) -> HttpResponse:
    right = Right.MANAGE if request.method == "POST" else Right.SEE_ALL_LABELS
    corpus, role = corpus_for(request.user, slug=slug, right=right)
    errors: dict[str, list[str]] = {}
    values = {**DEFAULTS, **{k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}}
    if request.method == "POST":
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            errors = form.named_error_dict()
        else:
            try:
                release = release_create(corpus=corpus, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            else:
                return redirect("release_detail", slug=corpus.slug, version=release.version)
    manager = has_right(role, Right.MANAGE)
    releases = list(releases_of(corpus=corpus, with_withdrawn=manager))
    published = [r for r in releases if r.status == Release.Status.DONE and not r.withdrawn]
    context = {
        "corpus": corpus,
        "releases": releases,
        "published": published,
        "can_manage": manager,
        "errors": errors,
        "error_list": [m for ms in errors.values() for m in ms],
        "values": values,
        "licences": list(release_format.SPDX_LICENCES),
        "contents_choices": Release.Contents.choices,
    }
    return render(request, "releases/releases.html", context, status=400 if errors else 200)


@require_GET
@login_required
def release_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    release = _release(corpus, role, version)
    files = []
    if release.status == Release.Status.DONE and not release.withdrawn:
        for name, entry in sorted(release.manifest.get("files", {}).items()):
            url = reverse("release_file", kwargs={"slug": slug, "version": version, "name": name})
            files.append({"name": name, "url": url, **entry})
    others = [
        r
        for r in releases_of(corpus=corpus, with_withdrawn=False)
        if r.pk != release.pk and r.status == Release.Status.DONE
    ]
    context = {
        "corpus": corpus,
        "release": release,
        "progress": release_progress(release=release),
        "status_url": reverse("release_status", kwargs={"slug": slug, "version": version}),
        "files": files,
        "others": others,
        "can_manage": has_right(role, Right.MANAGE),
        "counts": release.counts,
        "splits": [(s, release.counts.get("splits", {}).get(s, {})) for s in release_format.SPLITS],
    }
    return render(request, "releases/release.html", context)


@require_GET
@login_required
def release_status(request: HttpRequest, slug: str, version: str) -> JsonResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    release = _release(corpus, role, version)
    return JsonResponse(release_progress(release=release))


@require_GET
@login_required
def release_file(request: HttpRequest, slug: str, version: str, name: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    release = _release(corpus, role, version)
    try:
        return release_file_response(request, release, name)
    except Gone as gone:
        return HttpResponse(str(gone), status=410, content_type="text/plain; charset=utf-8")


@require_POST
@login_required
def release_withdraw_view(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    release = _release(corpus, role, version)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.named_errors())
        release_withdraw(release=release, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Release {version} was withdrawn.")
    return redirect("release_detail", slug=slug, version=version)


@require_POST
@login_required
def splits_reset_view(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    forgotten = splits_reset(corpus=corpus)
    messages.success(
        request, f"The splits of {forgotten} articles were forgotten; the next release draws them."
    )
    return redirect("corpus_releases", slug=slug)


@require_GET
@login_required
def release_diff_view(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.SEE_ALL_LABELS)
    old = _release(corpus, role, request.GET.get("from", ""))
    new = _release(corpus, role, request.GET.get("to", ""))
    for release in (old, new):
        if release.status != Release.Status.DONE or release.withdrawn:
            raise Http404(f"Release {release.version} is not published.")
    diff = release_diff(old=old, new=new)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(diff, indent=1), content_type="application/json; charset=utf-8"
        )
        filename = f"{corpus.slug}-{old.version}-to-{new.version}.diff.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context = {
        "corpus": corpus,
        "old": old,
        "new": new,
        "diff": diff,
        "labels_shown": diff["labels"][:DIFF_SHOWN],
        "gold_shown": diff["gold"][:DIFF_SHOWN],
        "shown": DIFF_SHOWN,
        "json_url": reverse("release_diff", kwargs={"slug": slug})
        + f"?from={old.version}&to={new.version}&format=json",
    }
    return render(request, "releases/diff.html", context)
