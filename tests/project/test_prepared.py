"""annotator/prepared.py: the label write's statements are planned once per connection."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext, override_settings

from annotator.prepared import prepared_cursor
from articles import sql

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_answers_and_is_logged():
    with CaptureQueriesContext(connection) as captured:
        for value in (1, 2):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %(value)s + 1 AS answer", {"value": value})
                assert cursor.fetchone() == (value + 1,)
    logged = [q["sql"] for q in captured.captured_queries]
    if connection.vendor == "postgresql":
        # Prepared: logged as written, its values apart.
        assert logged == ["SELECT %(value)s + 1 AS answer"] * 2
    else:
        assert logged == ["SELECT 1 + 1 AS answer", "SELECT 2 + 1 AS answer"]


def test_errors_are_djangos_own():
    with pytest.raises(DatabaseError), prepared_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM articles_sentence WHERE id = %s", [1])


@pytest.mark.postgres
def test_the_labeling_lookup_is_prepared_once_per_connection(annotator, sentence):
    for _ in range(3):
        row = sql.labeling_row(user_id=annotator.pk, sentence_id=sentence.pk, label_key="claim")
        assert row is not None and row.sentence_id == sentence.pk and row.label_id is not None
    mine = [s for s in _prepared_statements() if "AS sentence_id" in s]
    assert len(mine) == 1 and "$1" in mine[0]


@pytest.mark.postgres
def test_nothing_is_prepared_when_turned_off(annotator, sentence):
    with override_settings(DB_PREPARED_STATEMENTS=False):
        for _ in range(3):
            sql.labeling_row(user_id=annotator.pk, sentence_id=sentence.pk, label_key="claim")
    assert not [s for s in _prepared_statements() if "AS sentence_id" in s]


@pytest.mark.postgres
def test_psycopg_prepares_and_remembers_only_what_is_asked(annotator, sentence):
    """Django's own statements (values written in) are never prepared, however often
    they run, nor kept by psycopg: a bulk INSERT's text stayed in memory."""
    sql.labeling_row(user_id=annotator.pk, sentence_id=sentence.pk, label_key="claim")
    assert connection.connection.prepare_threshold is None
    with connection.cursor() as cursor:
        for _ in range(10):
            cursor.execute("SELECT 1")
    assert not [s for s in _prepared_statements() if s.strip() == "SELECT 1"]
    remembered = connection.connection._prepared._counts  # psycopg's own bookkeeping
    assert not [key for key in remembered if b"SELECT 1" in key[0]]


@pytest.mark.postgres
def test_a_label_write_prepares_its_user_its_lookup_and_its_create(client, annotator, sentence):
    """The browser's label write: the session's user, the access-and-label lookup and
    the create are each planned once per connection."""
    client.force_login(annotator)
    body = {"label": "claim", "note": "", "source": "", "version": 0}
    labelable = sentence.article.sentences.filter(kind="sentence")[:3]
    for each in labelable:
        response = client.put(
            f"/api/sentences/{each.pk}/annotation/", body, content_type="application/json"
        )
        assert response.status_code == 201, response.content
    prepared = _prepared_statements()
    assert len([s for s in prepared if "FROM auth_user" in s]) == 1
    assert len([s for s in prepared if "AS sentence_id" in s]) == 1
    assert len([s for s in prepared if "INSERT INTO articles_annotation " in s]) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_refresh_claim_is_prepared_once_and_still_wins_once(corpus):
    """Every label write asks for the corpus's refresh: one prepared statement, which
    creates no report row (a corpus's first claim does that, once)."""
    from review.models import AgreementReport
    from review.services.workflow import _claim_queue_slot

    assert _claim_queue_slot(corpus.pk, 30) is not None  # the first: creates the row
    assert AgreementReport.objects.filter(corpus=corpus).count() == 1
    for _ in range(3):
        assert _claim_queue_slot(corpus.pk, 30) is None  # taken
    AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=None)
    assert _claim_queue_slot(corpus.pk, 30) is not None  # free again: taken by this one
    claims = [s for s in _prepared_statements() if "refresh_queued_at" in s]
    assert len(claims) == 1 and "$1" in claims[0]
