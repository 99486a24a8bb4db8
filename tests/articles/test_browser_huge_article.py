"""A 20,000-sentence article in a real browser: the labeling screen's first screen comes
fast from a bounded response, and moving past the window loads the next sentences,
where labels save and undo as anywhere else; the reading view grows as one scrolls."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.models import Annotation, Sentence
from tests.articles.huge import huge_article_create, labels_bulk_set
from tests.browser.pages import open_labeling, wait_saved

pytestmark = pytest.mark.django_db(transaction=True)

FIRST_RESPONSE_MAX_BYTES = 300_000
# The target is 2 s on this machine; CI machines are shared and slower.
FIRST_SCREEN_MAX_MS = 4_000
# Waits that span a fetch from the live server, on a machine shared with other runs.
LOAD_TIMEOUT_MS = 20_000


@pytest.fixture
def huge(corpus):
    return huge_article_create(corpus=corpus)


def _focused_index(page) -> int:
    return int(page.evaluate("document.activeElement.dataset.index"))


def _labelable(article):
    return Sentence.objects.filter(article=article, kind="sentence").order_by("index")


def test_first_screen_is_fast_and_bounded_and_keys_move_past_the_window(
    live_server, page, sign_in, annotator, huge
):
    labels_bulk_set(article=huge, user=annotator, count=1_000)
    sign_in(page, annotator)
    response = page.goto(f"{live_server.url}/articles/{huge.pk}/label/")
    first_response = response.body()
    assert len(first_response) < FIRST_RESPONSE_MAX_BYTES, len(first_response)
    assert first_response.decode().count('class="sentence"') <= 200
    page.wait_for_selector("html[data-labeling-ready='true']")
    ready_ms = page.evaluate("performance.getEntriesByName('labeling-ready')[0].startTime")
    assert ready_ms < FIRST_SCREEN_MAX_MS, f"first screen after {ready_ms:.0f} ms"

    labelable = list(_labelable(huge).values_list("index", flat=True))
    total = len(labelable)
    # Where the analyst left off: the 1,001st labelable sentence has the focus.
    assert _focused_index(page) == labelable[1_000]
    expect(page.locator("#progress-text")).to_have_text(f"1000 / {total} labeled")

    # End of what the page holds (it may already have grown while scrolled near an
    # edge): the next key loads the following sentences and moves on.
    page.locator("#article-text .sentence").last.click()
    last_held = _focused_index(page)
    page.keyboard.press("j")
    expect(page.locator(f"#article-text .sentence[data-index='{last_held + 1}']")).to_be_focused(
        timeout=LOAD_TIMEOUT_MS
    )

    # Labeling there saves, and moves to the next unlabeled sentence.
    target = Sentence.objects.get(article=huge, index=last_held + 1)
    page.keyboard.press("2")
    wait_saved(page)
    saved = Annotation.objects.get(sentence=target, annotator=annotator)
    assert saved.label.key == "speculation"
    assert _focused_index(page) == last_held + 2
    expect(page.locator("#progress-text")).to_have_text(f"1001 / {total} labeled")

    # Undo clears it again on the server.
    page.keyboard.press("u")
    wait_saved(page)
    assert not Annotation.objects.filter(sentence=target, annotator=annotator).exists()
    expect(page.locator("#progress-text")).to_have_text(f"1000 / {total} labeled")

    # Up past the window's first sentence: the sentences before it load (k, then Home).
    first_held = int(page.locator("#article-text .sentence").first.get_attribute("data-index"))
    page.locator("#article-text .sentence").first.click()
    page.keyboard.press("k")
    expect(page.locator("#article-text .sentence").first).not_to_have_attribute(
        "data-index", str(first_held)
    )
    assert _focused_index(page) < first_held
    page.keyboard.press("Home")
    expect(page.locator("#article-text .sentence[data-index='0']")).to_be_focused(
        timeout=LOAD_TIMEOUT_MS
    )
    # Labeled earlier, shown as such once loaded.
    expect(page.locator("#article-text .sentence[data-index='0']")).to_have_attribute(
        "data-label", "claim"
    )
    assert page.js_errors == []


def test_labeling_the_last_unlabeled_sentence_of_the_window_finds_the_next_beyond_it(
    live_server, page, sign_in, annotator, huge
):
    labelable = list(_labelable(huge))
    # Labeled elsewhere: everything from the 150th to the 600th labelable sentence.
    claim = huge.corpus.labels.get(key="claim")
    Annotation.objects.bulk_create(
        [
            Annotation(sentence=s, annotator=annotator, label=claim, guideline_version=1)
            for s in labelable[149:600]
        ]
    )
    sign_in(page, annotator)
    open_labeling(page, live_server, huge)
    assert _focused_index(page) == labelable[0].index
    page.locator(f"#article-text .sentence[data-index='{labelable[148].index}']").click()
    page.keyboard.press("1")
    # The next unlabeled sentence lies past the window and the labeled run.
    expect(
        page.locator(f"#article-text .sentence[data-index='{labelable[600].index}']")
    ).to_be_focused(timeout=LOAD_TIMEOUT_MS)
    wait_saved(page)
    assert Annotation.objects.get(sentence=labelable[148], annotator=annotator).label == claim
    assert page.js_errors == []


def test_the_reading_view_appends_the_next_part_when_scrolled_to_its_end(
    live_server, page, sign_in, viewer, huge
):
    sign_in(page, viewer)
    response = page.goto(f"{live_server.url}/articles/{huge.pk}/read/")
    assert len(response.body()) < FIRST_RESPONSE_MAX_BYTES
    sentences = page.locator("#article-text .read-sentence")
    first_part = sentences.count()
    assert 0 < first_part <= 300
    page.locator("#part-after").scroll_into_view_if_needed()
    expect(page.locator("#part-after a")).to_have_attribute("href", "?start=600")
    assert sentences.count() > first_part
    last = Sentence.objects.get(article=huge, index=599)
    expect(page.locator(f"#s{last.pk}")).to_have_text(last.text)
    assert page.js_errors == []
