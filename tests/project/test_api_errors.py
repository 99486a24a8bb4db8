"""Malformed input gets a 4xx in the one error shape, never a 500."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error


def put_raw(client, sentence, body: bytes, content_type="application/json"):
    return client.generic(
        "PUT", f"/api/sentences/{sentence.pk}/annotation/", body, content_type=content_type
    )


def test_bad_json_is_400(client_for, annotator, sentence):
    error = assert_error(
        put_raw(client_for(annotator), sentence, b'{"label": '), 400, "parse_error"
    )
    assert "JSON" in error["message"]


def test_bad_utf8_is_400(client_for, annotator, sentence):
    error = assert_error(
        put_raw(client_for(annotator), sentence, b'{"label": "\xff\xfe", "version": 0}'),
        400,
        "parse_error",
    )
    assert "UTF-8" in error["message"]


def test_lone_surrogate_is_400(client_for, annotator, sentence):
    body = b'{"label": "claim", "note": "\\ud800", "version": 0}'
    assert_error(put_raw(client_for(annotator), sentence, body), 400, "parse_error")


def test_nan_is_400(client_for, annotator, sentence):
    body = b'{"label": "claim", "version": NaN}'
    assert_error(put_raw(client_for(annotator), sentence, body), 400, "parse_error")


def test_nul_character_is_400_naming_the_field(client_for, annotator, sentence):
    body = b'{"label": "claim", "note": "a\\u0000b", "version": 0}'
    error = assert_error(put_raw(client_for(annotator), sentence, body), 400, "invalid")
    assert "note" in error["fields"]


def test_wrong_types_are_400_naming_fields(client_for, annotator, sentence):
    body = b'{"label": ["claim"], "version": "seven"}'
    error = assert_error(put_raw(client_for(annotator), sentence, body), 400, "invalid")
    assert set(error["fields"]) == {"label", "version"}


def test_a_list_body_is_400(client_for, annotator, sentence):
    assert_error(put_raw(client_for(annotator), sentence, b"[1, 2]"), 400, "invalid")


def test_empty_body_is_400_naming_the_required_fields(client_for, annotator, sentence):
    error = assert_error(put_raw(client_for(annotator), sentence, b""), 400, "invalid")
    assert set(error["fields"]) == {"label", "version"}


def test_wrong_content_type_is_415(client_for, annotator, sentence):
    response = put_raw(client_for(annotator), sentence, b"label=claim", "text/plain")
    assert_error(response, 415)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_huge_body_is_413(client_for, annotator, sentence):
    body = b'{"label": "claim", "note": "' + b"x" * 5000 + b'", "version": 0}'
    error = assert_error(put_raw(client_for(annotator), sentence, body), 413, "payload_too_large")
    assert "2,048" in error["message"]


def test_deep_nesting_is_400(client_for, annotator, sentence):
    body = b"[" * 100_000 + b"]" * 100_000
    assert_error(put_raw(client_for(annotator), sentence, body), 400)


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/-1/",
        "/api/articles/abc/",
        "/api/articles/99999999999999999999999/",
        "/api/sentences/0/annotation/",
        "/api/nothing-here/",
    ],
)
def test_bad_ids_and_paths_are_json_404(client_for, annotator, path):
    assert_error(client_for(annotator).get(path), 404, "not_found")


def test_version_out_of_range_is_400(client_for, annotator, sentence):
    response = client_for(annotator).put(
        f"/api/sentences/{sentence.pk}/annotation/",
        {"label": "claim", "version": 10**30},
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert "version" in error["fields"]


def test_delete_needs_a_numeric_version(client_for, annotator, sentence):
    response = client_for(annotator).delete(f"/api/sentences/{sentence.pk}/annotation/?version=x")
    error = assert_error(response, 400, "invalid")
    assert "version" in error["fields"]


def test_bad_query_parameters_are_400(client_for, owner, corpus):
    client = client_for(owner)
    assert_error(client.get(f"/api/corpora/{corpus.slug}/articles/?status=lost"), 400, "invalid")
    assert_error(client.get("/api/datasets/sentences/?changed_since=yesterday"), 400, "invalid")
    assert_error(client.get("/api/datasets/sentences/?article=-4"), 400, "invalid")


def test_a_page_past_the_end_is_404_and_a_forged_cursor_400(client_for, owner, corpus):
    client = client_for(owner)
    assert_error(client.get(f"/api/corpora/{corpus.slug}/articles/?page=999"), 404)
    error = assert_error(client.get("/api/datasets/sentences/?cursor=bogus"), 400, "invalid")
    assert "cursor" in error["fields"]


def test_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token ann_nope")
    error = assert_error(api.get("/api/corpora/"), 401)
    assert "token" in error["message"].lower()


def test_anonymous_is_401_with_the_scheme(api):
    response = api.get("/api/corpora/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_method_not_allowed_is_405(client_for, annotator, article):
    assert_error(client_for(annotator).delete(f"/api/articles/{article.pk}/"), 405)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_the_database_undid_for_a_concurrent_one_is_503_retry(corpus, owner):
    """A real deadlock (two transactions taking two rows in opposite orders): the one
    PostgreSQL rolls back is answered 503 with Retry-After, not a 500."""
    import threading

    from django.db import OperationalError, transaction

    from annotator.api.errors import api_exception_handler
    from corpora.models import Corpus
    from tests.concurrency import side_by_side

    other = Corpus.objects.create(name="Other", slug="other")
    both_locked_one = threading.Barrier(2)

    def take(first: int, second: int):
        def go():
            with transaction.atomic():
                list(Corpus.objects.select_for_update().filter(pk=first))
                both_locked_one.wait(10)
                list(Corpus.objects.select_for_update().filter(pk=second))

        return go

    errors = side_by_side(take(corpus.pk, other.pk), take(other.pk, corpus.pk))
    assert len(errors) == 1 and isinstance(errors[0], OperationalError), errors
    response = api_exception_handler(errors[0], {"request": None})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data["error"]["code"] == "write_collided"
    assert "Send it again" in response.data["error"]["message"]
    # Any other database error stays a server error (Django answers 500 and logs it).
    assert api_exception_handler(OperationalError("disk full"), {"request": None}) is None
