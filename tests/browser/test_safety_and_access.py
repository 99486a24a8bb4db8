"""Article text is text; CSP on every page; axe finds nothing serious."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles.models import Article
from articles.services.annotations import annotation_set
from corpora.models import Label
from tests.browser.pages import open_labeling, sentence_locator, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD_TEXT = (
    "Payloads <script>window.__pwned = 'script'; alert(1)</script> in the text.\n"
    "\n"
    "An image <img src=x onerror=\"window.__pwned = 'img'; alert(2)\"> follows here. "
    "A link <a href=\"javascript:window.__pwned='link'\">click</a> ends it.\n"
)


def test_article_with_html_payloads_shows_them_as_text_and_runs_nothing(
    live_server, page, sign_in, annotator, corpus, make_article
):
    article = make_article(
        corpus,
        PAYLOAD_TEXT,
        title="<script>window.__pwned='title'</script>Payloads",
        author="<img src=x onerror=\"window.__pwned='author'\">",
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, annotator)
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    expect(page.locator("#articles-table")).to_contain_text(
        "<script>window.__pwned='title'</script>"
    )
    open_labeling(page, live_server, article)
    text = page.locator("#article-text")
    expect(text).to_contain_text("<script>window.__pwned = 'script'; alert(1)</script>")
    expect(text).to_contain_text("<img src=x onerror=\"window.__pwned = 'img'; alert(2)\">")
    expect(page.locator("#article-title")).to_have_text(
        "<script>window.__pwned='title'</script>Payloads"
    )
    assert page.locator("#article-text img, #article-text script, #article-text a").count() == 0
    # Label every sentence; the labeled text is still text.
    for _ in range(sentence_locator(page).count()):
        page.keyboard.press("1")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert page.js_errors == []


def test_every_page_sends_a_content_security_policy_without_inline_scripts(
    live_server, client, annotator, article
):
    client.force_login(annotator)
    for url in (
        "/accounts/login/",
        "/",
        f"/corpora/{article.corpus.slug}/",
        f"/articles/{article.pk}/label/",
        f"/articles/{article.pk}/read/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        body = response.content.decode()
        assert "<script>" not in body and " style=" not in body, url
        assert "onclick=" not in body and "onload=" not in body, url


def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    live_server, page, sign_in, annotator, article, screenshot
):
    axe = Axe()
    found: dict[str, list[str]] = {}
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login")
    found["login"] = serious_violations(axe.run(page))
    sign_in(page, annotator)
    found["home"] = serious_violations(axe.run(page))
    page.goto(f"{live_server.url}/corpora/{article.corpus.slug}/")
    found["corpus"] = serious_violations(axe.run(page))
    open_labeling(page, live_server, article)
    page.keyboard.press("1")
    page.keyboard.press("g")
    found["labeling"] = serious_violations(axe.run(page))
    page.keyboard.press("?")
    found["labeling shortcuts"] = serious_violations(axe.run(page))
    page.keyboard.press("Escape")
    # The note dialog, on the sentence just labeled.
    page.keyboard.press("k")
    page.keyboard.press("n")
    expect(page.locator("#note-dialog")).to_be_visible()
    found["labeling note"] = serious_violations(axe.run(page))
    page.keyboard.press("Escape")
    # The source dialog, on a sourced fact.
    page.keyboard.press("3")
    page.keyboard.press("k")
    page.keyboard.press("s")
    expect(page.locator("#source-dialog")).to_be_visible()
    found["labeling source"] = serious_violations(axe.run(page))
    page.keyboard.press("Escape")
    # The conflict dialog: the label changed behind the page's back.
    sentence = article.sentences.filter(kind="sentence").order_by("index").last()
    annotation_set(
        sentence=sentence,
        annotator=annotator,
        label=Label.objects.get(corpus=article.corpus, key="speculation"),
    )
    page.keyboard.press("End")
    page.keyboard.press("1")
    expect(page.locator("#conflict-dialog")).to_be_visible()
    found["labeling conflict"] = serious_violations(axe.run(page))
    page.get_by_role("button", name="Take the saved value").click()
    expect(page.locator("#conflict-dialog")).to_be_hidden()
    expect(sentence_locator(page).last).to_be_focused()
    # A change the server refuses (the article is being segmented again): the
    # list of refused changes and its buttons.
    Article.objects.filter(pk=article.pk).update(status=Article.Status.SEGMENTING)
    page.keyboard.press("1")  # the sentence holds the saved speculation: a change
    expect(sentence_locator(page).last.locator(".save-mark")).to_have_text("refused")
    expect(page.locator("#refused-panel")).to_be_visible()
    found["labeling refused"] = serious_violations(axe.run(page))
    page.get_by_role("button", name="Discard failed change").click()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    # The reading view (read only, every annotator's labels).
    page.goto(f"{live_server.url}/articles/{article.pk}/read/")
    found["reading"] = serious_violations(axe.run(page))
    assert found == {name: [] for name in found}


def test_the_axe_check_does_report_a_serious_violation_when_there_is_one(page):
    page.set_content("<html><body><main><img src='data:,'><button></button></main></body></html>")
    ids = {line.split(" ")[0] for line in serious_violations(Axe().run(page))}
    assert {"image-alt", "button-name"} <= ids


def test_the_axe_check_sees_inside_an_open_modal_dialog(page):
    page.set_content(
        "<html lang='en'><head><title>t</title></head><body><main><p>Text</p></main>"
        "<dialog id='d' aria-label='Note'><button></button><img src='data:,'></dialog>"
        "</body></html>"
    )
    page.evaluate("document.getElementById('d').showModal()")
    ids = {line.split(" ")[0] for line in serious_violations(Axe().run(page))}
    assert {"image-alt", "button-name"} <= ids
