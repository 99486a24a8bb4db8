"""The reads behind the corpus endpoints."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corpora.selectors import corpus_members

pytestmark = pytest.mark.django_db


def test_corpus_members_by_name_with_their_names_in_one_query(corpus, owner, annotator):
    with CaptureQueriesContext(connection) as queries:
        rows = [(m.user_id, m.user.get_username(), m.role) for m in corpus_members(corpus=corpus)]
    assert len(queries) == 1
    assert rows == [
        (annotator.pk, "anna", "annotator"),
        (owner.pk, "olivia", "owner"),
        (rows[2][0], "rita", "reviewer"),
        (rows[3][0], "victor", "viewer"),
    ]
