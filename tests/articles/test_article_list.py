"""The corpus's article list at scale: search, filters, sort and pages, on the API and the page."""

from __future__ import annotations

import datetime as dt

import pytest

from articles.selectors.listing import ArticleQuery, articles_listing
from articles.services.annotations import annotation_set
from articles.services.articles import article_archive_set
from corpora.models import Label, Role
from corpora.services.corpora import corpus_create, membership_set
from review.models import ArticleAgreement
from review.services.assignment import assignment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(corpus, make_article):
    """Four articles with distinct metadata and words."""
    return [
        make_article(
            corpus,
            "The harbour tram ran late again. Nobody was surprised.",
            title="Trams and their troubles",
            author="Ana Lobo",
            outlet="The Coast Gazette",
            published_on=dt.date(2020, 5, 1),
        ),
        make_article(
            corpus,
            "Farmers fear another drought. Silos stand empty.",
            title="Dry summer ahead",
            author="Ben Ruiz",
            outlet="Rural Weekly",
            published_on=dt.date(2024, 1, 9),
        ),
        make_article(
            corpus,
            "The museum opened its doors for free. Visitors came in crowds.",
            title="A free museum",
            author="Chloé Martin",
            outlet="The Coast Gazette",
            published_on=dt.date(2022, 3, 3),
        ),
        make_article(
            corpus,
            "Otters returned to the river. Anglers complain.",
            title="Otters are back",
            author="Dmitri Ivanov",
            outlet="Nature Notes",
            published_on=None,
        ),
    ]


def titles(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("troubles", ["Trams and their troubles"]),  # title, part of a word too
        ("ruiz", ["Dry summer ahead"]),  # author, any case
        ("coast gazette", ["Trams and their troubles", "A free museum"]),  # outlet
        ("silos", ["Dry summer ahead"]),  # body
        ("anglers complain", ["Otters are back"]),  # every word of the body
    ],
)
def test_search_finds_title_author_outlet_and_text(
    client_for, owner, corpus, shelf, search, expected
):
    url = f"/api/corpora/{corpus.slug}/articles/?search={search}"
    assert titles(client_for(owner), url) == expected


def test_sort_orders_the_list_and_pages_hold_the_rest(client_for, owner, corpus, shelf):
    api = client_for(owner)
    base = f"/api/corpora/{corpus.slug}/articles/"
    assert titles(api, base + "?sort=title") == sorted(a.title for a in shelf)
    newest = titles(api, base + "?sort=-published_on")
    assert newest[0] == "Dry summer ahead" and newest[-1] == "Otters are back"  # no date: last
    assert titles(api, base + "?sort=-created") == [a.title for a in reversed(shelf)]
    first = api.get(base + "?sort=title&page_size=3").json()
    assert first["count"] == 4 and first["next"] and len(first["results"]) == 3
    second = api.get(base + "?sort=title&page_size=3&page=2").json()
    assert [r["title"] for r in second["results"]] == ["Trams and their troubles"]


def test_filters_status_labeled_by_me_assigned_and_agreement(
    client_for, owner, annotator, corpus, shelf
):
    base = f"/api/corpora/{corpus.slug}/articles/"
    claim = Label.objects.get(corpus=corpus, key="claim")
    for sentence in shelf[0].sentences.all():
        annotation_set(sentence=sentence, annotator=annotator, label=claim)
    annotation_set(sentence=shelf[1].sentences.first(), annotator=annotator, label=claim)
    assignment_create(article=shelf[2], annotator=annotator, assigned_by=owner)
    ArticleAgreement.objects.create(article=shelf[3], corpus=corpus, percent_agreement=0.4)
    ArticleAgreement.objects.create(article=shelf[1], corpus=corpus, percent_agreement=0.9)

    mine = client_for(annotator)
    assert titles(mine, base + "?labeled_by_me=true") == [shelf[0].title]
    assert len(titles(mine, base + "?labeled_by_me=false")) == 3
    api = client_for(owner)
    assert titles(api, base + f"?assigned_to={annotator.pk}") == [shelf[2].title]
    assert len(titles(api, base + "?assigned_to=none")) == 3
    assert titles(api, base + "?agreement_below=0.5") == [shelf[3].title]
    assert titles(api, base + "?status=failed") == []
    assert titles(api, base + "?status=ready&search=otters") == [shelf[3].title]


@pytest.mark.parametrize("inline", [10_000, 0], ids=["ids read first", "ids as a subquery"])
def test_labeled_by_me_is_every_labelable_sentence_of_this_corpus(
    client_for, owner, annotator, corpus, shelf, make_article, monkeypatch, inline
):
    """The caller's fully labeled articles are read once as ids up to a limit, past it
    as a subquery: the same list either way, and only this corpus's articles."""
    monkeypatch.setattr("articles.selectors.listing.LABELED_IDS_INLINE", inline)
    other = corpus_create(name="Letters", owner=owner)
    membership_set(corpus=other, user=annotator, role=Role.ANNOTATOR)
    elsewhere = make_article(other, "A letter arrived. It was short.", title="A letter")
    for article in (shelf[0], shelf[2], elsewhere):
        labels = Label.objects.get(corpus=article.corpus, key="claim")
        for sentence in article.sentences.all():
            annotation_set(sentence=sentence, annotator=annotator, label=labels)
    claim = Label.objects.get(corpus=corpus, key="claim")
    annotation_set(sentence=shelf[1].sentences.first(), annotator=annotator, label=claim)
    annotation_set(sentence=shelf[3].sentences.first(), annotator=owner, label=claim)

    mine = client_for(annotator)
    base = f"/api/corpora/{corpus.slug}/articles/"
    assert titles(mine, base + "?labeled_by_me=true") == [shelf[0].title, shelf[2].title]
    assert titles(mine, base + "?labeled_by_me=false") == [shelf[1].title, shelf[3].title]
    assert mine.get(base + "?labeled_by_me=false").json()["count"] == 2
    assert titles(mine, f"/api/corpora/{other.slug}/articles/?labeled_by_me=true") == ["A letter"]


def test_archived_articles_leave_the_list_unless_asked_for(client_for, owner, corpus, shelf):
    article_archive_set(article=shelf[1], archived=True)
    base = f"/api/corpora/{corpus.slug}/articles/"
    api = client_for(owner)
    assert shelf[1].title not in titles(api, base)
    archived = api.get(base + "?archived=true").json()["results"]
    assert [(r["title"], r["archived"]) for r in archived] == [(shelf[1].title, True)]


@pytest.mark.parametrize(
    "query",
    [
        "sort=newest",
        "status=gone",
        "agreement_below=2",
        "assigned_to=me",
        "page_size=501",
        "search=",
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(client_for, owner, corpus, shelf, query):
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/articles/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["error"]["fields"]


def test_the_list_counts_the_caller_progress_in_a_fixed_number_of_queries(
    client_for, owner, corpus, shelf, django_assert_max_num_queries
):
    api = client_for(owner)
    with django_assert_max_num_queries(8):
        api.get(f"/api/corpora/{corpus.slug}/articles/?search=the&sort=title")


def test_the_listing_selector_refuses_an_unknown_sort(corpus, owner):
    with pytest.raises(Exception, match="Sort by one of"):
        articles_listing(corpus=corpus, user=owner, query=ArticleQuery(sort="sideways"))


def test_the_corpus_page_searches_filters_and_pages(client, corpus, owner, shelf, settings):
    client.force_login(owner)
    page = client.get(f"/corpora/{corpus.slug}/?q=gazette&sort=-title").content.decode()
    assert page.index("Trams and their troubles") < page.index("A free museum")
    assert "Dry summer ahead" not in page
    assert "2 matching" in page
    bad = client.get(f"/corpora/{corpus.slug}/?agreement_below=500").content.decode()
    assert "Agreement below (%)" in bad and "Otters are back" in bad  # unfiltered, with the error


def test_the_corpus_page_holds_one_page_of_articles(client, corpus, owner, make_article):
    for i in range(55):
        make_article(
            corpus, f"Short piece number {i}. It ends here.", title=f"Piece {i:02}", segment=False
        )
    client.force_login(owner)
    first = client.get(f"/corpora/{corpus.slug}/?sort=title").content.decode()
    assert "Piece 49" in first and "Piece 50" not in first and "Page 1 of 2" in first
    second = client.get(f"/corpora/{corpus.slug}/?sort=title&page=2").content.decode()
    assert "Piece 54" in second and "Piece 00" not in second


def test_status_poll_answers_for_the_ids_asked_only(client, corpus, owner, shelf):
    client.force_login(owner)
    url = f"/corpora/{corpus.slug}/status.json"
    rows = client.get(f"{url}?ids={shelf[0].pk},{shelf[2].pk}").json()["articles"]
    assert [r["id"] for r in rows] == [shelf[0].pk, shelf[2].pk]
    assert client.get(f"{url}?ids=1,x").status_code == 400


def test_a_search_counts_up_to_a_cap_and_says_so(client_for, owner, corpus, shelf, monkeypatch):
    monkeypatch.setattr("articles.selectors.listing.SEARCH_COUNT_CAP", 1)
    api = client_for(owner)
    found = api.get(f"/api/corpora/{corpus.slug}/articles/?search=coast gazette").json()
    assert (found["count"], found["count_capped"]) == (2, True)
    assert len(found["results"]) == 2  # the page itself is whole
    plain = api.get(f"/api/corpora/{corpus.slug}/articles/").json()
    assert (plain["count"], plain["count_capped"]) == (4, False)


def _row(page: str, pk: int) -> str:
    start = page.index(f'<tr data-article-id="{pk}">')
    return page[start : page.index("</tr>", start)]


def test_the_corpus_page_rows_link_by_role_and_escape_what_was_entered(
    client, corpus, owner, annotator, viewer, make_article
):
    """Each row: the title links to labeling (and review for those who see every
    label) or to reading; an owner gets "Edit"; a row not ready links nowhere and
    says why it failed; titles are escaped and an empty one reads "Untitled article"."""
    ready = make_article(
        corpus,
        "The council met. It voted twice.",
        title="<b>Bold</b> & brave",
        author="Ana Lobo",
        outlet="The Coast Gazette",
        published_on=dt.date(2021, 2, 3),
    )
    failed = make_article(corpus, "Not segmented yet.", title="", segment=False)
    failed.status, failed.failure_reason = "failed", "The text <was> empty"
    failed.save(update_fields=["status", "failure_reason"])
    shelved = make_article(corpus, "Old news. Kept.", title="Shelved")
    article_archive_set(article=shelved, archived=True)
    pages = {}
    for who in (owner, annotator, viewer):
        client.force_login(who)
        pages[who.username] = client.get(f"/corpora/{corpus.slug}/").content.decode()
    row = _row(pages[owner.username], ready.pk)
    assert f'<a href="/articles/{ready.pk}/label/">&lt;b&gt;Bold&lt;/b&gt; &amp; brave</a>' in row
    assert f'href="/articles/{ready.pk}/read/" aria-label="Review labels: &lt;b&gt;' in row
    assert f'<a href="/articles/{ready.pk}/edit/" aria-label="Edit details: &lt;b&gt;' in row
    assert "archived" not in row
    assert "Ana Lobo · The Coast Gazette · 3 Feb 2021" in row
    assert '<td data-role="counts" data-label="My labels">0 / 2</td>' in row
    row = _row(pages[annotator.username], ready.pk)
    assert f'href="/articles/{ready.pk}/label/"' in row
    assert "Review labels" not in row and "Edit" not in row
    row = _row(pages[viewer.username], ready.pk)
    assert f'<a href="/articles/{ready.pk}/read/">&lt;b&gt;Bold' in row
    assert "/label/" not in row and "Edit" not in row
    row = _row(pages[owner.username], failed.pk)
    assert '<td data-label="Title">Untitled article</td>' in row
    assert 'data-role="reason">The text &lt;was&gt; empty</span>' in row
    assert 'data-role="status">Failed</span>' in row
    client.force_login(owner)
    row = _row(client.get(f"/corpora/{corpus.slug}/?archived=on").content.decode(), shelved.pk)
    assert 'Review labels</a> <span class="badge">archived</span>' in row
