"""In Chromium, at 1440 and 390 px: the labeling screen's "next" follows the owner's
policy and says which one is active."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Sentence
from suggestions.models import NextPolicy
from suggestions.selectors import current_model
from suggestions.services import model_train, suggestion_settings_update, training_request
from tests.browser.pages import open_labeling, serious_violations
from tests.suggestions.corpus_data import TOPICS, article_text, label_all

pytestmark = pytest.mark.django_db(transaction=True)

READY = "html[data-labeling-ready='true']"


def _focused_sentence(page) -> int | None:
    found = page.evaluate("document.activeElement?.closest('.sentence')?.dataset.id ?? null")
    return int(found) if found is not None else None


@pytest.mark.parametrize("width", [1440, 390])
def test_next_opens_the_least_confident_sentence_and_document_order_does_not_jump(
    live_server, page, sign_in, owner, annotator, corpus, make_article, settings, width,
    screenshot,
):  # fmt: skip
    settings.SUGGESTIONS_MIN_LABELS = 12
    first = make_article(corpus, article_text(TOPICS[:4]), title="First")
    second = make_article(corpus, article_text(TOPICS[4:8]), title="Second")
    label_all(first, owner)
    model, _ = training_request(corpus=corpus, requested_by="owner")
    model_train(model_id=model.pk)
    assert current_model(corpus=corpus) is not None
    suggestion_settings_update(corpus=corpus, next_policy=NextPolicy.LEAST_CONFIDENT)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, annotator)

    open_labeling(page, live_server, first)
    policy = page.locator("#next-policy")
    expect(policy).to_have_text("Next sentence: least confident suggestion first.")
    expect(policy).to_be_visible()
    next_button = page.locator("#next-article")
    expect(next_button).to_have_text("Next sentence")
    expect(next_button).to_have_accessible_description(
        "Next sentence: least confident suggestion first."
    )
    screenshot(page, f"next-policy-{width}")
    assert serious_violations(Axe().run(page)) == []
    named = page.evaluate(
        "url => fetch(url).then(r => r.json())", f"/api/corpora/{corpus.slug}/next-sentence/"
    )
    assert named["policy"] == "least_confident"
    # Where document order would go: the next article, from its first sentence.
    first_of_second = second.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index").first()
    assert named["sentence"] != first_of_second.pk, "the test needs a sentence deeper in"

    next_button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/articles/{named['article']}/label/?at=*")
    page.wait_for_selector(READY)
    expect(page.locator(f"#s{named['sentence']}")).to_be_focused()
    assert serious_violations(Axe().run(page)) == []
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Document order: the same button goes to the next article, where it starts.
    suggestion_settings_update(corpus=corpus, next_policy=NextPolicy.DOCUMENT)
    open_labeling(page, live_server, first)
    expect(policy).to_have_text("Next article: in document order.")
    expect(next_button).to_have_text("Next article")
    next_button.click()
    page.wait_for_url(f"{live_server.url}/articles/{second.pk}/label/")
    page.wait_for_selector(READY)
    expect(page.locator(f"#s{first_of_second.pk}")).to_be_focused()
    assert _focused_sentence(page) != named["sentence"]
    assert page.js_errors == []
