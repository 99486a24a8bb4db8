"""Correcting an article's text, and letting annotators edit segmentation, in a real browser;
at 1440 and 390 px, with axe.

docs/architecture.md, invariant 3 (labels follow the text; a label whose sentence changed much
is kept for review, shown to its annotator with the old text) and 4 (rights by role).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Annotation, Article, SegmentationEdit, Sentence
from articles.services.annotations import annotation_set
from corpora.models import Corpus, Label
from tests.browser.pages import open_labeling, sentence_locator, serious_violations, wait_saved
from tests.conftest import SAMPLE_TEXT

from .test_segmentation_service import assert_invariant_1

pytestmark = pytest.mark.django_db(transaction=True)

TYPO = SAMPLE_TEXT.replace("Critics say", "Critcs say")
OLD = "It is possible that the talks may collapse within weeks."
NEW = "Nobody in the capital expects anything at all from them now."
LONG = "Officials in Washington confirmed the meetings on Friday, according to Reuters."


@pytest.fixture(params=[1440, 390], ids=lambda w: f"{w}px")
def width(request):
    return request.param


def _viewer(browser, live_server, sign_in, user, width):
    """A page of its own for ``user``, signed in, at ``width``."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, user)
    return context, page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def test_an_owner_corrects_a_typo_and_the_annotator_checks_a_rewritten_sentence(
    live_server, browser, page, sign_in, owner, annotator, corpus, make_article, width, screenshot
):
    article = make_article(corpus, TYPO, title="Why the Talks Matter")
    claim = Label.objects.get(corpus=corpus, key="claim")
    speculation = Label.objects.get(corpus=corpus, key="speculation")
    typo = article.sentences.get(text="Critcs say the move was a mistake.")
    annotation_set(sentence=typo, annotator=annotator, label=claim)
    annotation_set(sentence=article.sentences.get(text=OLD), annotator=annotator, label=speculation)
    fixed_typo = TYPO.replace("Critcs", "Critics")
    rewritten = fixed_typo.replace(OLD, NEW)
    axe = Axe()

    # The owner goes from the labeling screen to the correction, from the keyboard.
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, owner)
    open_labeling(page, live_server, article)
    link = page.get_by_role("link", name="Correct the text")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Correct the text", level=1)).to_be_visible()
    box = page.get_by_role("textbox", name="Text")
    expect(box).to_have_value(TYPO)
    assert serious_violations(axe.run(page)) == []
    _no_sideways_scroll(page)

    # The typo: a preview first (what would change, nothing saved), then saved.
    box.fill(fixed_typo)
    page.get_by_role("button", name="Preview changes").click()
    preview = page.locator("#text-preview")
    expect(preview).to_contain_text("2 would stay as they are and 0 would be marked")
    expect(preview.locator("del", has_text="Critcs say")).to_be_visible()
    expect(preview.locator("ins", has_text="Critics say")).to_be_visible()
    assert serious_violations(axe.run(page)) == []
    _no_sideways_scroll(page)
    screenshot(page, f"text-correction-preview-{width}")
    assert Article.objects.get(pk=article.pk).text == TYPO
    assert not SegmentationEdit.objects.exists()
    expect(page.get_by_role("textbox", name="Text")).to_have_value(fixed_typo)
    page.get_by_role("button", name="Save corrected text").click()
    expect(page.locator(".message-success")).to_contain_text("2 labels kept as they were.")
    fixed = Annotation.objects.get(sentence__text="Critics say the move was a mistake.")
    assert fixed.label == claim and not fixed.needs_review

    # A sentence rewritten: previewed, its label would be kept for a check; saved.
    page.get_by_role("textbox", name="Text").fill(rewritten)
    page.get_by_role("button", name="Preview changes").click()
    expect(preview).to_contain_text("1 would be marked “needs review”")
    expect(preview.locator("del", has_text=OLD)).to_be_visible()
    expect(preview.locator("ins", has_text=NEW)).to_be_visible()
    expect(preview).to_contain_text(f"{annotator.username}: Speculation")
    page.get_by_role("button", name="Save corrected text").click()
    expect(page.locator(".message-success")).to_contain_text(
        "1 label kept as it was; 1 kept and marked “needs review”"
    )
    expect(page.locator("#last-correction")).to_contain_text(f"Was on: “{OLD}”")
    assert serious_violations(axe.run(page)) == []
    _no_sideways_scroll(page)
    article = Article.objects.get(pk=article.pk)
    assert article.text == rewritten
    assert_invariant_1(article)

    # The annotator: the typo's label is still there, the rewritten sentence asks for a check.
    context, mine = _viewer(browser, live_server, sign_in, annotator, width)
    try:
        open_labeling(mine, live_server, article)
        kept = sentence_locator(mine).filter(has_text="Critics say the move")
        expect(kept).to_have_attribute("data-label", "claim")
        expect(kept).not_to_have_attribute("data-review", re.compile(".*"))
        flagged = sentence_locator(mine).filter(has_text=NEW)
        expect(flagged).to_have_attribute("data-label", "speculation")
        expect(flagged).to_have_attribute("data-review", "text")
        flagged.click()
        mine.keyboard.press("c")
        dialog = mine.locator("#review-dialog")
        expect(dialog).to_contain_text("text was corrected")
        expect(dialog).to_contain_text(f"It was on: “{OLD}”")
        assert serious_violations(axe.run(mine)) == []
        screenshot(mine, f"text-correction-check-{width}")
        mine.get_by_role("button", name="Keep Speculation").click()
        wait_saved(mine)
        assert not Annotation.objects.get(sentence__text=NEW).needs_review
    finally:
        context.close()


def _api_split(page, article: Article, sentence: Sentence, at: int):
    """The labeling screen's own request, sent from the signed-in page: (status, body)."""
    return page.evaluate(
        """async ([url, body]) => {
          const token = document.cookie.split("; ").find(c => c.startsWith("csrftoken="));
          const r = await fetch(url, {method: "POST", body: JSON.stringify(body), headers: {
            "Content-Type": "application/json", "X-CSRFToken": token.split("=")[1]}});
          return [r.status, await r.text()];
        }""",
        [
            f"/api/articles/{article.pk}/segmentation/",
            {"action": "split", "sentence": sentence.pk, "at": at},
        ],
    )


def test_an_owner_lets_annotators_edit_segmentation_and_an_annotator_splits(
    live_server, browser, page, sign_in, owner, annotator, corpus, article, width, screenshot
):
    axe = Axe()
    target = article.sentences.get(text=LONG)
    at = len("Officials in Washington ")

    # Off: no boundary controls for the annotator, and the API refuses with a reason.
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    expect(page.get_by_role("button", name="Boundaries", exact=True)).to_have_count(0)
    sentence_locator(page).filter(has_text="Officials in Washington").click()
    page.keyboard.press("b")
    expect(page.locator("#boundary-dialog")).to_have_count(0)
    status, body = _api_split(page, article, target, at)
    assert status == 403
    assert "changing sentence boundaries needs the owner or reviewer role" in body
    assert Sentence.objects.filter(pk=target.pk).exists()

    # The owner turns it on in the corpus's settings.
    context, settings_page = _viewer(browser, live_server, sign_in, owner, width)
    try:
        settings_page.goto(f"{live_server.url}/corpora/{corpus.slug}/settings/")
        checkbox = settings_page.get_by_role("checkbox", name="Annotators may edit segmentation")
        expect(checkbox).not_to_be_checked()
        checkbox.focus()
        settings_page.keyboard.press("Space")
        expect(checkbox).to_be_checked()
        assert serious_violations(axe.run(settings_page)) == []
        _no_sideways_scroll(settings_page)
        screenshot(settings_page, f"settings-segmentation-{width}")
        settings_page.get_by_role("button", name="Save settings").click()
        expect(settings_page.locator(".message-success")).to_contain_text(
            "Annotators may now split and merge sentences"
        )
        expect(
            settings_page.get_by_role("checkbox", name="Annotators may edit segmentation")
        ).to_be_checked()
    finally:
        context.close()
    assert Corpus.objects.get(pk=corpus.pk).annotators_edit_segmentation

    # On: the annotator splits the sentence from the keyboard.
    open_labeling(page, live_server, article)
    expect(page.get_by_role("button", name="Boundaries", exact=True)).to_be_visible()
    sentence_locator(page).filter(has_text="Officials in Washington").click()
    page.keyboard.press("b")
    dialog = page.locator("#boundary-dialog")
    expect(dialog).to_be_visible()
    assert serious_violations(axe.run(page)) == []
    page.keyboard.press("Home")
    for _ in range(at):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    parts = page.locator("#article-text .sentence .sentence-text")
    expect(parts.filter(has_text=re.compile(r"^Officials in Washington$"))).to_have_count(1)
    edit = SegmentationEdit.objects.get(article=article)
    assert (edit.kind, edit.by) == (SegmentationEdit.Kind.SPLIT, annotator)
    assert set(Sentence.objects.filter(article=article).values_list("text", flat=True)) >= {
        "Officials in Washington",
        "confirmed the meetings on Friday, according to Reuters.",
    }
    assert_invariant_1(Article.objects.get(pk=article.pk))
