"""Saving that survives a missing server, and conflicts the user decides."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from articles.models import Annotation, Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from tests.browser.pages import (
    block_api,
    labels_in_page,
    open_labeling,
    route_api,
    sentence_locator,
    wait_saved,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _first_sentence(article) -> Sentence:
    return article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index").first()


def test_change_made_while_server_is_unreachable_is_queued_kept_over_reload_and_lands(
    live_server, page, sign_in, annotator, article, screenshot
):
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))

    block_api(page)
    page.keyboard.press("1")
    page.keyboard.press("2")
    # The screen shows the labels at once and says they are queued.
    assert labels_in_page(page)[:2] == ["claim", "speculation"]
    expect(page.locator("#save-status")).to_have_text("Offline: 2 changes queued")
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("kept on this device")
    screenshot(page, "labeling-offline")
    assert Annotation.objects.filter(annotator=annotator).count() == 0

    # Leaving warns; after a reload the queue is still there and still shown.
    page.reload()
    page.wait_for_selector("html[data-labeling-ready='true']")
    assert "beforeunload" in dialogs
    assert labels_in_page(page)[:2] == ["claim", "speculation"]
    expect(page.locator("#save-status")).to_contain_text("2 changes queued")

    # The server comes back: the queued changes land without any user action.
    page.unroute("**/api/**")
    wait_saved(page, timeout=30_000)
    stored = Annotation.objects.filter(annotator=annotator).order_by("sentence__index")
    assert [a.label.key for a in stored] == ["claim", "speculation"]
    expect(page.locator("#offline-banner")).to_be_hidden()
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('annotator:queue'))")
        == []
    )


def test_server_errors_are_retried_until_the_save_lands(
    live_server, page, sign_in, annotator, article
):
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    failures = {"left": 2}

    def flaky(route):
        if failures["left"] > 0:
            failures["left"] -= 1
            route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error": {"code": "unavailable", "message": "Try again shortly."}}',
            )
        else:
            route.continue_()

    route_api(page, "**/api/sentences/**", flaky, "/api/sentences/1/history/")
    page.keyboard.press("3")
    expect(page.locator("#save-status")).to_contain_text("Save failed", timeout=5_000)
    expect(sentence_locator(page).first.locator(".save-mark")).to_have_text("retrying")
    wait_saved(page, timeout=20_000)
    assert failures["left"] == 0
    assert Annotation.objects.get(annotator=annotator).label.key == "sourced_fact"


def _conflict_setup(page, live_server, sign_in, annotator, article):
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    sentence = _first_sentence(article)
    # Behind the page's back: the same user's label set elsewhere (another tab).
    speculation = Label.objects.get(corpus=article.corpus, key="speculation")
    annotation_set(sentence=sentence, annotator=annotator, label=speculation, note="other tab")
    page.keyboard.press("1")
    dialog = page.locator("#conflict-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#conflict-mine")).to_have_text("Claim")
    expect(page.locator("#conflict-theirs")).to_have_text("Speculation — note: “other tab”")
    expect(page.locator("#save-status")).to_contain_text("conflict")
    return sentence, dialog


def test_conflict_shows_both_values_and_keep_mine_saves_over_the_newer_one(
    live_server, page, sign_in, annotator, article, screenshot
):
    sentence, dialog = _conflict_setup(page, live_server, sign_in, annotator, article)
    screenshot(page, "labeling-conflict")
    # Escape does not dismiss an undecided conflict.
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    time.sleep(0.3)
    assert Annotation.objects.get(sentence=sentence).label.key == "speculation"
    page.get_by_role("button", name="Keep mine").click()
    expect(dialog).to_be_hidden()
    wait_saved(page)
    stored = Annotation.objects.get(sentence=sentence)
    assert (stored.label.key, stored.version) == ("claim", 2)


def test_conflict_take_theirs_shows_the_saved_value_and_writes_nothing(
    live_server, page, sign_in, annotator, article
):
    sentence, dialog = _conflict_setup(page, live_server, sign_in, annotator, article)
    page.get_by_role("button", name="Take the saved value").click()
    expect(dialog).to_be_hidden()
    wait_saved(page)
    assert labels_in_page(page)[0] == "speculation"
    expect(sentence_locator(page).first).to_have_attribute("data-note", "other tab")
    stored = Annotation.objects.get(sentence=sentence)
    assert (stored.label.key, stored.version) == ("speculation", 1)
    # Later changes build on the saved version without a new conflict.
    page.keyboard.press("3")
    wait_saved(page)
    wait_for(lambda: Annotation.objects.get(sentence=sentence).label.key == "sourced_fact")


def test_refused_changes_are_listed_and_discarding_them_shows_the_stored_value(
    live_server, page, sign_in, annotator, article, screenshot
):
    from articles.models import Article

    sentences = list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    page.keyboard.press("1")  # sentence 1: claim, stored
    wait_saved(page)
    # Behind the page's back the article is being segmented again: writes are refused (400).
    Article.objects.filter(pk=article.pk).update(status=Article.Status.SEGMENTING)
    page.keyboard.press("2")  # sentence 2: speculation, refused
    page.keyboard.press("Home")
    page.keyboard.press("3")  # sentence 1: sourced fact, refused
    status = page.locator("#save-status")
    expect(status).to_have_text(
        "Save failed for 2: sentence: The article is being segmented again; "
        "label it when it is ready."
    )
    expect(status).not_to_contain_text("retrying")
    marks = sentence_locator(page).locator(".save-mark")
    expect(marks.nth(0)).to_have_text("refused")
    expect(marks.nth(1)).to_have_text("refused")
    panel = page.locator("#refused-panel")
    expect(panel.locator("li")).to_have_count(2)
    expect(panel).to_contain_text("→ Sourced fact: sentence: The article is being segmented again")
    discard_all = page.get_by_role("button", name="Discard 2 failed changes")
    expect(discard_all).to_be_visible()
    screenshot(page, "labeling-refused")

    # One refused change discarded from its own button: the stored claim is back.
    panel.get_by_role("button", name=f"Discard the refused change to “{sentences[0].text}”").click()
    assert labels_in_page(page)[:2] == ["claim", "speculation"]
    expect(sentence_locator(page).first).to_be_focused()
    expect(marks.nth(0)).to_have_text("")
    expect(panel.locator("li")).to_have_count(1)
    expect(page.locator("#save-status")).to_contain_text("Save failed for 1")

    # The rest from the status area, from the keyboard.
    page.get_by_role("button", name="Discard failed change").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_have_text("All changes saved")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name="Discard failed change")).to_be_hidden()
    assert labels_in_page(page)[:2] == ["claim", None]
    expect(page.locator("#progress-text")).to_have_text(f"1 / {len(sentences)} labeled")
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('annotator:queue'))")
        == []
    )

    # Nothing is left unsaved: leaving does not warn, and the stored values stand.
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    page.reload()
    page.wait_for_selector("html[data-labeling-ready='true']")
    assert dialogs == []
    assert labels_in_page(page)[:2] == ["claim", None]
    stored = Annotation.objects.filter(annotator=annotator)
    assert [(a.sentence_id, a.label.key, a.version) for a in stored] == [
        (sentences[0].pk, "claim", 1)
    ]
    assert page.js_errors == []


def test_a_refused_change_keeps_the_leave_warning_until_discarded(
    live_server, page, sign_in, annotator, article
):
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    # The label is removed from the corpus while the page is open: 400, not retried.
    Label.objects.filter(corpus=article.corpus, key="sourced_fact").delete()
    page.keyboard.press("3")
    expect(page.locator("#save-status")).to_contain_text("No label 'sourced_fact'")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    # Leaving warns; the refused change is still there after the reload, refused again.
    page.reload()
    page.wait_for_selector("html[data-labeling-ready='true']")
    assert dialogs == ["beforeunload"]
    expect(page.locator("#save-status")).to_contain_text("No label 'sourced_fact'")
    page.get_by_role("button", name="Discard failed change").click()
    expect(page.locator("#save-status")).to_have_text("All changes saved")
    assert labels_in_page(page)[0] is None
    page.reload()
    page.wait_for_selector("html[data-labeling-ready='true']")
    assert dialogs == ["beforeunload"]  # no second warning
    assert Annotation.objects.filter(annotator=annotator).count() == 0
