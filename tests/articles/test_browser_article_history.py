"""The article's history in a real browser (issue #12): an owner splits a sentence in the
labeling screen, opens the article's history, finds the split with their name and undoes
it from there; a refused undo shows its message. At 1440 and 390 px, with axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Annotation, SegmentationEdit, Sentence
from articles.services.annotations import annotation_set
from articles.services.boundaries import sentence_kind_set
from corpora.models import Label
from tests.browser.pages import open_labeling, sentence_locator, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "Officials in Washington confirmed the meetings on Friday, according to Reuters."


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_splits_then_undoes_the_split_from_the_articles_history(
    live_server, page, sign_in, owner, article, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=article.sentences.get(text=LONG), annotator=owner, label=claim)
    sign_in(page, owner)
    open_labeling(page, live_server, article)
    axe = Axe()

    # Split in the labeling screen, from the keyboard.
    sentence_locator(page).filter(has_text="Officials in Washington").first.click()
    page.keyboard.press("b")
    expect(page.locator("#boundary-dialog")).to_be_visible()
    page.keyboard.press("Home")
    for _ in range(len("Officials in Washington ")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#boundary-dialog")).to_be_hidden()
    expect(sentence_locator(page).filter(has_text="Officials in Washington")).to_have_attribute(
        "data-review", "split"
    )

    # Open the article's history from the screen's header.
    page.get_by_role("link", name="The article's history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Why the Talks Matter")
    entry = page.locator(".history-entry.history-boundary")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Split a sentence")
    expect(entry).to_contain_text("by olivia")
    expect(entry.locator(".history-texts")).to_contain_text(LONG)
    expect(entry).to_contain_text("Labels: 2 carried, 2 for review, 0 retired.")
    assert serious_violations(axe.run(page)) == []
    screenshot(page, f"article-history-{width}")

    # Undo it from the keyboard: the button is reachable with Tab.
    undo = entry.get_by_role("button", name="Undo this boundary change (split a sentence)")
    undo.focus()
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Boundary change undone")).to_be_visible()
    expect(page.locator(".history-entry.history-boundary").first).to_contain_text("Undid an edit")
    split = page.locator(".history-entry.history-boundary", has_text="Split a sentence")
    expect(split).to_contain_text("Undone")
    expect(page.locator(".history-undo")).to_have_count(0)
    assert serious_violations(axe.run(page)) == []
    assert SegmentationEdit.objects.get(kind="split").undone_at is not None
    whole = Sentence.objects.get(article=article, text=LONG)
    mine = Annotation.objects.get(sentence=whole, annotator=owner)
    assert mine.label.key == "claim" and not mine.needs_review

    # Back in the labeling screen the sentence is whole again.
    page.get_by_role("link", name="Back to the article").click()
    page.wait_for_selector("html[data-labeling-ready='true']")
    expect(sentence_locator(page).filter(has_text=LONG)).to_have_count(1)


@pytest.mark.parametrize("width", [1440, 390])
def test_a_refused_undo_shows_why(live_server, page, sign_in, owner, article, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)
    page.goto(f"{live_server.url}/articles/{article.pk}/history/")
    critics = article.sentences.get(text__startswith="Critics say")
    sentence_kind_set(article_id=article.pk, sentence_id=critics.pk, kind="heading", by=owner)
    page.reload()
    undo = page.get_by_role(
        "button", name="Undo this boundary change (marked a heading (no label))"
    )
    # Meanwhile, someone else takes the mark back in another window.
    heading = Sentence.objects.get(article=article, text__startswith="Critics say")
    sentence_kind_set(article_id=article.pk, sentence_id=heading.pk, kind="sentence", by=owner)
    undo.click()
    alert = page.locator("#undo-refused")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("The change was not undone")
    assert serious_violations(Axe().run(page)) == []
