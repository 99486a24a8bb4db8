"""Distribution: the overlap enforced, bulk assignment balanced by load, reassigning, queues."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from review.exceptions import OverlapFull
from review.models import Assignment
from review.services.assignment import (
    article_next_for,
    assignment_create,
    assignment_reassign,
    assignments_bulk_create,
    assignments_bulk_preview,
    assignments_of_member_reassign,
)
from tests.review.conftest import label_sentences


def set_overlap(corpus, n):
    corpus.overlap = n
    corpus.save(update_fields=["overlap"])


def test_a_third_annotator_on_an_overlap_2_article_is_refused_with_the_reason(
    corpus, articles, owner, annotator, team
):
    set_overlap(corpus, 2)
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    assignment_create(article=articles[0], annotator=team[0], assigned_by=owner)
    with pytest.raises(OverlapFull) as refused:
        assignment_create(article=articles[0], annotator=team[1], assigned_by=owner)
    assert "already has 2 annotators, the corpus's overlap (2)" in str(refused.value)
    assert articles[0].assignments.count() == 2
    # Idempotent for someone who already holds it, even when full.
    assert (
        assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)[1] is False
    )


def test_the_api_answers_409_with_the_overlap_message(client_for, corpus, article, owner, team):
    set_overlap(corpus, 1)
    api = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/assignments/"
    first = {"article": article.pk, "annotator": team[0].pk}
    assert api.post(url, first, format="json").status_code == 201
    response = api.post(url, {"article": article.pk, "annotator": team[1].pk}, format="json")
    assert response.status_code == 409
    assert (
        "already has 1 annotator, the corpus's overlap (1)" in response.json()["error"]["message"]
    )
    assert article.assignments.count() == 1


def test_bulk_assignment_balances_by_current_load_and_fills_each_article_to_n(
    corpus, articles, owner, annotator, team
):
    set_overlap(corpus, 2)
    people = [annotator, *team]  # annotator already has two unfinished articles
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    assignment_create(article=articles[1], annotator=annotator, assigned_by=owner)
    ids = [a.pk for a in articles]
    plan = assignments_bulk_create(
        corpus=corpus,
        article_ids=ids,
        per_article=2,
        annotator_ids=[p.pk for p in people],
        assigned_by=owner,
    )
    # 4 articles x 2 seats = 8, minus the 2 annotator already holds.
    assert len(plan.created) == 6 and plan.short == [] and plan.already_full == []
    for article in articles:
        assert article.assignments.count() == 2
    loads = {p.username: Assignment.objects.filter(annotator=p).count() for p in people}
    # The least loaded got the new seats: everyone ends with 2.
    assert sorted(loads.values()) == [2, 2, 2, 2], loads
    assert Assignment.objects.filter(assigned_by=owner).count() == 8


def test_bulk_preview_changes_nothing_and_says_what_would_happen(
    corpus, articles, owner, annotator, team
):
    set_overlap(corpus, 2)
    before = Assignment.objects.count()
    plan = assignments_bulk_preview(
        corpus=corpus,
        article_ids=[a.pk for a in articles],
        per_article=2,
        annotator_ids=[team[0].pk, team[1].pk],
    )
    assert Assignment.objects.count() == before
    assert len(plan.created) == 8
    assert plan.per_member == {team[0].pk: 4, team[1].pk: 4}


def test_bulk_assignment_never_goes_beyond_the_overlap(corpus, articles, owner, annotator, team):
    set_overlap(corpus, 2)
    with pytest.raises(ValidationError) as refused:
        assignments_bulk_create(
            corpus=corpus,
            article_ids=[articles[0].pk],
            per_article=3,
            annotator_ids=[p.pk for p in team],
            assigned_by=owner,
        )
    assert "more than the corpus's overlap (2)" in str(refused.value)
    assert Assignment.objects.count() == 0


def test_bulk_assignment_reports_articles_it_cannot_fill(corpus, articles, owner, annotator):
    set_overlap(corpus, 2)
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    plan = assignments_bulk_create(
        corpus=corpus,
        article_ids=[articles[0].pk],
        per_article=1,
        annotator_ids=[annotator.pk],
        assigned_by=owner,
    )
    assert plan.already_full == [articles[0].pk] and plan.created == []


def test_bulk_assignment_refuses_non_members_and_writes_nothing(
    corpus, articles, owner, annotator, outsider
):
    with pytest.raises(ValidationError) as refused:
        assignments_bulk_create(
            corpus=corpus,
            article_ids=[a.pk for a in articles],
            per_article=1,
            annotator_ids=[annotator.pk, outsider.pk],
            assigned_by=owner,
        )
    assert str(outsider.pk) in str(refused.value)
    assert Assignment.objects.count() == 0


def test_reassigning_keeps_the_labels_already_made(corpus, articles, owner, annotator, team):
    label_sentences(articles[0], annotator, ["claim", None, None])
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    moved = assignment_reassign(
        article=articles[0], annotator=annotator, to=team[0], assigned_by=owner
    )
    assert moved.annotator == team[0]
    assert not Assignment.objects.filter(annotator=annotator).exists()
    assert annotator.annotations.filter(sentence__article=articles[0]).count() == 1
    assert article_next_for(corpus=corpus, user=team[0]) == articles[0]


def test_reassigning_to_someone_who_holds_the_article_is_refused(
    corpus, articles, owner, annotator, team
):
    set_overlap(corpus, 2)
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    assignment_create(article=articles[0], annotator=team[0], assigned_by=owner)
    with pytest.raises(ValidationError):
        assignment_reassign(article=articles[0], annotator=annotator, to=team[0], assigned_by=owner)
    assert articles[0].assignments.count() == 2


def test_a_leaving_members_unfinished_queue_moves_to_another(
    corpus, articles, owner, annotator, team
):
    for article in articles[:3]:
        assignment_create(article=article, annotator=annotator, assigned_by=owner)
    label_sentences(articles[0], annotator, "claim")  # finished: stays with them
    article_next_for(corpus=corpus, user=annotator)  # dates the finished one
    moved = assignments_of_member_reassign(
        corpus=corpus, annotator=annotator, to=team[1], assigned_by=owner
    )
    assert moved == 2
    assert list(
        Assignment.objects.filter(annotator=annotator).values_list("article", flat=True)
    ) == [articles[0].pk]


def test_the_bulk_api_previews_then_assigns_by_filters(client_for, corpus, articles, owner, team):
    set_overlap(corpus, 2)
    api = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/assignments/bulk/"
    body = {
        "filters": {"search": "Article", "assigned_to": "none"},
        "per_article": 2,
        "annotators": [p.pk for p in team],
        "dry_run": True,
    }
    preview = api.post(url, body, format="json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["created"] == 8 and Assignment.objects.count() == 0
    made = api.post(url, {**body, "dry_run": False}, format="json")
    assert made.status_code == 201
    assert Assignment.objects.count() == 8
    members = {m["annotator"]: m["new"] for m in made.json()["members"]}
    assert sorted(members.values()) == [2, 3, 3]


def test_the_bulk_api_wants_articles_or_filters_and_checks_the_caller(
    client_for, corpus, articles, owner, annotator, outsider
):
    url = f"/api/corpora/{corpus.slug}/assignments/bulk/"
    both = {"articles": [articles[0].pk], "filters": {}, "per_article": 1, "annotators": [1]}
    assert client_for(owner).post(url, both, format="json").status_code == 400
    body = {"articles": [articles[0].pk], "per_article": 1, "annotators": [annotator.pk]}
    assert client_for(annotator).post(url, body, format="json").status_code == 403
    assert client_for(outsider).post(url, body, format="json").status_code == 404


def test_reassign_over_the_api(client_for, corpus, article, owner, annotator, team):
    assignment_create(article=article, annotator=annotator, assigned_by=owner)
    url = f"/api/corpora/{corpus.slug}/assignments/{article.pk}/{annotator.pk}/"
    assert (
        client_for(annotator).patch(url, {"annotator": team[0].pk}, format="json").status_code
        == 403
    )
    response = client_for(owner).patch(url, {"annotator": team[0].pk}, format="json")
    assert response.status_code == 200
    assert response.json()["annotator"] == team[0].pk
    missing = f"/api/corpora/{corpus.slug}/assignments/{article.pk}/{annotator.pk}/"
    assert (
        client_for(owner).patch(missing, {"annotator": team[1].pk}, format="json").status_code
        == 404
    )


def test_owners_read_each_members_queue_and_members_only_their_own(
    client_for, corpus, articles, owner, annotator, team
):
    assignment_create(article=articles[1], annotator=team[0], assigned_by=owner)
    url = f"/api/corpora/{corpus.slug}/assignments/?annotator={team[0].pk}"
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert [row["article"] for row in response.json()] == [articles[1].pk]
    assert client_for(annotator).get(url).status_code == 403
    queues = client_for(owner).get(f"/api/corpora/{corpus.slug}/queues/").json()
    assert {q["username"]: q["unfinished"] for q in queues}[team[0].username] == 1
    assert client_for(annotator).get(f"/api/corpora/{corpus.slug}/queues/").status_code == 403


def test_owners_set_the_overlap_over_the_api(client_for, corpus, owner, reviewer):
    url = f"/api/corpora/{corpus.slug}/workflow-settings/"
    assert client_for(reviewer).patch(url, {"overlap": 3}, format="json").status_code == 403
    assert client_for(owner).patch(url, {"overlap": 0}, format="json").status_code == 400
    response = client_for(owner).patch(url, {"overlap": 3}, format="json")
    assert response.status_code == 200 and response.json()["overlap"] == 3
    corpus.refresh_from_db()
    assert corpus.overlap == 3


def test_the_assignment_pages_for_owner_member_and_outsider(
    client, corpus, articles, owner, annotator, outsider, team
):
    assignment_create(article=articles[0], annotator=team[0], assigned_by=owner)
    pages = [
        f"/corpora/{corpus.slug}/assignments/",
        f"/corpora/{corpus.slug}/assignments/members/{team[0].pk}/",
    ]
    for user, status in ((owner, 200), (annotator, 403), (outsider, 404)):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == status, (user, url)
    client.force_login(owner)
    page = client.get(pages[1]).content.decode()
    assert articles[0].title in page and "labeled" in page
    assert page.count("<progress") == 1


def test_bulk_page_previews_then_assigns_the_selection(client, corpus, articles, owner, team):
    set_overlap(corpus, 2)
    client.force_login(owner)
    url = f"/corpora/{corpus.slug}/assignments/bulk/"
    body = {
        "scope": "selected",
        "articles": [articles[0].pk, articles[1].pk],
        "per_article": "2",
        "annotators": [team[0].pk, team[1].pk],
        "back": "",
    }
    preview = client.post(url, body)
    assert preview.status_code == 200 and Assignment.objects.count() == 0
    assert "4 new assignments" in preview.content.decode()
    done = client.post(url, {**body, "confirm": "1"}, follow=True)
    assert "Made 4 assignments over 2 articles" in done.content.decode()
    assert Assignment.objects.count() == 4


def test_overlap_refusal_on_the_page_is_a_message(client, corpus, article, owner, team):
    client.force_login(owner)
    url = f"/corpora/{corpus.slug}/assignments/{article.pk}/add/"
    client.post(url, {"annotator": team[0].pk})
    page = client.post(url, {"annotator": team[1].pk}, follow=True).content.decode()
    assert "already has 1 annotator, the corpus&#x27;s overlap (1)" in page
    assert article.assignments.count() == 1
