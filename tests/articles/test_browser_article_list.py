"""In Chromium, at 1440 and 390 px: the corpus page's search, filters, sort and pages,
rows that become cards on a phone, and an owner editing and archiving an article.
axe finds nothing serious or critical."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.pages import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1440, 390]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def many(corpus, make_article):
    made = [
        make_article(
            corpus,
            f"Piece {i} says the council may act. Critics disagree.",
            title=f"Council piece {i:02}",
            author="Ana Lobo" if i % 2 else "Ben Ruiz",
            outlet="The Coast Gazette with a very long outlet name that wraps on phones",
            segment=i < 3,
        )
        for i in range(53)
    ]
    make_article(corpus, "Otters returned to the river.", title="Otters are back")
    return made


@pytest.mark.parametrize("width", WIDTHS)
def test_search_filter_sort_and_page_the_corpus_list(
    page, live_server, sign_in, corpus, owner, many, width
):
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    expect(page.get_by_role("heading", name="Articles")).to_contain_text("(54)")
    expect(page.locator("#articles-table tbody tr")).to_have_count(50)
    assert serious_violations(axe.run(page)) == []
    assert fits(page)
    if width == 390:  # cards: the column names are hidden headers, each cell says its own
        expect(page.locator("#articles-table thead")).not_to_be_in_viewport()
        label = page.locator("#articles-table td[data-label='Status']").first
        assert "Status" in label.evaluate("el => getComputedStyle(el, '::before').content")

    page.get_by_role("link", name="Next").click()
    expect(page.locator("#articles-table tbody tr")).to_have_count(4)

    page.get_by_label("Search").fill("river")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#articles-table tbody tr")).to_have_count(1)
    expect(page.locator("#articles-table")).to_contain_text("Otters are back")

    page.get_by_label("Search").fill("lobo")
    page.get_by_label("Status").select_option("ready")
    page.get_by_label("Sort").select_option("-title")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("#articles-table tbody tr")
    expect(rows).to_have_count(1)  # ready and by Ana Lobo: piece 01 only (0-2 segmented)
    expect(rows.first).to_contain_text("Council piece 01")
    assert serious_violations(axe.run(page)) == []
    assert fits(page)
    page.get_by_role("link", name="Clear").click()
    expect(page.locator("#articles-table tbody tr")).to_have_count(50)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_edits_an_article_and_archives_it(
    page, live_server, sign_in, corpus, owner, article, width
):
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    page.get_by_role("link", name=f"Edit details: {article.title}").click()
    page.get_by_label("Title").fill("A corrected title")
    page.get_by_label("Outlet").fill("The Ledger")
    page.get_by_label("URL").fill("not a url")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".field-error")).to_contain_text("not an http(s) URL")
    assert serious_violations(axe.run(page)) == []
    page.get_by_label("URL").fill("https://ledger.example/piece")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".messages")).to_contain_text("Saved the details")
    page.get_by_role("button", name="Archive this article").click()
    expect(page.locator(".messages")).to_contain_text("Archived")
    assert serious_violations(axe.run(page)) == []
    assert fits(page)

    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    expect(page.locator(f"tr[data-article-id='{article.pk}']")).to_have_count(0)
    page.get_by_label("Archived articles only").check()
    page.get_by_role("button", name="Apply").click()
    row = page.locator(f"tr[data-article-id='{article.pk}']")
    expect(row).to_contain_text("A corrected title")
    expect(row).to_contain_text("archived")
    article.refresh_from_db()
    assert article.archived and article.outlet == "The Ledger"
