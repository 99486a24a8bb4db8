"""The corpus admin's day in the browser, at a desktop and a phone width: a corpus made from
the app, its settings, an invitation accepted by sign-up, password reset and change, and the
notice of changed guidelines leading to the re-check. axe finds nothing serious on any page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from articles.services.annotations import annotation_set
from corpora.models import Corpus, Membership, Role
from corpora.services.corpora import corpus_guidelines_update
from tests.browser.pages import open_labeling, serious_violations

WIDTHS = [1440, 390]


def _check(page, found: dict, name: str, width: int) -> None:
    """axe's serious findings on this page, and no sideways scrolling at this width."""
    found[name] = serious_violations(Axe().run(page))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1).slice(0, 4).map(e => e.tagName + '#' + e.id + '.' +"
            " e.className)"
        )
        found[name].append(f"the page scrolls sideways by {overflow}px at {width}px: {wide}")


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request, page):
    page.set_viewport_size({"width": request.param, "height": 900})
    return request.param


def test_a_user_creates_a_corpus_fixes_a_refused_key_and_edits_its_settings(
    live_server, page, sign_in, outsider, width
):
    found: dict[str, list[str]] = {}
    sign_in(page, outsider)
    page.get_by_role("link", name="New corpus").click()
    # axe must run on the page the link leads to, not on the one it leaves.
    page.wait_for_url(f"{live_server.url}/corpora/new/")
    _check(page, found, "new corpus", width)
    page.get_by_label("Name", exact=True).first.fill("Court op-eds")
    page.get_by_label("Slug").fill("court")
    page.locator("#id_labels-0-shortcut").fill("j")  # the labeling screen's "next"
    page.get_by_role("button", name="Create corpus").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#id_labels-0-shortcut-error")).to_contain_text("already uses 'j'")
    _check(page, found, "new corpus refused", width)
    assert not Corpus.objects.filter(slug="court").exists()
    page.locator("#id_labels-0-shortcut").fill("c")
    page.locator("#id_guidelines").fill("# Rules\n\nA **claim** is an opinion.")
    page.get_by_role("button", name="Preview guidelines").click()
    expect(page.locator("#guidelines-preview strong")).to_have_text("claim")
    page.get_by_role("button", name="Create corpus").click()
    expect(page).to_have_url(f"{live_server.url}/corpora/court/")
    expect(page.locator("ul.messages")).to_contain_text("The corpus Court op-eds is ready")
    _check(page, found, "corpus page", width)
    corpus = Corpus.objects.get(slug="court")
    assert Membership.objects.get(corpus=corpus, user=outsider).role == Role.OWNER
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{live_server.url}/corpora/court/settings/")
    _check(page, found, "settings", width)
    page.locator("#id_labels-1-name").fill("Guess")
    page.locator("#id_guidelines").fill("# Rules\n\nA **claim** is an opinion. Be fair.")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("ul.messages")).to_contain_text("now version 2")
    assert corpus.labels.get(key="speculation").name == "Guess"
    assert found == {name: [] for name in found}


def test_an_owner_invites_and_a_newcomer_signs_up_through_the_link(
    live_server, page, sign_in, owner, corpus, width
):
    found: dict[str, list[str]] = {}
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/members/")
    page.get_by_label("E-mail (optional)").fill("nina@example.org")
    page.locator("#invite-role").select_option("reviewer")
    page.get_by_role("button", name="Invite").click()
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{live_server.url}/invitations/")
    assert any(link in message.body for message in mail.outbox)
    _check(page, found, "members with invitation", width)
    page.context.clear_cookies()
    page.goto(link)
    _check(page, found, "invitation sign-up", width)
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password", exact=True).fill("lantern-orbit-42")
    page.get_by_label("Password confirmation").fill("lantern-orbit-42")
    page.get_by_role("button", name="Sign up and join").click()
    expect(page).to_have_url(f"{live_server.url}/corpora/{corpus.slug}/")
    expect(page.locator("ul.messages")).to_contain_text("you joined as reviewer")
    assert Membership.objects.get(corpus=corpus, user__username="nina").role == Role.REVIEWER
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already used")
    _check(page, found, "invitation used", width)
    assert found == {name: [] for name in found}


def test_a_forgotten_password_is_reset_by_mail_and_then_changed(
    live_server, page, sign_in, annotator, width
):
    annotator.email = "anna@example.org"
    annotator.save()
    found: dict[str, list[str]] = {}
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(f"{live_server.url}/accounts/password/reset/")
    _check(page, found, "reset form", width)
    page.get_by_label("Email").fill("anna@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    _check(page, found, "reset sent", width)
    link = re.search(r"https?://\S+/password/reset/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    _check(page, found, "reset confirm", width)
    page.get_by_label("New password", exact=True).fill("quiet-harbour-77")
    page.get_by_label("New password confirmation").fill("quiet-harbour-77")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()
    _check(page, found, "reset complete", width)
    sign_in(page, annotator, "quiet-harbour-77")
    page.goto(f"{live_server.url}/accounts/password/change/")
    _check(page, found, "change form", width)
    page.get_by_label("Old password").fill("quiet-harbour-77")
    page.get_by_label("New password", exact=True).fill("amber-canyon-19")
    page.get_by_label("New password confirmation").fill("amber-canyon-19")
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    annotator.refresh_from_db()
    assert annotator.check_password("amber-canyon-19")
    assert found == {name: [] for name in found}


def test_changed_guidelines_are_shown_once_and_lead_to_the_recheck(
    live_server, page, sign_in, annotator, corpus, article, width
):
    found: dict[str, list[str]] = {}
    sentences = list(article.sentences.filter(kind="sentence").order_by("index"))
    target = sentences[-1]
    annotation_set(sentence=target, annotator=annotator, label=corpus.labels.get(key="claim"))
    corpus_guidelines_update(corpus=corpus, guidelines="# Rules\n\nA claim needs a verb.")
    sign_in(page, annotator)
    open_labeling(page, live_server, article)
    notice = page.locator("#guidelines-notice")
    expect(notice).to_contain_text("version 1 → 2")
    expect(notice.locator(".diff-added").last).to_contain_text("A claim needs a verb.")
    _check(page, found, "labeling with notice", width)
    notice.get_by_role("link", name="re-check them").click()
    expect(page.get_by_role("heading", name="Labels to re-check")).to_be_visible()
    _check(page, found, "recheck", width)
    page.locator(".recheck-list a").first.click()
    page.wait_for_selector("html[data-labeling-ready='true']")
    expect(page.locator(f"#s{target.pk}")).to_be_focused()
    expect(page.locator("#guidelines-notice")).to_have_count(0)  # once per version
    assert found == {name: [] for name in found}
