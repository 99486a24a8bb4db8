"""Sentences after astral characters (emoji, mathematical letters) in a real browser.

JavaScript indexes strings by UTF-16 code units, Python by code points: the
labeling page must highlight exactly each sentence's text, and the API's
``start_utf16``/``end_utf16`` must slice the article's text in JavaScript to
each sentence (its ``start``/``end`` do not, once an astral character came
before).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.models import Sentence
from tests.articles.test_utf16_offsets import ASTRAL_TEXT
from tests.browser.pages import open_labeling, sentence_locator

pytestmark = pytest.mark.django_db(transaction=True)


def test_labeling_page_highlights_each_sentence_after_astral_characters(
    live_server, page, sign_in, annotator, corpus, make_article
):
    article = make_article(corpus, ASTRAL_TEXT, title="Astral")
    sentences = list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))
    assert len(sentences) >= 4
    sign_in(page, annotator)
    open_labeling(page, live_server, article)

    # The focus (the highlight) walks the sentences; each highlighted span holds
    # exactly its sentence's text.
    spans = sentence_locator(page)
    expect(spans).to_have_count(len(sentences))
    expect(spans.first).to_be_focused()
    for i, sentence in enumerate(sentences):
        focused = page.locator("#article-text .sentence:focus .sentence-text")
        assert focused.text_content() == sentence.text, i
        page.keyboard.press("ArrowDown")

    # In the browser's JavaScript, the API's UTF-16 offsets slice the article's text
    # to each sentence; the code point offsets do not after an astral character.
    checks = page.evaluate(
        """async (url) => {
            const body = await (await fetch(url)).json();
            return body.sentences.map((s) => [
                body.text.slice(s.start_utf16, s.end_utf16) === s.text,
                body.text.slice(s.start, s.end) === s.text,
            ]);
        }""",
        f"/api/articles/{article.pk}/",
    )
    assert all(utf16 for utf16, _ in checks)
    assert not all(code_points for _, code_points in checks)
