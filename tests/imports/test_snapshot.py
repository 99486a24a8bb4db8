"""The archived copy of a fetched page: members only, never served as HTML."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from imports.models import ArticleSnapshot
from imports.services import import_url_create

from .conftest import NEWS_PAGE

pytestmark = pytest.mark.django_db

HOSTILE_PAGE = (
    "<!doctype html><html><head><title>Hostile</title></head><body>"
    "<script>document.title = 'pwned'; fetch('/api/tokens/', {method: 'POST'});</script>"
    "<img src=x onerror=\"document.title='pwned'\"><p>Caf\u00e9 society, they say.</p>"
    "</body></html>"
)


@pytest.fixture
def imported(corpus, owner, run_job, page_server, allow_local_server):
    """A job that imported a page (with scripts in it) by URL, and its article."""
    page_server.page("/story", NEWS_PAGE.replace("</article>", HOSTILE_PAGE + "</article>"))
    job = run_job(import_url_create(corpus=corpus, user=owner, url=page_server.url("/story")))
    assert job.status == "done", job.error
    return job


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_members_read_the_archived_copy_as_plain_text(imported, owner, annotator, reviewer, viewer):
    url = f"/articles/{imported.article_id}/archived-copy/"
    body = bytes(ArticleSnapshot.objects.get(article_id=imported.article_id).body)
    for user in (owner, annotator, reviewer, viewer):
        response = client_of(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox;")
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["Content-Disposition"].startswith("inline;")
        assert response.content == body and b"<script>" in body


def test_the_download_is_an_attachment_never_html(imported, owner):
    response = client_of(owner).get(f"/articles/{imported.article_id}/archived-copy/?download=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_outsiders_get_404_and_anonymous_users_the_login_page(imported, outsider):
    url = f"/articles/{imported.article_id}/archived-copy/"
    assert client_of(outsider).get(url).status_code == 404
    anonymous = client_of(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_article_without_a_fetched_page_has_no_archived_copy(article, owner):
    response = client_of(owner).get(f"/articles/{article.pk}/archived-copy/")
    assert response.status_code == 404
    assert client_of(owner).get(f"/api/articles/{article.pk}/snapshot/").status_code == 404


def test_the_declared_charset_is_kept_and_an_unknown_one_falls_back(article, owner):
    snapshot = ArticleSnapshot.objects.create(
        article=article,
        requested_url="https://example.com/a",
        final_url="https://example.com/a",
        status_code=200,
        content_type="text/html; charset=windows-1252",
        body="Caf\u00e9".encode("cp1252"),
        fetched_at=timezone.now(),
    )
    url = f"/articles/{article.pk}/archived-copy/"
    assert client_of(owner).get(url)["Content-Type"] == "text/plain; charset=cp1252"
    snapshot.content_type = "text/html; charset=x-made-up"
    snapshot.save()
    assert client_of(owner).get(url)["Content-Type"] == "text/plain; charset=utf-8"


def test_the_api_gives_the_exact_bytes_to_members_and_404_to_outsiders(
    imported, owner, viewer, outsider
):
    url = f"/api/articles/{imported.article_id}/snapshot/"
    body = bytes(ArticleSnapshot.objects.get(article_id=imported.article_id).body)
    for user in (owner, viewer):
        client = APIClient()
        client.force_authenticate(user=user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert base64.b64decode(data["body_base64"]) == body
        assert data["size"] == len(body) and data["status_code"] == 200
        assert data["final_url"].endswith("/story") and data["charset"] == "utf-8"
    stranger = APIClient()
    stranger.force_authenticate(user=outsider)
    assert stranger.get(url).status_code == 404
    assert APIClient().get(url).status_code == 401


def test_the_schema_documents_the_snapshot_endpoint(owner):
    client = APIClient()
    client.force_authenticate(user=owner)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    operation = paths["/api/articles/{id}/snapshot/"]["get"]
    assert {"200", "401", "404"} <= set(operation["responses"])


def test_the_import_job_page_links_to_the_archived_copy(imported, owner, corpus):
    page = client_of(owner).get(f"/corpora/{corpus.slug}/imports/{imported.pk}/")
    assert f'href="/articles/{imported.article_id}/archived-copy/"'.encode() in page.content
    listing = client_of(owner).get(f"/corpora/{corpus.slug}/import/")
    assert f'href="/articles/{imported.article_id}/archived-copy/"'.encode() in listing.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chromium_shows_the_archived_page_as_text_and_runs_none_of_it(
    live_server, page, sign_in, owner, corpus, make_article, screenshot
):
    article = make_article(corpus, "A page imported by URL. It had scripts.")
    ArticleSnapshot.objects.create(
        article=article,
        requested_url="https://example.com/hostile",
        final_url="https://example.com/hostile",
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=HOSTILE_PAGE.encode(),
        fetched_at=timezone.now(),
    )
    sign_in(page, owner)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/articles/{article.pk}/archived-copy/")

    text = page.locator("body").inner_text()
    assert "<script>document.title = 'pwned'" in text  # shown as text, not run
    assert "Caf\u00e9 society" in text
    assert page.title() != "pwned" and page.locator("img").count() == 0
    assert not dialogs
    screenshot(page, "imports-archived-copy")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_job_page_adds_the_article_links_when_the_fetch_finishes(
    live_server, page, sign_in, owner, corpus, page_server, allow_local_server
):
    from playwright.sync_api import expect

    from imports.services import import_job_run

    page_server.page("/story", NEWS_PAGE)
    job = import_url_create(corpus=corpus, user=owner, url=page_server.url("/story"))
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/imports/{job.pk}/")
    expect(page.get_by_role("link", name="Archived copy")).to_have_count(0)

    import_job_run(job_id=job.pk)  # as a worker would, while the page polls
    job.refresh_from_db()

    link = page.get_by_role("link", name="Archived copy")
    expect(link).to_have_attribute("href", f"/articles/{job.article_id}/archived-copy/")
    expect(page.get_by_role("link", name="Open the article")).to_be_visible()
    assert not page.js_errors
