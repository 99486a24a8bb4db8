"""Workflow pages for every persona: owner, reviewer, annotator, viewer, outsider."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import GoldLabel
from review.models import AgreementReport, Assignment
from review.services.assignment import assignment_create
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label_sentences, labelable


@pytest.fixture
def disputed(corpus, article, annotator, reviewer):
    """The article labeled by two people who disagree on the first sentence."""
    label_sentences(article, annotator, ["claim", "claim", "claim"])
    label_sentences(article, reviewer, ["speculation", "claim", "claim"])
    return labelable(article)[0]


def get(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("reviewer", 200), ("viewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_the_dashboard_is_for_those_who_see_all_labels(client, request, corpus, persona, status):
    user = request.getfixturevalue(persona)
    assert get(client, user, "corpus_dashboard", slug=corpus.slug).status_code == status


def test_the_dashboard_shows_progress_charts_and_the_stored_agreement(
    client, owner, corpus, disputed
):
    corpus_workflow_refresh(corpus_id=corpus.pk)
    response = get(client, owner, "corpus_dashboard", slug=corpus.slug)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "Distribution of labels" in html
    assert "anna" in html and "rita" in html
    report = AgreementReport.objects.get(corpus=corpus)
    assert f"from {report.labels_seen} labels" in html
    assert "Krippendorff" in html and "Cohen" in html
    assert "<script>" not in html and 'style="' not in html


def test_the_dashboard_renders_before_any_agreement_is_computed(client, viewer, corpus, article):
    html = get(client, viewer, "corpus_dashboard", slug=corpus.slug).content.decode()
    assert "Not computed yet." in html


def test_agreement_state_reports_the_computation_time(client, reviewer, corpus, disputed):
    corpus_workflow_refresh(corpus_id=corpus.pk)
    state = get(client, reviewer, "agreement_state", slug=corpus.slug).json()
    assert state["computed_at"] and state["queued"] is False


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("reviewer", 200), ("viewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_an_articles_agreement_is_for_those_who_see_all_labels(
    client, request, corpus, article, persona, status
):
    user = request.getfixturevalue(persona)
    response = get(client, user, "article_agreement", slug=corpus.slug, article_id=article.pk)
    assert response.status_code == status


def test_an_articles_drill_down_shows_kappa_for_every_pair_on_it(
    client, owner, corpus, article, disputed, annotator, reviewer, make_article
):
    other = make_article(corpus, "One short line. Another short line.\n", title="Quiet piece")
    corpus_workflow_refresh(corpus_id=corpus.pk)
    stored = AgreementReport.objects.get(corpus=corpus).articles
    entry = next(a for a in stored if a["id"] == article.pk)
    # anna says claim three times; rita splits 1-2: kappa 0 (chance), agreement 2/3.
    assert entry["pairs"] == [
        {
            "a": min(annotator.pk, reviewer.pk),
            "b": max(annotator.pk, reviewer.pk),
            "kappa": 0.0,
            "agreement": 0.6667,
            "n": 3,
        }
    ]
    assert other.pk not in {a["id"] for a in stored}  # nobody labeled it
    html = get(
        client, owner, "article_agreement", slug=corpus.slug, article_id=article.pk
    ).content.decode()
    assert "Cohen" in html and "67%" in html
    pair = f"{min(annotator, reviewer, key=lambda u: u.pk).username} – "
    assert pair + max(annotator, reviewer, key=lambda u: u.pk).username in html
    dashboard = get(client, owner, "corpus_dashboard", slug=corpus.slug).content.decode()
    assert reverse("article_agreement", kwargs={"slug": corpus.slug, "article_id": article.pk}) in (
        dashboard
    )
    quiet = get(client, owner, "article_agreement", slug=corpus.slug, article_id=other.pk)
    assert "No two annotators have labeled" in quiet.content.decode()


def test_an_articles_agreement_before_any_computation_says_so(client, owner, corpus, article):
    html = get(
        client, owner, "article_agreement", slug=corpus.slug, article_id=article.pk
    ).content.decode()
    assert "has not been computed" in html


def test_an_article_of_another_corpus_has_no_agreement_page(client, owner, corpus, make_user):
    from corpora.services.corpora import corpus_create

    elsewhere = corpus_create(name="Elsewhere", owner=make_user("eve"))
    from articles.services.articles import article_create

    foreign = article_create(corpus=elsewhere, text="A sentence elsewhere.\n", title="Foreign")
    response = get(client, owner, "article_agreement", slug=corpus.slug, article_id=foreign.pk)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("reviewer", 200), ("viewer", 403), ("annotator", 403), ("outsider", 404)],
)
def test_the_adjudication_queue_is_for_reviewers(
    client, request, corpus, disputed, persona, status
):
    user = request.getfixturevalue(persona)
    response = get(client, user, "adjudication_queue", slug=corpus.slug)
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert disputed.text in html and "anna" in html and "Speculation" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 302), ("reviewer", 302), ("viewer", 403), ("annotator", 403), ("outsider", 404)],
)
def test_only_reviewers_decide_gold(client, request, corpus, disputed, persona, status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("adjudication_decide", kwargs={"slug": corpus.slug, "sentence_id": disputed.pk})
    response = client.post(url, {"label": "speculation", "note": "hedged"})
    assert response.status_code == status
    gold = GoldLabel.objects.filter(sentence=disputed).first()
    if status == 302:
        assert (gold.label.key, gold.origin, gold.decided_by, gold.note) == (
            "speculation",
            "adjudicated",
            user,
            "hedged",
        )
    else:
        assert gold is None


def test_a_decision_without_a_label_says_what_to_fix(client, reviewer, corpus, disputed):
    client.force_login(reviewer)
    url = reverse("adjudication_decide", kwargs={"slug": corpus.slug, "sentence_id": disputed.pk})
    response = client.post(url, {"label": "nonsense"}, follow=True)
    assert "Choose the gold label" in response.content.decode()
    assert not GoldLabel.objects.exists()


def test_a_sentence_of_another_corpus_is_not_found(
    client, reviewer, corpus, outsider, make_article
):
    from corpora.models import Corpus

    other = make_article(Corpus.objects.get(memberships__user=outsider))
    client.force_login(reviewer)
    url = reverse(
        "adjudication_decide",
        kwargs={"slug": corpus.slug, "sentence_id": labelable(other)[0].pk},
    )
    assert client.post(url, {"label": "claim"}).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 302), ("reviewer", 403), ("viewer", 403), ("annotator", 403), ("outsider", 404)],
)
def test_only_owners_assign_by_hand(client, request, corpus, article, annotator, persona, status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("assignment_add", kwargs={"slug": corpus.slug, "article_id": article.pk})
    assert client.post(url, {"annotator": annotator.pk}).status_code == status
    assert Assignment.objects.filter(article=article).exists() == (status == 302)


def test_an_owner_sees_assignments_and_takes_one_back(client, owner, corpus, article, annotator):
    assignment_create(article=article, annotator=annotator, assigned_by=owner)
    html = get(client, owner, "corpus_assignments", slug=corpus.slug).content.decode()
    assert "anna" in html and "Unassign" in html
    url = reverse(
        "assignment_remove",
        kwargs={"slug": corpus.slug, "article_id": article.pk, "user_id": annotator.pk},
    )
    assert client.post(url).status_code == 302
    assert not Assignment.objects.exists()


def test_assigning_a_viewer_is_refused_with_a_message(client, owner, corpus, article, viewer):
    client.force_login(owner)
    url = reverse("assignment_add", kwargs={"slug": corpus.slug, "article_id": article.pk})
    response = client.post(url, {"annotator": viewer.pk}, follow=True)
    assert "not an annotator" in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("annotator", 200), ("viewer", 403), ("outsider", 404)]
)
def test_my_articles_lists_assigned_and_finished(client, request, corpus, article, persona, status):
    user = request.getfixturevalue(persona)
    if status == 200:
        assignment_create(article=article, annotator=user, assigned_by=None)
    response = get(client, user, "my_assignments", slug=corpus.slug)
    assert response.status_code == status
    if status == 200:
        assert article.title in response.content.decode()


def test_an_owner_toggles_unanimous_gold(client, owner, annotator, corpus):
    client.force_login(owner)
    url = reverse("auto_gold_toggle", kwargs={"slug": corpus.slug})
    client.post(url, {"enabled": "on"})
    corpus.refresh_from_db()
    assert corpus.auto_gold_unanimous is True
    client.post(url, {})
    corpus.refresh_from_db()
    assert corpus.auto_gold_unanimous is False
    client.force_login(annotator)
    assert client.post(url, {"enabled": "on"}).status_code == 403


def test_the_dashboard_query_count_does_not_grow_with_the_corpus(
    client, owner, corpus, articles, annotator, team, django_assert_max_num_queries
):
    """Aggregates, not loops over rows: the same number of queries for 1 or 4 articles."""
    client.force_login(owner)
    url = reverse("corpus_dashboard", kwargs={"slug": corpus.slug})
    label_sentences(articles[0], annotator, "claim")
    corpus_workflow_refresh(corpus_id=corpus.pk)
    # 12 for the workflow, 4 for the suggestions section (settings, models, labels, count).
    with django_assert_max_num_queries(16) as small:
        client.get(url)
    for article in articles:
        for person in team:
            label_sentences(article, person, "speculation")
    corpus_workflow_refresh(corpus_id=corpus.pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
