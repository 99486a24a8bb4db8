"""Web pages by URL: fetched with a timeout and a size cap, never from private addresses."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError

from imports.fetcher import FetchError, fetch_page
from imports.models import ArticleSnapshot, ImportJob
from imports.services import import_url_create

from .conftest import NEWS_PAGE

pytestmark = pytest.mark.django_db


def test_a_page_is_imported_with_metadata_and_an_archived_copy(
    corpus, owner, run_job, page_server, allow_local_server
):
    page_server.page("/story", NEWS_PAGE)
    page_server.redirect("/short", "/story")
    job = run_job(import_url_create(corpus=corpus, user=owner, url=page_server.url("/short")))

    assert job.status == ImportJob.Status.DONE, job.error
    article = job.article
    assert list(job.created_articles.all()) == [article]
    assert "new spending plan" in article.text and "trackingPixel" not in article.text
    assert article.title == "The Cost of Waiting"
    assert article.author == "Jane Doe"
    assert article.outlet == "The Daily Ledger"
    assert article.published_on == dt.date(2025, 3, 4)
    assert article.source_url == page_server.url("/story")
    snapshot = ArticleSnapshot.objects.get(article=article)
    assert bytes(snapshot.body) == NEWS_PAGE.encode()
    assert snapshot.requested_url == page_server.url("/short")
    assert snapshot.final_url == page_server.url("/story")
    assert snapshot.status_code == 200


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://127.0.0.1:9/", "loopback"),
        ("http://localhost:9/", "loopback"),
        ("http://[::1]:9/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.10/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/", "non-public"),
    ],
)
def test_non_public_addresses_are_refused(url, what):
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    assert "Refused" in str(caught.value) and what in str(caught.value)


def test_a_redirect_to_loopback_is_refused(page_server, allow_local_server):
    # 127.0.0.1 is allowed for this test's server; 127.0.0.2 is loopback all the same.
    page_server.redirect("/jump", f"http://127.0.0.2:{page_server.port}/story")
    with pytest.raises(FetchError) as caught:
        fetch_page(page_server.url("/jump"))
    assert "127.0.0.2" in str(caught.value) and "loopback" in str(caught.value)


def test_the_refusal_reaches_the_job(corpus, owner, run_job):
    job = run_job(import_url_create(corpus=corpus, user=owner, url="http://127.0.0.1:9/x"))
    assert job.status == ImportJob.Status.FAILED
    assert "loopback" in job.error


def test_pages_over_the_size_cap_are_refused(page_server, allow_local_server, settings):
    settings.IMPORT_FETCH_MAX_BYTES = 2048
    page_server.page("/big", "<p>" + "word " * 2000 + "</p>")
    with pytest.raises(FetchError) as caught:
        fetch_page(page_server.url("/big"))
    assert "larger than" in str(caught.value)


def test_redirect_loops_stop(page_server, allow_local_server):
    page_server.redirect("/a", "/b")
    page_server.redirect("/b", "/a")
    with pytest.raises(FetchError) as caught:
        fetch_page(page_server.url("/a"))
    assert "redirects more than" in str(caught.value)


def test_error_statuses_and_non_pages_are_refused(page_server, allow_local_server):
    page_server.page("/pic", b"\x89PNG", content_type="image/png")
    with pytest.raises(FetchError, match="404"):
        fetch_page(page_server.url("/missing"))
    with pytest.raises(FetchError, match="image/png"):
        fetch_page(page_server.url("/pic"))


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "http://user:pw@example.com/", "nope"]
)
def test_malformed_urls_are_refused_when_submitted(corpus, owner, url):
    with pytest.raises(ValidationError) as caught:
        import_url_create(corpus=corpus, user=owner, url=url)
    assert caught.value.message_dict["url"]
    assert not ImportJob.objects.exists()


# --- compressed pages: IMPORT_FETCH_MAX_BYTES caps the inflated page ----------

KB = 1024


def _compressed(chunks, *, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(packer.compress(chunk) for chunk in chunks) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15)],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate"],
)
def test_a_compressed_page_is_inflated_and_imported(
    corpus, owner, run_job, page_server, allow_local_server, encoding, wbits
):
    page = NEWS_PAGE.encode()
    page_server.routes["/packed"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": encoding},
        _compressed([page], wbits=wbits),
    )
    assert fetch_page(page_server.url("/packed")).body == page
    job = run_job(import_url_create(corpus=corpus, user=owner, url=page_server.url("/packed")))
    assert job.status == ImportJob.Status.DONE, job.error
    assert "new spending plan" in job.article.text


def test_a_gzip_bomb_is_refused_once_inflated_past_the_cap_in_bounded_memory(
    corpus, owner, run_job, page_server, allow_local_server, settings
):
    settings.IMPORT_FETCH_MAX_BYTES = 1024 * KB
    # 100 MB of HTML that gzip packs into ~100 kB: a fraction of the cap on the wire.
    body = _compressed([b"<html><body><p>"] + [b" " * 1_000_000] * 100, wbits=31)
    assert len(body) < 200 * KB
    page_server.routes["/bomb"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
        body,
    )
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch_page(page_server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert "would inflate past 1,024 KB (gzip-compressed" in message
    assert "the limit is 1,024 KB once inflated" in message
    assert peak < 4 * 1024 * KB, f"peak {peak / 1e6:.0f} MB for a page capped at 1 MB"

    job = run_job(import_url_create(corpus=corpus, user=owner, url=page_server.url("/bomb")))
    assert job.status == ImportJob.Status.FAILED
    assert "would inflate past 1,024 KB" in job.error


def test_an_encoding_the_importer_did_not_ask_for_is_refused(page_server, allow_local_server):
    page_server.routes["/br"] = (
        200,
        {"Content-Type": "text/html", "Content-Encoding": "br"},
        b"\x1b\x00\x00",
    )
    with pytest.raises(FetchError, match="Content-Encoding 'br', which the importer does not"):
        fetch_page(page_server.url("/br"))


def test_damaged_gzip_data_is_refused_with_a_reason(page_server, allow_local_server):
    page_server.routes["/broken"] = (
        200,
        {"Content-Type": "text/html", "Content-Encoding": "gzip"},
        b"\x1f\x8b\x08\x00" + b"not really gzip" * 10,
    )
    with pytest.raises(FetchError, match="gzip data is damaged"):
        fetch_page(page_server.url("/broken"))
