"""Invitations: owners create and revoke them on the members page; the invitee accepts.

Accepting signs a newcomer up (Django's user creation rules and password
validators) or adds the signed-in account, then opens the corpus. Attempts are
limited per network address (``accounts.throttling.sign_up_lockout``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.throttling import client_address, sign_up_lockout
from annotator.validation import CheckedForm
from corpora.models import Role
from corpora.permissions import Right, corpus_for
from corpora.selectors import invitation_by_token
from corpora.services.invitations import (
    MAX_EXPIRY_DAYS,
    invitation_accept,
    invitation_create,
    invitation_problem,
    invitation_revoke,
    invitation_sign_up,
)
from corpora.views.members import members_page


class InvitationForm(CheckedForm):
    email = forms.CharField(required=False, max_length=254, label="E-mail (optional)")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR, label="Role")
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        label="Valid for (days)",
        error_messages={"invalid": "Give a whole number of days."},
    )


@require_POST
@login_required
def invitation_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return members_page(request, corpus, role, invite_errors=form.named_errors(), status=400)
    accept_url = request.build_absolute_uri(reverse("invitation_accept", args=["TOKEN"]))
    try:
        created = invitation_create(
            corpus=corpus,
            created_by=request.user,
            role=form.cleaned_data["role"],
            email=form.cleaned_data["email"],
            expires_in_days=form.cleaned_data["expires_in_days"],
            accept_url=accept_url.replace("TOKEN", "{token}"),
        )
    except ValidationError as exc:
        return members_page(request, corpus, role, invite_errors=exc.messages, status=400)
    link = accept_url.replace("TOKEN", created.token)
    # Rendered, not redirected: the link exists only in this answer.
    response = members_page(
        request, corpus, role, created=created.invitation, link=link, status=201
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def invitation_revoke_view(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    try:
        invitation_revoke(corpus=corpus, invitation_id=invitation_id)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The invitation is revoked; its link no longer works.")
    return redirect("corpus_members", slug=corpus.slug)


class SignUpForm(UserCreationForm):
    """Django's sign-up form (its user name rules, the password validators) with an e-mail."""

    email = forms.EmailField(required=False, label="E-mail (for password reset)")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


def _page(request, invitation, *, form=None, problem=None, status=200) -> HttpResponse:
    context = {
        "invitation": invitation,
        "problem": problem,
        "form": form,
        "login_url": f"{reverse('login')}?next={request.path}",
    }
    return render(request, "corpora/invitation.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token=token)
    problem = invitation_problem(invitation)
    if problem:
        return _page(
            request,
            invitation if invitation else None,
            problem=problem,
            status=410 if invitation else 404,
        )
    signed_in = request.user.is_authenticated
    if request.method == "GET":
        form = None if signed_in else SignUpForm(initial={"email": invitation.email})
        return _page(request, invitation, form=form)
    lockout = sign_up_lockout(address=client_address(request), request=request)
    if lockout is not None:
        if signed_in:
            response = _page(request, invitation, problem=lockout.message, status=429)
        else:
            # What was typed stays in the form (Django never shows passwords again).
            form = SignUpForm(request.POST)
            form.add_error(None, lockout.message)
            response = _page(request, invitation, form=form, status=429)
        response["Retry-After"] = str(lockout.retry_after)
        return response
    if signed_in:
        try:
            membership = invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            return _page(request, invitation, problem=" ".join(exc.messages), status=409)
    else:
        form = SignUpForm(request.POST)
        if not form.is_valid():
            return _page(request, invitation, form=form, status=400)
        try:
            user, membership = invitation_sign_up(
                token=token,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return _page(request, invitation, form=form, status=400)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    role = membership.get_role_display().lower()
    messages.success(request, f"Welcome to {membership.corpus.name}: you joined as {role}.")
    return redirect("corpus_detail", slug=membership.corpus.slug)
