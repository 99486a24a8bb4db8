"""Labeling an article in a real browser: keyboard, undo, note, source, reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.models import Annotation, AnnotationEvent, Sentence
from tests.browser.pages import labels_in_page, open_labeling, sentence_locator, wait_saved

pytestmark = pytest.mark.django_db(transaction=True)


def _labelable(article):
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


def test_annotator_labels_every_sentence_from_the_keyboard_and_finds_it_after_reload(
    live_server, page, sign_in, annotator, article, screenshot
):
    sentences = _labelable(article)
    assert len(sentences) >= 3
    sign_in(page, annotator)
    screenshot(page, "home")
    page.get_by_role("link", name=article.corpus.name).click()
    screenshot(page, "corpus")
    page.get_by_role("link", name=article.title).click()
    page.wait_for_selector("html[data-labeling-ready='true']")

    # The first unlabeled sentence has the focus; each key labels and moves on.
    first = sentence_locator(page).first
    expect(first).to_be_focused()
    keys = ["1", "2", "3"]
    for i in range(len(sentences)):
        page.keyboard.press(keys[i % 3])
    expected = [["claim", "speculation", "sourced_fact"][i % 3] for i in range(len(sentences))]
    assert labels_in_page(page) == expected
    expect(page.locator("#progress-text")).to_have_text(f"All {len(sentences)} labeled")

    # Undo the last change (u), then the one before with Ctrl+Z.
    page.keyboard.press("u")
    page.keyboard.press("Control+z")
    assert labels_in_page(page)[-2:] == [None, None]
    expect(page.locator("#progress-text")).to_have_text(
        f"{len(sentences) - 2} / {len(sentences)} labeled"
    )

    # The focus is on the sentence the undo reverted: label both again.
    page.keyboard.press("3")  # sentence n-2 (focused by undo) -> sourced fact
    page.keyboard.press("3")  # moves on to the last unlabeled one
    assert labels_in_page(page)[-2:] == ["sourced_fact", "sourced_fact"]

    # A source on the last sentence (s), a note (n).
    page.keyboard.press("s")
    expect(page.locator("#source-dialog")).to_be_visible()
    page.get_by_label("URL or citation").fill("https://www.reuters.com/world/talks")
    page.keyboard.press("Enter")
    expect(page.locator("#source-dialog")).to_be_hidden()
    page.keyboard.press("n")
    page.get_by_label("Note", exact=True).fill("Attributed to Reuters <b>not bold</b>")
    page.get_by_role("button", name="Save note").click()
    last = sentence_locator(page).last
    expect(last).to_be_focused()
    expect(last).to_have_attribute(
        "aria-label", re.compile(r"^Sourced fact, with note, with source\. ")
    )

    # A sentence labeled by clicking: click it, then a label in the bar.
    sentence_locator(page).nth(0).click()
    page.get_by_role("button", name="Speculation", exact=True).click()
    expected[0] = "speculation"
    wait_saved(page)
    screenshot(page, "labeling")

    stored = {
        a.sentence_id: a
        for a in Annotation.objects.filter(annotator=annotator).select_related("label")
    }
    assert [stored[s.pk].label.key for s in sentences] == [
        *expected[:-2],
        "sourced_fact",
        "sourced_fact",
    ]
    last_annotation = stored[sentences[-1].pk]
    assert last_annotation.source == "https://www.reuters.com/world/talks"
    assert last_annotation.note == "Attributed to Reuters <b>not bold</b>"
    # Every change is in the history, whatever was coalesced on the way.
    assert AnnotationEvent.objects.filter(annotator=annotator).count() >= len(sentences)

    page.reload()
    page.wait_for_selector("html[data-labeling-ready='true']")
    assert labels_in_page(page) == [stored[s.pk].label.key for s in sentences]
    assert last.get_attribute("data-note") == "Attributed to Reuters <b>not bold</b>"
    # The note and source markers survive the reload, for the eye and for screen readers.
    expect(last.locator(".sentence-flags")).to_have_text("✎ note ↗ source")
    expect(last).to_have_attribute(
        "aria-label", re.compile(r"^Sourced fact, with note, with source\. ")
    )
    expect(sentence_locator(page).first.locator(".sentence-flags")).to_have_text("")
    assert page.locator("#article-text b").count() == 0
    expect(page.locator("#progress-text")).to_have_text(f"All {len(sentences)} labeled")
    assert page.js_errors == []


def test_shortcut_list_and_guidelines_open_from_the_keyboard(
    live_server, page, sign_in, annotator, article
):
    article.corpus.guidelines = (
        "# Guidelines\n\nA **claim** is an opinion.\n\n<script>window.__g=1</script>"
    )
    article.corpus.save()
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    page.keyboard.press("?")
    help_dialog = page.locator("#help-dialog")
    expect(help_dialog).to_be_visible()
    for text in (
        "Claim",
        "Undo the last change",
        "Write a note",
        "Attach a source",
        "Next sentence",
    ):
        expect(help_dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("g")
    panel = page.locator("#guidelines-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("strong")).to_have_text("claim")
    assert panel.locator("script").count() == 0
    assert page.evaluate("window.__g") is None
    # Source on a label that takes none is refused with a hint, not a dialog.
    page.keyboard.press("1")
    page.keyboard.press("k")
    page.keyboard.press("s")
    expect(page.locator("#toast")).to_contain_text("Sourced fact (3)")
    expect(page.locator("#source-dialog")).to_be_hidden()


def test_a_real_op_ed_reads_as_an_article_with_every_sentence_labelable(
    live_server, page, sign_in, annotator, corpus, make_article, screenshot
):
    demo = Path(__file__).resolve().parents[2] / "articles" / "demo"
    text = (demo / "river-treaty-negotiations-analysis.txt").read_text()
    article = make_article(
        corpus,
        text,
        title="What Really Lies Behind the Direct Talks Over the Serein Dams? – Analysis",
        author="Marta Lindqvist-Obi",
        outlet="The Meridian Review",
    )
    corpus.guidelines = (
        "## How to label\n\nLabel **every sentence** by what it does in the argument.\n\n"
        "- A *claim* asserts without support.\n- *Speculation* hedges or predicts.\n"
        "- A *sourced fact* names its source: attach it with `s`.\n"
    )
    corpus.save()
    labelable = article.sentences.filter(kind=Sentence.Kind.SENTENCE).count()
    headings = article.sentences.filter(kind=Sentence.Kind.HEADING).count()
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    assert sentence_locator(page).count() == labelable
    # The text starts with its headline, which is the page's title: shown once.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1#article-title")).to_have_text(article.title)
    assert page.get_by_text(article.title, exact=True).count() == 1
    assert page.locator("#article-text .sentence-heading").count() == headings - 1
    # Paragraphs stay paragraphs (the headline's is the title block).
    paragraphs = article.sentences.values("paragraph").distinct().count()
    assert page.locator("#article-text > p").count() == paragraphs - 1
    for key in "1231":
        page.keyboard.press(key)
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("s")
    page.get_by_label("URL or citation").fill("Serein basin commission annual bulletin, 2025")
    page.keyboard.press("Enter")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("g")
    wait_saved(page)
    page.wait_for_timeout(1600)  # let the "saved" marks fade for the picture
    screenshot(page, "labeling-screen")
    assert Annotation.objects.filter(annotator=annotator).count() == 4


def test_keyboard_only_reaches_the_sentences_with_a_visible_focus(
    live_server, page, sign_in, annotator, article
):
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    page.evaluate("document.activeElement.blur()")
    # From the top of the page, Tab reaches the article's current sentence.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('sentence')"):
            break
    else:
        pytest.fail("Tab never reached a sentence")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2
    # Only one sentence is in the tab order (roving tabindex); keys move it.
    assert page.locator("#article-text .sentence[tabindex='0']").count() == 1
    page.keyboard.press("ArrowDown")
    expect(sentence_locator(page).nth(1)).to_be_focused()
    expect(sentence_locator(page).nth(1)).to_have_attribute("tabindex", "0")
    page.keyboard.press("n")  # a note needs a label first: said, not silently ignored
    expect(page.locator("#toast")).to_contain_text("Label the sentence first")
