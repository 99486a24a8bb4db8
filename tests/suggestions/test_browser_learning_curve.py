"""The dashboard in Chromium at 1440 and 390 px: the learning curve drawn as a chart
(one dot per trained version, readable with one), its figures in a table under it, and the
suggestions' accuracy against gold per label; no serious axe finding."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Sentence
from corpora.models import Label
from review.services.adjudication import gold_label_decide
from suggestions.services import model_train, training_request
from tests.browser.pages import serious_violations
from tests.suggestions.corpus_data import TOPICS, article_text, expected_label, label_all

pytestmark = pytest.mark.django_db(transaction=True)


def _train(corpus) -> None:
    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)


@pytest.mark.parametrize("width", [1440, 390])
def test_the_dashboard_draws_the_learning_curve_and_scores_against_gold(
    live_server, page, sign_in, owner, annotator, reviewer, corpus, make_article, settings,
    width, screenshot,
):  # fmt: skip
    settings.SUGGESTIONS_MIN_LABELS = 12
    first = make_article(corpus, article_text(TOPICS[:4]), title="First")
    label_all(first, annotator)
    labels = {label.key: label for label in Label.objects.filter(corpus=corpus)}
    for sentence in first.sentences.filter(kind=Sentence.Kind.SENTENCE)[:6]:
        gold_label_decide(
            sentence=sentence, label=labels[expected_label(sentence.text)], reviewer=reviewer
        )
    _train(corpus)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)
    url = f"{live_server.url}/corpora/{corpus.slug}/dashboard/"

    # One trained version: one dot, its value written beside it.
    page.goto(url)
    chart = page.get_by_role("img", name=re.compile(r"^Learning curve: one trained version, v1"))
    expect(chart).to_be_visible()
    expect(chart.locator(".wf-curve-dot")).to_have_count(1)
    expect(chart.locator(".wf-curve-value")).to_have_count(1)
    assert re.fullmatch(r"[01]\.\d\d", chart.locator(".wf-curve-value").text_content())

    second = make_article(corpus, article_text(TOPICS[4:8]), title="Second")
    label_all(second, annotator)
    _train(corpus)
    page.goto(url)
    chart = page.get_by_role("img", name=re.compile(r"^Learning curve: 2 trained versions"))
    expect(chart).to_contain_text("0.5")  # the y axis
    dots = chart.locator(".wf-curve-dot")
    expect(dots).to_have_count(2)
    xs = [float(dots.nth(i).get_attribute("cx")) for i in range(2)]
    assert xs[0] < xs[1]  # v1 learned from fewer labels than v2
    # The figures as a table, folded under the chart.
    table = page.get_by_role("table", name="Learning curve")
    expect(table).to_be_hidden()
    page.get_by_text("The learning curve as a table").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(1)).to_contain_text("24")
    # The suggestions against gold, per label.
    gold = page.get_by_role("table", name="Suggestions against gold, per label")
    expect(gold.locator("tbody tr")).to_have_count(3)
    expect(page.locator("main")).to_contain_text("6 gold sentences, suggested by corpus model v2")
    screenshot(page, f"learning-curve-{width}")
    assert serious_violations(Axe().run(page)) == []
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The suggestions page draws the same chart.
    page.get_by_role("link", name="Models, scores and settings").click()
    expect(page.locator("h1")).to_have_text("Suggestions")
    expect(
        page.get_by_role("img", name=re.compile(r"^Learning curve: 2 trained versions"))
    ).to_be_visible()
    assert serious_violations(Axe().run(page)) == []
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
