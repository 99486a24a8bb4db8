"""The token lookup's raw statement (accounts/sql.py): each column lands in the field it names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import token_create, token_digest
from accounts.sql import token_with_user, user_by_id

pytestmark = pytest.mark.django_db


def test_token_and_user_fields_come_from_their_own_columns(make_user):
    user = make_user("tess")
    user.first_name, user.last_name, user.email = "Tess", "Durbeyfield", "tess@example.org"
    user.save()
    token, secret = token_create(user=user, name="notebook", expires_in_days=30)
    used = timezone.now() - dt.timedelta(hours=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used)

    found = token_with_user(digest=token_digest(secret))

    assert (found.pk, found.user_id, found.expires_at, found.last_used_at) == (
        token.pk,
        user.pk,
        token.expires_at,
        used,
    )
    assert (found.user.pk, found.user.username, found.user.first_name, found.user.last_name) == (
        user.pk,
        "tess",
        "Tess",
        "Durbeyfield",
    )
    assert (found.user.email, found.user.password, found.user.is_active) == (
        "tess@example.org",
        user.password,
        True,
    )
    # Token fields the statement does not read load when read.
    assert found.name == "notebook"


def test_unknown_digest_finds_nothing(db):
    assert token_with_user(digest=token_digest("ann_nope")) is None


def test_a_session_user_comes_with_every_field_from_its_own_column(make_user):
    user = make_user("tess", first_name="Tess", email="tess@example.org", is_staff=True)
    user.last_login = timezone.now() - dt.timedelta(days=1)
    user.save()
    found = user_by_id(user.pk)
    fields = [f.attname for f in type(user)._meta.concrete_fields]
    assert {name: getattr(found, name) for name in fields} == {
        name: getattr(user, name) for name in fields
    }
    assert not found._state.adding  # a stored row: saving it updates, never inserts
    assert user_by_id(user.pk + 1000) is None
