"""The corpus's members: everyone in it may read the list, owners change it and invite people."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from annotator.validation import CheckedForm
from corpora.models import Corpus, Invitation, Role
from corpora.permissions import Right, corpus_for, has_right
from corpora.selectors import corpus_invitations
from corpora.selectors import corpus_members as corpus_members_list
from corpora.services.members import member_add, member_remove, member_role_change


def members_page(
    request: HttpRequest,
    corpus: Corpus,
    role: str,
    *,
    invite_errors: list[str] | None = None,
    created: Invitation | None = None,
    link: str = "",
    status: int = 200,
) -> HttpResponse:
    """The members page; after an invitation is made, with its link (shown this once)."""
    can_manage = has_right(role, Right.MANAGE)
    context = {
        "corpus": corpus,
        "members": list(corpus_members_list(corpus=corpus)),
        "can_manage": can_manage,
        "roles": Role.choices,
        "invitations": list(corpus_invitations(corpus=corpus)) if can_manage else [],
        "invite_errors": invite_errors or [],
        "invite_form": request.POST if invite_errors else {},
        "created": created,
        "link": link,
        "default_days": settings.INVITATION_DEFAULT_EXPIRY_DAYS,
        "now": timezone.now(),
    }
    return render(request, "members/members.html", context, status=status)


@require_GET
@login_required
def corpus_members(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.VIEW)
    return members_page(request, corpus, role)


class MemberForm(CheckedForm):
    # Not required here: the service's messages for missing values say what to give.
    user = forms.CharField(required=False, max_length=254, label="User name or email")
    role = forms.CharField(required=False, max_length=16, label="Role")


def _explain(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form(request: HttpRequest) -> MemberForm | None:
    """The posted member form, or None after its errors were shown as messages."""
    form = MemberForm(request.POST)
    if form.is_valid():
        return form
    for message in form.named_errors():
        messages.error(request, message)
    return None


@require_POST
@login_required
def member_add_view(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = _form(request)
    if form is None:
        return redirect("corpus_members", slug=corpus.slug)
    try:
        membership = member_add(
            corpus=corpus, who=form.cleaned_data["user"], role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        _explain(request, exc)
    else:
        messages.success(
            request, f"{membership.user.get_username()} joined as {membership.get_role_display()}."
        )
    return redirect("corpus_members", slug=corpus.slug)


@require_POST
@login_required
def member_role_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = _form(request)
    if form is None:
        return redirect("corpus_members", slug=corpus.slug)
    try:
        membership = member_role_change(
            corpus=corpus, user_id=user_id, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        _explain(request, exc)
    else:
        messages.success(
            request, f"{membership.user.get_username()} is now {membership.get_role_display()}."
        )
    return redirect("corpus_members", slug=corpus.slug)


@require_POST
@login_required
def member_remove_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    try:
        member_remove(corpus=corpus, user_id=user_id)
    except ValidationError as exc:
        _explain(request, exc)
        return redirect("corpus_members", slug=corpus.slug)
    messages.success(request, "The member was removed.")
    if user_id == request.user.pk:
        return redirect("home")  # an owner who left no longer sees the corpus
    return redirect("corpus_members", slug=corpus.slug)
