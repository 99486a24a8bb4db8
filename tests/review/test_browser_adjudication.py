"""In Chromium: a reviewer settles a disagreement from the queue; the dashboard draws."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.models import GoldLabel
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label_sentences, labelable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def disputed(corpus, article, annotator, reviewer, owner):
    label_sentences(article, annotator, ["claim", "claim", "claim"])
    label_sentences(article, owner, ["speculation", "claim", "speculation"])
    return labelable(article)


def test_a_reviewer_picks_a_gold_label_from_the_queue_and_it_is_saved(
    page, live_server, sign_in, screenshot, corpus, reviewer, disputed
):
    first, _second, third = disputed[:3]
    sign_in(page, reviewer)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/adjudication/")
    item = page.locator(f"#sentence-{first.pk}")
    expect(item).to_contain_text(first.text)
    expect(item).to_contain_text("anna")
    expect(item).to_contain_text("olivia")
    expect(page.locator(f"#sentence-{third.pk}")).to_be_visible()
    # The source field shows only for a label that takes a source.
    source = item.locator(".wf-source-field")
    expect(source).to_be_hidden()
    item.get_by_label("Sourced fact").check()
    expect(source).to_be_visible()
    # Pick "Speculation" with its shortcut key from inside the item.
    item.get_by_label("Sourced fact").focus()
    page.keyboard.press("2")
    expect(item.get_by_label("Speculation")).to_be_checked()
    expect(source).to_be_hidden()
    item.get_by_label("Note").fill("Hedged: 'may'.")
    screenshot(page, "adjudication-queue")
    item.get_by_role("button", name="Save gold label").click()
    expect(page.locator(".messages")).to_contain_text("Gold label “Speculation” saved")
    expect(page.locator(f"#sentence-{first.pk}")).to_have_count(0)
    gold = GoldLabel.objects.get(sentence=first)
    assert (gold.label.key, gold.origin, gold.decided_by, gold.note) == (
        "speculation",
        "adjudicated",
        reviewer,
        "Hedged: 'may'.",
    )
    assert page.js_errors == []


def test_the_dashboard_draws_its_charts_without_scripts_breaking_the_policy(
    page, live_server, sign_in, screenshot, corpus, owner, disputed
):
    corpus_workflow_refresh(corpus_id=corpus.pk)
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/dashboard/")
    expect(page.locator("svg.wf-chart").first).to_be_visible()
    expect(page.locator("#agreement")).to_contain_text("Krippendorff")
    expect(page.locator("#agreement-status")).to_contain_text("Computed")
    screenshot(page, "dashboard")
    assert page.js_errors == []
