"""The read-only reading view: viewers read articles; roles that see all labels
read every annotator's label and the gold label per sentence.

Personas: owner, annotator, reviewer, viewer, outsider.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from review.services.adjudication import gold_label_decide
from tests.browser.pages import open_labeling, serious_violations


def _labelable(article) -> list[Sentence]:
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


def _label(article, key: str) -> Label:
    return Label.objects.get(corpus=article.corpus, key=key)


def _split_and_gold(article, annotator, reviewer, owner):
    """First sentence: annotator and reviewer disagree. Second: gold decided."""
    first, second = _labelable(article)[:2]
    annotation_set(
        sentence=first, annotator=annotator, label=_label(article, "claim"), note="loaded word"
    )
    annotation_set(sentence=first, annotator=reviewer, label=_label(article, "speculation"))
    annotation_set(
        sentence=second,
        annotator=annotator,
        label=_label(article, "sourced_fact"),
        source="Reuters",
    )
    gold_label_decide(sentence=second, label=_label(article, "sourced_fact"), reviewer=owner)
    return first, second


def _chips(body: str, sentence: Sentence) -> str:
    start = body.index(f'id="s{sentence.pk}"')
    return body[start : body.index('class="read-sentence"', start + 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["viewer", "reviewer", "owner"])
def test_roles_that_see_all_labels_read_every_annotators_label_and_the_gold(
    client, request, persona, annotator, reviewer, owner, article
):
    first, second = _split_and_gold(article, annotator, reviewer, owner)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/articles/{article.pk}/read/")
    assert response.status_code == 200
    body = response.content.decode()
    one = _chips(body, first)
    assert 'data-split="true"' in one
    assert "anna: Claim" in one and "note: “loaded word”" in one
    assert "rita: Speculation" in one and "disagreement" in one
    two = _chips(body, second)
    assert "Gold: Sourced fact" in two and "(adjudicated by olivia)" in two
    assert "anna: Sourced fact" in two and "source: Reuters" in two
    assert "Labels by 2 annotators (anna, rita)" in body
    # Read only: no labeling script, no label bar, no form that writes.
    assert 'id="labeling-config"' not in body and "label-button" not in body
    assert "js/labeling.js" not in body
    main = body[body.index("<main") :]
    assert 'method="post"' not in main
    # The article text is all there, as text.
    for sentence in article.sentences.all():
        assert sentence.text in body


@pytest.mark.django_db
def test_annotators_read_their_own_labels_only(client, annotator, reviewer, owner, article):
    first, _second = _split_and_gold(article, annotator, reviewer, owner)
    client.force_login(annotator)
    body = client.get(f"/articles/{article.pk}/read/").content.decode()
    one = _chips(body, first)
    assert "You: Claim" in one
    assert "Speculation" not in one and "rita" not in body
    assert "Gold:" not in body and 'data-split="true"' not in body
    assert f'href="/articles/{article.pk}/label/"' in body  # back to labeling


@pytest.mark.django_db
def test_outsiders_get_404_and_anonymous_visitors_sign_in(client, outsider, article):
    url = f"/articles/{article.pk}/read/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get("/articles/999999/read/").status_code == 404


@pytest.mark.django_db
def test_article_not_ready_says_so(client, viewer, corpus, make_article):
    article = make_article(corpus, "Not yet. Soon.", segment=False)
    client.force_login(viewer)
    body = client.get(f"/articles/{article.pk}/read/").content.decode()
    assert "it can be read once it is ready" in body and "read-sentence" not in body


@pytest.mark.django_db
def test_the_reading_view_takes_the_same_number_of_queries_however_many_labels(
    client, viewer, corpus, make_article, make_user
):
    from corpora.models import Role
    from corpora.services.corpora import membership_set

    small = make_article(corpus, "One sentence here. Two sentences here.", title="Small")
    big = make_article(
        corpus,
        "\n\n".join(f"Paragraph {p} starts. It goes on. It ends." for p in range(12)),
        title="Big",
    )
    labels = list(Label.objects.filter(corpus=corpus))
    annotation_set(sentence=_labelable(small)[0], annotator=viewer, label=labels[0])
    for n in range(5):
        user = make_user(f"extra{n}")
        membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
        for i, sentence in enumerate(_labelable(big)):
            annotation_set(sentence=sentence, annotator=user, label=labels[(i + n) % 3])
    for sentence in _labelable(big)[:5]:
        gold_label_decide(sentence=sentence, label=labels[0], reviewer=viewer)
    client.force_login(viewer)
    counts = []
    for article in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/articles/{article.pk}/read/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "opens", "review"),
    [
        ("viewer", "read", False),
        ("annotator", "label", False),
        ("reviewer", "label", True),
        ("owner", "label", True),
    ],
)
def test_corpus_page_links_each_role_to_its_view_of_an_article(
    client, request, persona, opens, review, article
):
    client.force_login(request.getfixturevalue(persona))
    body = client.get(f"/corpora/{article.corpus.slug}/").content.decode()
    assert f'href="/articles/{article.pk}/{opens}/"' in body
    assert ('data-role="review"' in body) is review
    assert (f'href="/articles/{article.pk}/read/"' in body) is (opens == "read" or review)
    table = body[body.index('id="articles-table"') :]
    assert ("data-read-url=" in table.split(">")[0]) is (persona == "viewer")
    assert ("data-review-url=" in table.split(">")[0]) is review
    labeling = client.get(f"/articles/{article.pk}/label/")
    if persona == "viewer":
        assert labeling.status_code == 403
    else:
        assert ('id="review-link"' in labeling.content.decode()) is review


@pytest.mark.django_db(transaction=True)
def test_viewer_opens_an_article_from_the_corpus_page_and_reads_all_labels(
    live_server, page, sign_in, viewer, annotator, reviewer, owner, article, screenshot
):
    first, second = _split_and_gold(article, annotator, reviewer, owner)
    sign_in(page, viewer)
    page.goto(f"{live_server.url}/corpora/{article.corpus.slug}/")
    page.get_by_role("link", name=article.title, exact=True).click()
    page.wait_for_url(f"**/articles/{article.pk}/read/")
    expect(page.locator("h1")).to_have_count(1)
    one = page.locator(f"#s{first.pk}")
    expect(one.locator("[data-role='label']")).to_have_count(2)
    expect(one).to_contain_text("anna: Claim")
    expect(one).to_contain_text("rita: Speculation")
    expect(page.locator(f"#s{second.pk} [data-role='gold']")).to_contain_text("Gold: Sourced fact")
    # Colours come from the small script, never from inline styles in the HTML.
    colour = page.evaluate(
        f"getComputedStyle(document.querySelector('#s{first.pk} .chip')).borderLeftColor"
    )
    hex_colour = _label(article, "claim").color.lstrip("#")
    assert colour == "rgb({}, {}, {})".format(*(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)))
    # Guidelines open from the keyboard; keys that label elsewhere do nothing here.
    page.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".reading-guidelines")).to_have_attribute("open", "")
    page.keyboard.press("1")
    assert page.locator(".label-button").count() == 0
    screenshot(page, "reading-all-labels")
    found = serious_violations(Axe().run(page))
    assert found == []
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_reviewer_goes_from_labeling_to_the_review_of_all_labels_and_back(
    live_server, page, sign_in, reviewer, annotator, owner, article
):
    first, _second = _split_and_gold(article, annotator, reviewer, owner)
    sign_in(page, reviewer)
    open_labeling(page, live_server, article)
    page.get_by_role("link", name="Review labels").click()
    page.wait_for_url(f"**/articles/{article.pk}/read/")
    expect(page.locator(f"#s{first.pk}")).to_contain_text("anna: Claim")
    page.get_by_role("link", name="Label this article").first.click()
    page.wait_for_selector("html[data-labeling-ready='true']")
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("persona", "links"), [("viewer", ["read"]), ("owner", ["label", "read"])])
def test_article_becoming_ready_gets_the_links_of_the_role_without_a_reload(
    live_server, page, sign_in, request, persona, links, corpus, make_article
):
    import uuid

    from articles.services.segmentation import article_segment

    article = make_article(corpus, "It waits. Then it is ready.", title="Later", segment=False)
    sign_in(page, request.getfixturevalue(persona))
    page.goto(f"{live_server.url}/corpora/{corpus.slug}/")
    row = page.locator(f"tr[data-article-id='{article.pk}']")
    # The links to the article's text (an owner's row also links to its details' edit page).
    text_links = row.locator("a[href^='/articles/']:not([href$='/edit/'])")
    expect(text_links).to_have_count(0)
    article_segment(article_id=article.pk, task_id=f"test-{uuid.uuid4()}")
    expect(row.locator("[data-role='status']")).to_have_text("Ready", timeout=15_000)
    hrefs = text_links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"/articles/{article.pk}/{view}/" for view in links]
    if "label" in links:
        expect(row.get_by_role("link", name="Review labels: Later")).to_be_visible()
    assert page.js_errors == []
