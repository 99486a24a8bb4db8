"""Reads of accounts: a user's API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiToken


def token_list(*, user) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (the model's order)."""
    return ApiToken.objects.filter(user=user)
