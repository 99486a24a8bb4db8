"""In Chromium, at 1440 and 390 px: an owner shares articles in bulk after a preview,
reassigns one, reads a member's queue; an annotator reads their own. axe finds nothing
serious or critical on any of these pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from review.models import Assignment
from review.services.assignment import assignment_create
from tests.browser.pages import serious_violations
from tests.review.conftest import label_sentences

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1440, 390]


def fits(page) -> bool:
    """Nothing sticks out sideways: the page does not scroll horizontally."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_shares_selected_articles_after_a_preview(
    page, live_server, sign_in, corpus, articles, owner, team, width
):
    corpus.overlap = 2
    corpus.save(update_fields=["overlap"])
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/assignments/")
    assert serious_violations(axe.run(page)) == []
    assert fits(page)
    page.get_by_label(f"Select “{articles[0].title}”").check()
    page.get_by_label(f"Select “{articles[1].title}”").check()
    page.get_by_label("Annotators per article", exact=True).fill("2")
    page.get_by_label(team[0].username, exact=True).check()
    page.get_by_label(team[1].username, exact=True).check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#plan-summary")).to_contain_text("4 new assignments")
    assert Assignment.objects.count() == 0
    assert serious_violations(axe.run(page)) == []
    assert fits(page)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Made 4 assignments over 2 articles")
    row = page.locator(f"#article-{articles[0].pk}")
    expect(row).to_contain_text(team[0].username)
    expect(row).to_contain_text("Full (2 of 2)")
    assert Assignment.objects.filter(article__in=articles[:2]).count() == 4


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_reassigns_an_article_and_reads_a_members_queue(
    page, live_server, sign_in, corpus, articles, owner, annotator, team, width
):
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    assignment_create(article=articles[1], annotator=annotator, assigned_by=owner)
    label_sentences(articles[0], annotator, ["claim", None, None])
    page.set_viewport_size({"width": width, "height": 900})
    axe = Axe()
    sign_in(page, owner)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/assignments/")
    row = page.locator(f"#article-{articles[1].pk}")
    row.get_by_label(f"Give {annotator.username}'s seat to").select_option(label=team[2].username)
    row.get_by_role("button", name="Reassign").click()
    expect(page.locator(".messages")).to_contain_text(f"moved from {annotator.username}")
    expect(page.locator(f"#article-{articles[1].pk}")).to_contain_text(team[2].username)

    page.get_by_role("link", name=annotator.username, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{annotator.username}'s queue")
    item = page.locator(f"li[data-article-id='{articles[0].pk}']")
    expect(item).to_contain_text("1 of 3 labeled")
    assert serious_violations(axe.run(page)) == []
    assert fits(page)
    page.get_by_label("Give all 1 unfinished article to").select_option(label=team[0].username)
    page.get_by_role("button", name="Reassign all").click()
    expect(page.locator(".messages")).to_contain_text("Moved 1 unfinished article")
    assert Assignment.objects.get(article=articles[0]).annotator == team[0]
    assert annotator.annotations.filter(sentence__article=articles[0]).count() == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_an_annotator_sees_their_queue_in_order_with_progress(
    page, live_server, sign_in, corpus, articles, owner, annotator, width
):
    assignment_create(article=articles[2], annotator=annotator, assigned_by=owner)
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    label_sentences(articles[0], annotator, ["claim", "claim", None])
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, annotator)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/my-articles/")
    items = page.locator(".queue-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(articles[2].title)
    expect(items.nth(1)).to_contain_text("2 of 3 labeled")
    assert serious_violations(Axe().run(page)) == []
    assert fits(page)
