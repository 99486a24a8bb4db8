"""The HTML pages through Django's test client: who sees what.

Personas: owner, annotator, reviewer, viewer, and an outsider (member of
another corpus only), as in every view test.
"""

from __future__ import annotations

import pytest

from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db


def _label_all(article, user, key="claim"):
    label = Label.objects.get(corpus=article.corpus, key=key)
    for sentence in article.sentences.filter(kind=Sentence.Kind.SENTENCE):
        annotation_set(sentence=sentence, annotator=user, label=label)


def test_anonymous_visitors_are_sent_to_sign_in(client, article):
    for url in ("/", f"/corpora/{article.corpus.slug}/", f"/articles/{article.pk}/label/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_home_lists_my_corpora_with_my_progress_only(client, annotator, owner, article, outsider):
    _label_all(article, owner)  # the owner's labels are not the annotator's progress
    total = article.sentences.filter(kind=Sentence.Kind.SENTENCE).count()
    client.force_login(annotator)
    body = client.get("/").content.decode()
    assert article.corpus.name in body
    assert f"0 of {total} sentences labeled" in body
    assert "Oscar&#x27;s corpus" not in body and "Oscar's corpus" not in body
    client.force_login(owner)
    assert f"{total} of {total} sentences labeled (100%)" in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["owner", "annotator", "reviewer", "viewer"])
def test_members_see_the_corpus_page_with_article_status_and_counts(
    client, request, persona, corpus, make_article
):
    user = request.getfixturevalue(persona)
    ready = make_article(corpus, title="Ready one")
    waiting = make_article(corpus, "Another text. It waits.", title="Waiting one", segment=False)
    client.force_login(user)
    response = client.get(f"/corpora/{corpus.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ready one" in body and "Waiting one" in body
    assert "status-ready" in body and "status-pending" in body
    assert 'data-busy="true"' in body
    ids = f"{ready.pk},{waiting.pk}"  # the page's articles, as the page asks
    status = client.get(f"/corpora/{corpus.slug}/status.json?ids={ids}").json()["articles"]
    assert {a["status"] for a in status} == {"ready", "pending"}
    row = next(a for a in status if a["id"] == ready.pk)
    assert row["sentence_count"] == ready.sentences.filter(kind="sentence").count()
    can_label = persona != "viewer"
    assert (f"/articles/{ready.pk}/label/" in body) is can_label


def test_failed_article_shows_its_reason(client, annotator, corpus, make_article):
    article = make_article(corpus, "Text that will fail.", segment=False)
    article.status, article.failure_reason = "failed", "Segmenter crashed: boom"
    article.save()
    client.force_login(annotator)
    assert "Segmenter crashed: boom" in client.get(f"/corpora/{corpus.slug}/").content.decode()
    url = f"/corpora/{corpus.slug}/status.json?ids={article.pk}"
    status = client.get(url).json()["articles"][0]
    assert (status["status"], status["failure_reason"]) == ("failed", "Segmenter crashed: boom")


def test_outsider_gets_404_for_every_page_of_another_corpus(client, outsider, article):
    client.force_login(outsider)
    slug = article.corpus.slug
    for url in (
        f"/corpora/{slug}/",
        f"/corpora/{slug}/status.json",
        f"/articles/{article.pk}/label/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/corpora/{slug}/next/").status_code == 404


def test_viewer_may_not_open_the_labeling_screen(client, viewer, article):
    client.force_login(viewer)
    response = client.get(f"/articles/{article.pk}/label/")
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["owner", "annotator", "reviewer"])
def test_labelers_get_the_screen_with_their_own_labels_only(
    client, request, persona, owner, article
):
    user = request.getfixturevalue(persona)
    if persona != "owner":
        _label_all(article, owner, key="speculation")
    client.force_login(user)
    response = client.get(f"/articles/{article.pk}/label/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="labeling-config"' in body
    assert ('data-label="speculation"' in body) is False
    assert "csrftoken" in response.cookies


def test_guidelines_are_rendered_from_markdown_and_sanitised(client, annotator, article):
    article.corpus.guidelines = (
        "# Rules\n\n**Bold** rule\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)">'
    )
    article.corpus.save()
    client.force_login(annotator)
    body = client.get(f"/articles/{article.pk}/label/").content.decode()
    panel = body[body.index('id="guidelines-panel"') :]
    assert "<strong>Bold</strong>" in panel
    assert "<script>" not in panel and "onerror" not in panel and "javascript:" not in panel
    # The guidelines' own "# Rules" sits under the panel's h2: one h1 on the page.
    assert "<h3>Rules</h3>" in panel
    assert body.count("<h1") == 1


def test_next_article_skips_finished_ones_and_says_when_all_are_done(
    client, annotator, corpus, make_article
):
    first = make_article(corpus, "First text. Done soon.", title="First")
    second = make_article(corpus, "Second text. Not done.", title="Second")
    client.force_login(annotator)
    url = f"/corpora/{corpus.slug}/next/"
    assert client.get(url).status_code == 405  # it may claim an article: POST only
    assert client.post(url)["Location"] == f"/articles/{first.pk}/label/"
    _label_all(first, annotator)
    assert client.post(url, {"after": first.pk})["Location"] == f"/articles/{second.pk}/label/"
    _label_all(second, annotator)
    response = client.post(url, {"after": second.pk}, follow=True)
    assert response.redirect_chain[-1][0] == f"/corpora/{corpus.slug}/"
    assert "Nothing left for you to label" in response.content.decode()


def test_article_still_segmenting_says_so_instead_of_showing_sentences(
    client, annotator, corpus, make_article
):
    article = make_article(corpus, "Not yet. Soon.", segment=False)
    client.force_login(annotator)
    body = client.get(f"/articles/{article.pk}/label/").content.decode()
    assert "can be labeled once it is ready" in body
    assert 'id="labeling-config"' not in body


def _visible_text(body: str) -> str:
    import re

    main = body[body.index('<main id="main"') :]
    main = re.sub(r"<script[\s\S]*?</script>", "", main)
    return re.sub(r"<[^>]+>", " ", main)


def test_headline_that_repeats_the_title_is_the_page_title_shown_once(
    client, annotator, corpus, make_article
):
    article = make_article(
        corpus,
        "Why the Talks Matter\n\nThe talks opened on Friday. Critics say they will fail.\n",
        title="why the  talks matter",  # same words, other case and spacing
    )
    first = article.sentences.order_by("index").first()
    assert (first.kind, first.text) == ("heading", "Why the Talks Matter")
    client.force_login(annotator)
    body = client.get(f"/articles/{article.pk}/label/").content.decode()
    # The segment, exactly as imported, is the h1; the metadata title is not shown.
    assert '<h1 id="article-title" class="article-headline" data-sentence-index="0">' in body
    assert ">Why the Talks Matter</h1>" in body
    assert _visible_text(body).count("Why the Talks Matter") == 1
    assert "why the  talks matter</h1>" not in body
    # Every other segment is still in the text, and the headline still in the data.
    text = body[body.index('id="article-text"') :]
    assert "The talks opened on Friday." in text and "Critics say they will fail." in text
    assert article.sentences.count() == 3


def test_title_differing_from_the_first_heading_shows_both(client, annotator, article):
    first = article.sentences.order_by("index").first()
    assert first.kind == "heading" and first.text != article.title
    client.force_login(annotator)
    body = client.get(f"/articles/{article.pk}/label/").content.decode()
    assert f'<h1 id="article-title">{article.title}</h1>' in body
    text = body[body.index('id="article-text"') :]
    assert (
        f'<span class="sentence-heading" data-id="{first.pk}" data-index="{first.index}">'
        f"{first.text}</span>"
    ) in text
