"""The dashboard in a real browser at both widths: the first day's progress drawn as a
rise, Last active to the minute in the browser's time zone, no serious axe finding."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import AnnotationEvent
from review.services.workflow import corpus_workflow_refresh
from tests.browser.pages import serious_violations
from tests.review.conftest import label_sentences

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_dashboard_in_the_browsers_time_zone_with_an_hourly_chart(
    live_server, browser, sign_in, owner, annotator, corpus, article, width, screenshot
):
    label_sentences(article, annotator, ["claim", "speculation", "claim"])
    last = dt.datetime(2026, 5, 4, 13, 45, 30, tzinfo=dt.UTC)
    AnnotationEvent.objects.filter(annotator=annotator).update(at=last)
    corpus_workflow_refresh(corpus_id=corpus.pk)
    context = browser.new_context(
        viewport={"width": width, "height": 900}, timezone_id="America/Sao_Paulo"
    )
    try:
        page = context.new_page()
        sign_in(page, owner)  # the first page sets the tz cookie from the browser
        page.goto(f"{live_server.url}/corpora/{corpus.slug}/dashboard/")
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies.get("tz") == "America/Sao_Paulo"
        row = page.locator("tr", has_text=annotator.username)
        expect(row.locator("time")).to_have_text("2026-05-04 10:45")  # UTC-3
        expect(page.locator("main")).to_contain_text("Times are in America/Sao_Paulo.")
        dots = page.locator(".wf-chart circle")
        expect(dots).to_have_count(2)
        title = page.locator("#progress-title").text_content()
        assert re.search(r"by hour, from 2026-05-04 09:00 to 2026-05-04 10:00", title), title
        screenshot(page, f"dashboard-{width}")
        assert serious_violations(Axe().run(page)) == []
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
