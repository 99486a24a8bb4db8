"""The corpus page follows segmentation by itself, with a real Celery worker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_corpus_page_updates_status_and_counts_while_the_worker_segments(
    worker_factory, live_server, page, sign_in, annotator, corpus, make_article
):
    first = make_article(
        corpus, "The page waits. Then it updates itself.", title="Fresh import", segment=False
    )
    second = make_article(
        corpus, "Second article. Also queued. Three.", title="Second", segment=False
    )
    sign_in(page, annotator)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    row = page.locator(f"tr[data-article-id='{first.pk}']")
    expect(row.locator("[data-role='status']")).to_have_text("Pending")
    assert row.get_by_role("link").count() == 0

    worker_factory()  # segmentation starts only now, with the page open
    expect(row.locator("[data-role='status']")).to_have_text("Ready", timeout=30_000)
    expect(row.get_by_role("link", name="Fresh import")).to_be_visible()
    expect(row.locator("[data-role='counts']")).to_have_text("0 / 2")
    other = page.locator(f"tr[data-article-id='{second.pk}']")
    expect(other.locator("[data-role='counts']")).to_have_text("0 / 3", timeout=30_000)
    expect(page.locator("#status-live")).to_have_text("2 of 2 articles ready.")
    assert page.js_errors == []
