"""Changing sentence boundaries in a real browser: split, undo, merge, heading marks, and the
check an annotator sees after a corrected text; at 1440 and 390 px, with axe.

docs/architecture.md, invariants 1 (offsets exact) and 3 (labels follow the text).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Annotation, Article, SegmentationEdit, Sentence
from articles.services.annotations import annotation_set
from articles.services.boundaries import article_text_correct
from corpora.models import Label
from tests.browser.pages import open_labeling, sentence_locator, serious_violations, wait_saved

from .test_segmentation_service import assert_invariant_1

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "Officials in Washington confirmed the meetings on Friday, according to Reuters."


def _texts(page) -> list[str]:
    return page.eval_on_selector_all(
        "#article-text .sentence .sentence-text", "els => els.map(e => e.textContent)"
    )


def _focus(page, text: str) -> None:
    sentence_locator(page).filter(has_text=text).first.click()


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_splits_undoes_merges_and_marks_headings(
    live_server, page, sign_in, owner, article, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    target = article.sentences.get(text=LONG)
    annotation_set(sentence=target, annotator=owner, label=claim)
    sign_in(page, owner)
    open_labeling(page, live_server, article)
    axe = Axe()

    # Split from the keyboard: b, the cursor moved with the arrow keys, Enter.
    _focus(page, "Officials in Washington")
    page.keyboard.press("b")
    dialog = page.locator("#boundary-dialog")
    expect(dialog).to_be_visible()
    assert serious_violations(axe.run(page)) == []
    screenshot(page, f"boundaries-dialog-{width}")
    page.keyboard.press("Home")
    for _ in range(len("Officials in Washington ")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    texts = _texts(page)
    assert "Officials in Washington" in texts
    assert "confirmed the meetings on Friday, according to Reuters." in texts
    parts = (
        sentence_locator(page)
        .filter(has_text="Washington")
        .or_(sentence_locator(page).filter(has_text="confirmed the meetings"))
    )
    expect(parts).to_have_count(2)
    for k in range(2):
        expect(parts.nth(k)).to_have_attribute("data-review", "split")
        expect(parts.nth(k)).to_have_attribute("data-label", "claim")
    assert serious_violations(axe.run(page)) == []
    screenshot(page, f"boundaries-split-{width}")

    # Undo with the mouse: the sentence and its label come back unflagged.
    page.get_by_role("button", name="Boundaries", exact=True).click()
    page.get_by_role("button", name="Undo last boundary change").click()
    whole = sentence_locator(page).filter(has_text=LONG)
    expect(whole).to_have_count(1)
    expect(whole).to_have_attribute("data-label", "claim")
    expect(whole).not_to_have_attribute("data-review", "split")
    back = Sentence.objects.get(article=article, text=LONG)
    assert not Annotation.objects.get(sentence=back).needs_review

    # Merge with the next, with the mouse.
    _focus(page, "The U.S. has opened")
    page.get_by_role("button", name="Boundaries", exact=True).click()
    page.get_by_role("button", name="Merge with the next").click()
    merged = sentence_locator(page).filter(has_text="The U.S. has opened direct talks")
    expect(merged).to_contain_text("according to Reuters.")
    expect(merged).to_have_attribute("data-review", "merge")

    # Mark a sentence a heading, then back (a click on the heading opens the dialog).
    _focus(page, "Critics say")
    page.keyboard.press("b")
    page.get_by_role("button", name="Mark as heading (no label)").click()
    heading = page.locator("#article-text .sentence-heading", has_text="Critics say")
    expect(heading).to_be_visible()
    assert "Critics say the move was a mistake." not in _texts(page)
    heading.click()
    page.get_by_role("button", name="Mark as a sentence to label").click()
    expect(sentence_locator(page).filter(has_text="Critics say")).to_have_count(1)
    assert serious_violations(axe.run(page)) == []

    article = Article.objects.get(pk=article.pk)
    assert_invariant_1(article)
    kinds = list(SegmentationEdit.objects.filter(article=article).values_list("kind", flat=True))
    assert kinds == ["split", "undo", "merge", "heading", "sentence"]
    # The page and the server agree after every change.
    page.reload()
    page.wait_for_selector("html[data-labeling-ready='true']")
    stored = list(
        article.sentences.filter(kind="sentence").order_by("index").values_list("text", flat=True)
    )
    assert _texts(page) == stored


@pytest.mark.parametrize("width", [1440, 390])
def test_an_annotator_sees_a_label_to_check_with_its_old_text_and_keeps_it(
    live_server, page, sign_in, owner, annotator, article, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    target = article.sentences.get(text=LONG)
    annotation_set(sentence=target, annotator=annotator, label=claim)
    new_text = article.text.replace("confirmed the meetings on Friday", "denied any meeting")
    article_text_correct(
        article_id=article.pk, text=new_text, based_on=article.content_hash, by=owner
    )
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    # Annotators may not change boundaries here (the corpus does not allow it).
    expect(page.get_by_role("button", name="Boundaries", exact=True)).to_have_count(0)

    flagged = sentence_locator(page).filter(has_text="denied any meeting")
    expect(flagged).to_have_attribute("data-review", "text")
    expect(flagged).to_have_attribute("aria-label", re.compile(r"^Claim\. .*needs a check"))
    flagged.click()
    page.keyboard.press("c")
    dialog = page.locator("#review-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("text was corrected")
    expect(dialog).to_contain_text(f"It was on: “{LONG}”")
    assert serious_violations(Axe().run(page)) == []
    screenshot(page, f"review-dialog-{width}")
    page.get_by_role("button", name="Keep Claim").click()
    expect(dialog).to_be_hidden()
    wait_saved(page)
    expect(flagged).not_to_have_attribute("data-review", "text")
    kept = Annotation.objects.get(annotator=annotator)
    assert kept.label.key == "claim" and not kept.needs_review
