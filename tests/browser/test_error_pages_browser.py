"""The 403 page and the token form in a real browser: styled, readable, no serious axe finding."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.pages import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_forbidden_page_is_styled_and_accessible(
    live_server, page, sign_in, annotator, corpus, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, annotator)
    response = page.goto(f"{live_server.url}/corpora/{corpus.slug}/assignments/")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("Your role here is annotator")
    # app.css applied: the card has its border, not the browser's bare default
    border = page.locator(".error-page").evaluate("e => getComputedStyle(e).borderTopStyle")
    assert border == "solid"
    assert serious_violations(Axe().run(page)) == []
    page.goto(f"{live_server.url}/accounts/tokens/")
    field = page.locator("#token-name")
    assert field.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(107, 114, 128)"
    assert page.js_errors == []


@pytest.mark.parametrize("width", [1440, 390])
def test_not_found_page_is_styled_and_accessible(live_server, page, sign_in, annotator, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, annotator)
    response = page.goto(f"{live_server.url}/corpora/no-such-corpus/")
    assert response is not None and response.status == 404
    border = page.locator(".error-page").evaluate("e => getComputedStyle(e).borderTopStyle")
    assert border == "solid"
    expect(page.locator("main a").first).to_be_visible()  # a way on
    assert serious_violations(Axe().run(page)) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.js_errors == []
