"""The user of a signed-in session, read by one lean statement on every request.

Whatever reads it, Django's rules hold: a deactivated account's session stops
working at once, and a password change ends the account's other sessions (the
session keeps a hash of the password, checked on every request). Checked with
sessions in the database and, as docker-compose runs them, read from Redis.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.plugins.api import label_put

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "redis"])
def session_engine(request):
    if request.param == "database":
        yield
        return
    yield request.getfixturevalue("redis_sessions")


def test_a_deactivated_account_is_signed_out_at_once(session_engine, annotator, sentence):
    client = Client()
    client.force_login(annotator)
    assert label_put(client, sentence, 0, "claim").status_code == 201
    annotator.is_active = False
    annotator.save()
    response = label_put(client, sentence, 1, "speculation")
    assert response.status_code == 401, response.content
    assert sentence.annotations.get().label.key == "claim"


def test_a_password_change_ends_the_account_s_other_sessions(session_engine, annotator, sentence):
    client = Client()
    client.force_login(annotator)
    assert label_put(client, sentence, 0, "claim").status_code == 201
    annotator.set_password("a-new-long-passphrase")
    annotator.save()
    response = label_put(client, sentence, 1, "speculation")
    assert response.status_code == 401, response.content
    assert sentence.annotations.get().label.key == "claim"


def test_a_role_change_applies_to_the_next_write(session_engine, annotator, corpus, sentence):
    from corpora.models import Role
    from corpora.services.corpora import membership_set

    client = Client()
    client.force_login(annotator)
    assert label_put(client, sentence, 0, "claim").status_code == 201
    membership_set(corpus=corpus, user=annotator, role=Role.VIEWER)
    assert label_put(client, sentence, 1, "speculation").status_code == 403
