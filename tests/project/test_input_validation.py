"""Bad input where a request enters gets a 4xx or a form error naming the field, never a 500.

Each case was a 500 (or a late failure in the worker) before the one text rule
(``annotator.validation``) and the checks declared on forms and serializers:
a NUL in an HTML form field, an overlong token name or expiry through the
tokens page, forged pagination cursors, an offset past any integer column, and
import metadata the worker would refuse only after answering 202.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from accounts.models import ApiToken
from articles.models import GoldLabel
from corpora.models import Membership
from imports.models import ImportJob
from tests.review.conftest import label_sentences, labelable

pytestmark = pytest.mark.django_db

NUL_VALUE = "bad\x00name"


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def page_text(response) -> str:
    return response.content.decode()


# --- HTML forms: a NUL is a form error naming the field ------------------------------


def test_a_nul_in_the_import_title_is_a_form_error(owner, corpus):
    response = signed_in(owner).post(
        f"/corpora/{corpus.slug}/import/",
        {"kind": "text", "text": "A fine article. It has text.", "title": NUL_VALUE},
    )
    assert response.status_code == 400
    assert "The title holds U+0000 (NUL) at character 4" in page_text(response)
    assert not ImportJob.objects.exists()


def test_a_control_character_in_an_import_url_is_refused_naming_the_field(
    owner, corpus, client_for
):
    url = "https://example.com/a\x00b"
    page = signed_in(owner).post(f"/corpora/{corpus.slug}/import/", {"kind": "url", "url": url})
    assert page.status_code == 400
    assert "The url holds U+0000 (NUL) at character 22" in page_text(page)
    body = {"kind": "url", "url": url}
    api = client_for(owner).post(f"/api/corpora/{corpus.slug}/imports/", body)
    assert api.status_code == 400 and "url" in api.json()["error"]["fields"]
    assert not ImportJob.objects.exists()


def test_a_nul_in_a_member_name_is_a_message_naming_the_field(owner, corpus):
    response = signed_in(owner).post(
        f"/corpora/{corpus.slug}/members/add/",
        {"user": NUL_VALUE, "role": "annotator"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The user holds U+0000 (NUL) at character 4" in page_text(response)
    assert Membership.objects.filter(corpus=corpus).count() == 4


def test_a_nul_in_a_token_name_is_a_form_error(annotator):
    response = signed_in(annotator).post("/accounts/tokens/", {"name": NUL_VALUE})
    assert response.status_code == 400
    page = page_text(response)
    assert 'id="token-name-error"' in page
    assert "The name holds U+0000 (NUL) at character 4" in page
    assert not ApiToken.objects.exists()


def test_a_token_name_over_100_characters_is_a_form_error(annotator):
    response = signed_in(annotator).post("/accounts/tokens/", {"name": "n" * 101})
    assert response.status_code == 400
    assert 'id="token-name-error"' in page_text(response)
    assert "at most 100 characters" in page_text(response)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", ["99999999", "3651", "-1", "99999999999999999999999"])
def test_an_expiry_out_of_range_is_a_form_error(annotator, days):
    response = signed_in(annotator).post(
        "/accounts/tokens/", {"name": "notebook", "expires_in_days": days}
    )
    assert response.status_code == 400
    page = page_text(response)
    assert 'id="token-days-error"' in page
    assert ("less than or equal to 3650" in page) or ("greater than or equal to 0" in page)
    assert not ApiToken.objects.exists()


@pytest.fixture
def disputed(corpus, article, annotator, reviewer):
    label_sentences(article, annotator, "claim")
    label_sentences(article, reviewer, ["speculation", "claim", "claim"])
    return labelable(article)[0]


def test_a_nul_in_an_adjudication_note_is_a_message_naming_the_field(reviewer, corpus, disputed):
    response = signed_in(reviewer).post(
        f"/corpora/{corpus.slug}/adjudication/{disputed.pk}/",
        {"label": "claim", "note": "see\x00this"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The note holds U+0000 (NUL) at character 4" in page_text(response)
    assert not GoldLabel.objects.exists()


# --- forged cursors and offsets: 400 with a message ----------------------------------


def cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


FORGED = [cursor("p=abc"), cursor("p=1.5"), cursor(f"p={2**70}"), cursor("o=x"), "%%%not-base64"]


@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_cursor_on_the_dataset_listing_is_400(client_for, owner, article, forged):
    response = client_for(owner).get("/api/datasets/sentences/", {"cursor": forged})
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "cursor" in error["fields"] and "Invalid cursor" in error["message"]


@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_cursor_on_the_history_is_400(client_for, owner, corpus, disputed, forged):
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/history/", {"cursor": forged})
    assert response.status_code == 400, response.content[:300]
    assert "cursor" in response.json()["error"]["fields"]


def test_a_real_cursor_still_pages(client_for, owner, corpus, disputed):
    client = client_for(owner)
    first = client.get(f"/api/corpora/{corpus.slug}/history/", {"page_size": 2}).json()
    assert first["next"]
    second = client.get(first["next"])
    assert second.status_code == 200 and second.json()["results"]


@pytest.mark.parametrize("offset", ["99999999999999999999", str(2**63)])
def test_an_offset_past_any_integer_on_the_adjudication_queue_is_400(
    client_for, reviewer, corpus, disputed, offset
):
    response = client_for(reviewer).get(
        f"/api/corpora/{corpus.slug}/adjudication/", {"offset": offset}
    )
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert "offset" in error["fields"] and "offset" in error["message"]


def test_the_largest_offset_is_an_empty_page(client_for, reviewer, corpus, disputed):
    response = client_for(reviewer).get(
        f"/api/corpora/{corpus.slug}/adjudication/", {"offset": str(2**63 - 1)}
    )
    assert response.status_code == 200 and response.json()["results"] == []


# --- import metadata: refused at request time, naming the field ----------------------

BAD_METADATA = [
    ("title", "t" * 501, "title"),
    ("author", "a" * 301, "author"),
    ("outlet", "o" * 301, "outlet"),
    ("source_url", "javascript:alert(1)", "source_url"),
    ("source_url", "ftp://example.com/a", "source_url"),
    ("title", "bad\x01title", "title"),
]


@pytest.mark.parametrize(("name", "value", "field"), BAD_METADATA)
def test_bad_metadata_through_the_imports_api_is_400(client_for, owner, corpus, name, value, field):
    body = {"kind": "text", "text": "A fine article. It has text.", name: value}
    response = client_for(owner).post(f"/api/corpora/{corpus.slug}/imports/", body)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["error"]["fields"]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("name", "value", "field"), BAD_METADATA)
def test_bad_metadata_through_the_import_form_is_a_form_error(owner, corpus, name, value, field):
    body = {"kind": "text", "text": "A fine article. It has text.", name: value}
    response = signed_in(owner).post(f"/corpora/{corpus.slug}/import/", body)
    assert response.status_code == 400
    assert "import-errors" in page_text(response)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("name", "value", "field"), BAD_METADATA)
def test_bad_metadata_through_the_articles_api_is_400(
    client_for, owner, corpus, name, value, field
):
    body = {"text": "A fine article. It has text.", name: value}
    response = client_for(owner).post(
        f"/api/corpora/{corpus.slug}/articles/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["error"]["fields"]


def test_bad_metadata_on_an_uploaded_batch_is_400(client_for, owner, corpus):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.txt", b"A fine article. It has text.")
    response = client_for(owner).post(
        f"/api/corpora/{corpus.slug}/imports/",
        {"kind": "file", "file": upload, "source_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400, response.content[:300]
    assert "source_url" in response.json()["error"]["fields"]


# --- the gold endpoint answers outsiders like every other id route --------------------


def test_the_gold_endpoint_tells_an_outsider_nothing(client_for, outsider, disputed):
    client = client_for(outsider)
    body = {"label": "claim"}
    existing = client.put(f"/api/sentences/{disputed.pk}/gold/", body, format="json")
    missing = client.put(f"/api/sentences/{disputed.pk + 10_000}/gold/", body, format="json")
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()
    withdraw = client.delete(f"/api/sentences/{disputed.pk}/gold/")
    assert withdraw.status_code == 404 and withdraw.json() == missing.json()
    # The same answer as the annotation route gives an outsider.
    other = client.put(
        f"/api/sentences/{disputed.pk}/annotation/", {"label": "claim", "version": 0}, format="json"
    )
    assert other.json() == existing.json()


# --- JSON bodies: a text field takes a string, not a number or a list -----------------


@pytest.mark.parametrize("value", [-11, 2.5, True, ["x"], {"a": 1}])
def test_a_text_field_given_another_type_is_400_naming_it(client_for, owner, article, value):
    before = article.outlet
    response = client_for(owner).patch(
        f"/api/articles/{article.pk}/", {"outlet": value, "title": "Kept?"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"outlet": ["Not a valid string."]}
    article.refresh_from_db()
    assert article.outlet == before and article.title != "Kept?"  # nothing half-applied


def test_a_text_field_given_a_string_is_stored(client_for, owner, article):
    response = client_for(owner).patch(
        f"/api/articles/{article.pk}/", {"outlet": "-11"}, format="json"
    )
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert article.outlet == "-11"


def test_a_number_for_text_is_reported_with_the_other_fields_errors(client_for, owner, article):
    response = client_for(owner).patch(
        f"/api/articles/{article.pk}/", {"outlet": 7, "published_on": "soon"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"outlet", "published_on"}
