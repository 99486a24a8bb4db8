"""The labeling screen at phone width (390 x 844) and the history pages at both widths:
every control reachable and uncovered, the toast never over the sentence in focus,
no serious axe finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Annotation, GoldEvent, Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from review.services.adjudication import gold_label_decide
from tests.browser.pages import open_labeling, sentence_locator, serious_violations, wait_saved

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DEMO = Path(__file__).resolve().parents[2] / "articles" / "demo"

# True when the element's centre is inside the window and the element (or a
# child) is what a tap there would hit: on screen and not covered.
REACHABLE = """el => {
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (r.width === 0 || r.height === 0) return false;
  if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return hit === el || el.contains(hit);
}"""


def _long_article(corpus, make_article):
    text = (DEMO / "river-treaty-negotiations-analysis.txt").read_text()
    return make_article(
        corpus,
        text,
        title="What Really Lies Behind the Direct Talks Over the Serein Dams? – Analysis",
    )


def _boxes_overlap(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_every_label_button_and_the_navigation_are_reachable_at_390_px(
    live_server, page, sign_in, annotator, corpus, make_article, screenshot
):
    article = _long_article(corpus, make_article)
    page.set_viewport_size(PHONE)
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    controls = [
        *(
            page.locator(".label-button").nth(i)
            for i in range(page.locator(".label-button").count())
        ),
        page.locator("#note-button"),
        page.locator("#source-button"),
        page.locator("#undo-button"),
        page.locator("#history-link"),
        page.locator("#next-article"),
        page.locator(".article-footer button[type=submit]"),
    ]
    assert len(controls) == 9
    # The toolbar's controls are on screen as the page opens: no part of the
    # toolbar hides any of them in a sideways scroll.
    for row in (".label-bar", ".toolbar-actions"):
        overflow = page.locator(row).evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, row
    for control in controls[:-1]:
        assert control.evaluate(REACHABLE), control
    # Each stays reachable after scrolling to it (the footer's Next article too).
    for control in controls:
        control.scroll_into_view_if_needed()
        assert control.evaluate(REACHABLE), control
    screenshot(page, "labeling-phone")

    # Tapping: a sentence, then "Sourced fact" in the toolbar; saved.
    sentence_locator(page).nth(2).click()
    page.get_by_role("button", name="Sourced fact").click()
    wait_saved(page)
    assert Annotation.objects.get(annotator=annotator).label.key == "sourced_fact"

    # Moving through the article from the keyboard keeps the sentence in focus
    # below the sticky toolbar, in full view.
    def toolbar_bottom() -> float:
        box = page.locator(".label-toolbar").bounding_box()
        return box["y"] + box["height"]

    for _ in range(12):
        page.keyboard.press("j")
        focused = page.locator(".sentence.is-current").bounding_box()
        assert focused["y"] >= toolbar_bottom() - 1
        assert focused["y"] + focused["height"] <= PHONE["height"] + 1

    # The toast never covers the sentence in focus, wherever that sentence is.
    toast = page.locator("#toast")
    count = sentence_locator(page).count()
    for i in (count - 1, count - 2, 5, 1):  # all unlabeled (only sentence 2 is)
        target = sentence_locator(page).nth(i)
        target.scroll_into_view_if_needed()
        # Put the sentence at the very bottom of the window, where the toast opens.
        target.evaluate("el => el.scrollIntoView({block: 'end'})")
        target.click()
        page.keyboard.press("n")  # unlabeled: a toast says to label it first
        expect(toast).to_be_visible()
        focused = page.locator(".sentence.is-current").bounding_box()
        assert not _boxes_overlap(toast.bounding_box(), focused), i
        page.mouse.wheel(0, -120)  # the page scrolls under the toast: it moves if needed
        page.wait_for_timeout(100)
        assert not _boxes_overlap(
            toast.bounding_box(), page.locator(".sentence.is-current").bounding_box()
        )
    assert page.js_errors == []


@pytest.mark.parametrize("width", [1440, 390])
def test_labeling_screen_is_accessible_at_both_widths(
    live_server, page, sign_in, annotator, corpus, make_article, width
):
    article = _long_article(corpus, make_article)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    page.keyboard.press("1")
    wait_saved(page)
    assert serious_violations(Axe().run(page)) == []
    assert page.js_errors == []


@pytest.mark.parametrize("width", [1440, 390])
def test_history_from_the_labeling_screen_and_for_the_corpus(
    live_server, page, sign_in, owner, reviewer, corpus, article, width, screenshot
):
    sentences = list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))
    claim = Label.objects.get(corpus=corpus, key="claim")
    fact = Label.objects.get(corpus=corpus, key="sourced_fact")
    annotation_set(sentence=sentences[1], annotator=owner, label=claim, note="too strong")
    gold_label_decide(sentence=sentences[1], label=fact, reviewer=reviewer, source="Basin bulletin")
    assert GoldEvent.objects.count() == 1
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)
    open_labeling(page, live_server, article)
    # The History link follows the sentence in focus.
    sentence_locator(page).nth(1).click()
    page.locator("#history-link").click()
    page.wait_for_url(f"{live_server.url}/sentences/{sentences[1].pk}/history/")
    entries = page.locator(".history-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Gold decided")
    expect(entries.nth(0)).to_contain_text("Basin bulletin")
    expect(entries.nth(1)).to_contain_text("too strong")
    css = page.locator(".history-entry").first.evaluate("e => getComputedStyle(e).borderTopStyle")
    assert css == "solid"  # history.css is loaded
    assert serious_violations(Axe().run(page)) == []
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.locator("h1")).to_have_text("History")
    page.get_by_label("Change", exact=True).select_option("decide")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".history-entry")).to_have_count(1)
    expect(page.locator("#history-count")).to_contain_text("1 change match the filter")
    screenshot(page, f"history-{width}")
    assert serious_violations(Axe().run(page)) == []
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
