"""Suggestions in a real browser: shown apart from labels, accepted with a key, blind mode."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Annotation, AnnotationEvent, Sentence
from suggestions.models import SuggestionSettings
from tests.browser.pages import labels_in_page, open_labeling, serious_violations, wait_saved

pytestmark = pytest.mark.django_db(transaction=True)


def _labelable(article):
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


def test_a_suggestion_is_shown_apart_from_labels_and_accepted_with_a(
    live_server, page, sign_in, annotator, article
):
    sentences = _labelable(article)
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    chips = page.locator("#article-text .suggestion-tag")
    expect(chips).to_have_count(len(sentences))
    expect(page.locator("#suggestion-source")).to_contain_text("not a trained model")
    first = page.locator(f"#s{sentences[0].pk}")
    # Not a label: the sentence is still unlabeled, described as a machine suggestion.
    assert labels_in_page(page)[0] is None
    expect(first).to_have_attribute("aria-label", f"Unlabeled. {sentences[0].text}")
    # What a screen reader hears: the suggestion, named as a machine's, not the chip's text.
    expect(first).to_have_accessible_description(
        re.compile(r"^Machine suggestion by cue baseline v1: .*, \d+% confidence")
    )
    suggested = chips.first.get_attribute("data-suggested-label")
    assert serious_violations(Axe().run(page)) == []

    expect(first).to_be_focused()
    page.keyboard.press("a")
    wait_saved(page)
    assert labels_in_page(page)[0] == suggested
    # Labeled: the chip and the description are gone, the label tag shows.
    expect(first.locator(".suggestion-tag")).to_be_hidden()
    assert first.get_attribute("aria-describedby") is None
    stored = Annotation.objects.get(sentence=sentences[0], annotator=annotator)
    assert (stored.label.key, stored.suggested_by) == (suggested, "cue baseline v1")
    event = AnnotationEvent.objects.get(sentence=sentences[0], annotator=annotator)
    assert event.suggested_by == "cue baseline v1"

    # A label typed by hand on the next sentence carries no provenance.
    page.keyboard.press("1")
    wait_saved(page)
    assert Annotation.objects.get(sentence=sentences[1], annotator=annotator).suggested_by == ""

    # The annotator hides suggestions for themselves: no chip, "a" accepts nothing.
    page.get_by_role("button", name="Hide suggestions").click()
    expect(chips).to_have_count(0)
    page.locator(f"#s{sentences[2].pk}").focus()
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("No suggestion to accept")
    assert labels_in_page(page)[2] is None
    # The choice outlives a reload.
    open_labeling(page, live_server, article)
    expect(page.get_by_role("button", name="Show suggestions")).to_be_visible()
    expect(page.locator("#article-text .suggestion-tag")).to_have_count(0)


def test_blind_labeling_shows_no_suggestion_and_a_accepts_nothing(
    live_server, page, sign_in, annotator, article
):
    SuggestionSettings.objects.create(corpus=article.corpus, show_to_annotators=False)
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    expect(page.locator("#suggestion-source")).to_contain_text("labels blind")
    expect(page.locator("#article-text .suggestion-tag")).to_have_count(0)
    expect(page.locator("#suggestions-toggle")).to_be_hidden()
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("No suggestion to accept")
    assert not Annotation.objects.exists()
