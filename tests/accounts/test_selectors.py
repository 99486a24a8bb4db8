"""The reads the token list (API and page) goes through."""

from __future__ import annotations

import pytest

from accounts.selectors import token_list
from accounts.services import token_create

pytestmark = pytest.mark.django_db


def test_token_list_is_the_users_own_newest_first(annotator, reviewer):
    first, _ = token_create(user=annotator, name="laptop", expires_in_days=0)
    second, _ = token_create(user=annotator, name="server", expires_in_days=0)
    token_create(user=reviewer, name="laptop", expires_in_days=0)
    assert [t.pk for t in token_list(user=annotator)] == [second.pk, first.pk]
