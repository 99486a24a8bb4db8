"""The sign-in page (with its brute-force lockout), the password reset request (limited per
e-mail and address), and the API tokens page: create (the
secret shown once), list, revoke."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import token_list
from accounts.services import (
    TOKEN_MAX_EXPIRY_DAYS,
    TOKEN_NAME_MAX_CHARS,
    token_create,
    token_revoke,
)
from accounts.throttling import (
    Lockout,
    client_address,
    login_lockout,
    password_reset_lockout,
)
from annotator.validation import CheckedForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying so when the account or address is locked out.

    The lockout itself is enforced by the authentication backend
    (``accounts.authentication.LimitedModelBackend``); this form only names it.
    """

    lockout: Lockout | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            address = client_address(self.request) if self.request is not None else None
            self.lockout = login_lockout(username=username, address=address, request=self.request)
            if self.lockout is not None:
                raise ValidationError(self.lockout.message, code="locked_out")
        return super().clean()


class SignInView(auth_views.LoginView):
    form_class = SignInForm

    def form_invalid(self, form: SignInForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.lockout is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.retry_after)
        return response


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset request form, refused past the limits per e-mail and address
    (``accounts.throttling.password_reset_lockout``): a form error, and no e-mail sent."""

    lockout: Lockout | None = None

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        email = self.cleaned_data.get("email")
        if email:
            address = client_address(self.request) if self.request is not None else None
            self.lockout = password_reset_lockout(
                email=email, address=address, request=self.request
            )
            if self.lockout is not None:
                raise ValidationError(self.lockout.message, code="rate_limited")
        return super().clean()


class LimitedPasswordResetView(auth_views.PasswordResetView):
    form_class = LimitedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form: LimitedPasswordResetForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.lockout is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.retry_after)
        return response


class TokenForm(CheckedForm):
    """The same limits as the API's (``accounts.api.serializers.TokenCreateSerializer``)."""

    # Not required here: the service's message for an empty name says what to write.
    name = forms.CharField(required=False, max_length=TOKEN_NAME_MAX_CHARS)
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=TOKEN_MAX_EXPIRY_DAYS,
        error_messages={"invalid": "Give a whole number of days."},
    )


def _page(request: HttpRequest, *, created=None, secret: str = "", errors=None, status=200):
    context = {
        "tokens": token_list(user=request.user),
        "created": created,
        "secret": secret,
        "errors": errors or {},
        "form": request.POST if errors else {},
        "default_days": settings.API_TOKEN_DEFAULT_EXPIRY_DAYS,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, errors=form.errors, status=400)
    try:
        token, secret = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except ValidationError as exc:
        return _page(request, errors=exc.message_dict, status=400)
    # Rendered, not redirected: the secret exists only in this answer.
    response = _page(request, created=token, secret=secret, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_delete(request: HttpRequest, pk: int) -> HttpResponse:
    token_revoke(user=request.user, token_id=pk)
    messages.success(request, "The token is revoked; it stops working at once.")
    return redirect("api_tokens")
