"""Creating, finding and revoking personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import ApiToken
from accounts.sql import token_with_user

# A recognisable prefix lets secret scanners spot leaked tokens.
TOKEN_PREFIX = "ann_"  # noqa: S105 (a public marker, not a secret)
PREFIX_CHARS = 12
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKENS_PER_USER = 50
TOKEN_NAME_MAX_CHARS = ApiToken._meta.get_field("name").max_length or 100
TOKEN_MAX_EXPIRY_DAYS = 3650


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(
    *,
    user: User,
    name: str,
    expires_in_days: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and never shown again.

    ``expires_in_days`` None takes ``API_TOKEN_DEFAULT_EXPIRY_DAYS``; 0 means
    the token never expires.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after where it is used, e.g. 'notebook'."})
    if expires_in_days is None:
        expires_in_days = settings.API_TOKEN_DEFAULT_EXPIRY_DAYS
    if expires_in_days < 0:
        raise ValidationError({"expires_in_days": "Use a positive number of days, or 0 for never."})
    if expires_in_days > TOKEN_MAX_EXPIRY_DAYS:
        raise ValidationError(
            {"expires_in_days": f"Use at most {TOKEN_MAX_EXPIRY_DAYS} days, or 0 for never."}
        )
    if len(name) > TOKEN_NAME_MAX_CHARS:
        raise ValidationError(
            {"name": f"Keep the name to {TOKEN_NAME_MAX_CHARS} characters or fewer."}
        )
    now = now or timezone.now()
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            {"name": f"You have {MAX_TOKENS_PER_USER} tokens already; revoke unused ones first."}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                prefix=secret[:PREFIX_CHARS],
                digest=token_digest(secret),
                expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
            )
    except IntegrityError:
        raise ValidationError(
            {"name": f"You already have a token named {name!r}; choose another name."}
        ) from None
    return token, secret


def token_authenticate(*, secret: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token with this secret, or None; records when it was last used."""
    now = now or timezone.now()
    token = token_with_user(digest=token_digest(secret))
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, user: User, token_id: int) -> None:
    """Delete one of the user's tokens; someone else's token is 404, as if absent."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404("No such token.")
