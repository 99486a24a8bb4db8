"""The accounts app's hand-written SQL: the user or token lookup that every API call runs.

One raw statement for the token and its user costs a fraction of the Python
time of the equivalent ``select_related`` query (0.06 against 0.43 ms; see
bench/README.md). Columns are named ``user__<field>`` and ``token__<field>``
and read by those names (``annotator.rows``). The user of a signed-in session
is read the same way (``user_by_id``): every browser request reads it, and the
ORM's ``.get()`` was a fifth of a label write's CPU (issue #15). Both are
prepared on PostgreSQL (``annotator.prepared``): every request runs one. Everything
else uses the ORM.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection

from accounts.models import ApiToken
from annotator.prepared import prepared_cursor
from annotator.rows import columns, instance

# What authentication and throttling read of a token; its other fields are deferred.
TOKEN_FIELDS = ("id", "user_id", "expires_at", "last_used_at")


def token_with_user(*, digest: str) -> ApiToken | None:
    """The token with this digest, its ``user`` loaded (every field), or None."""
    with prepared_cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), {"digest": digest})
        row = cursor.fetchone()
        if row is None:
            return None
        named = dict(zip(columns(cursor), row, strict=True))
    values = {"user": {}, "token": {}}
    for name, value in named.items():
        table, field = name.split("__", 1)
        values[table][field] = value
    token = instance(ApiToken, **values["token"])
    token.user = instance(get_user_model(), **values["user"])
    return token


def user_by_id(user_id) -> AbstractBaseUser | None:
    """The user with this primary key (every field loaded), or None."""
    with prepared_cursor() as cursor:
        cursor.execute(_user_sql(connection.vendor), {"id": user_id})
        row = cursor.fetchone()
        if row is None:
            return None
        names = columns(cursor)
    return instance(get_user_model(), **dict(zip(names, row, strict=True)))


@functools.cache
def _user_sql(vendor: str) -> str:
    User = get_user_model()
    quote = connection.ops.quote_name
    selected = [
        f"{quote(field.column)} AS {quote(field.attname)}" for field in User._meta.concrete_fields
    ]
    return (
        f"SELECT {', '.join(selected)} FROM {User._meta.db_table} "
        f"WHERE {quote(User._meta.pk.column)} = %(id)s"
    )


@functools.cache
def _token_sql(vendor: str) -> str:
    User = get_user_model()
    quote = connection.ops.quote_name
    selected = [
        f"u.{quote(field.column)} AS {quote('user__' + field.attname)}"
        for field in User._meta.concrete_fields
    ] + [
        f"t.{quote(ApiToken._meta.get_field(name).column)} AS {quote('token__' + name)}"
        for name in TOKEN_FIELDS
    ]
    user_key = quote(ApiToken._meta.get_field("user").target_field.column)
    return (
        f"SELECT {', '.join(selected)} FROM {ApiToken._meta.db_table} t "
        f"JOIN {User._meta.db_table} u ON u.{user_key} = t.user_id "
        "WHERE t.digest = %(digest)s"
    )
