"""Each article's count of holders after every write of assignments.

The article list's "assigned to nobody" reads ``Article.assignment_count``
(docs/architecture.md, "Derived counts"): every path that gives or takes an
article must leave it equal to the article's assignments, counted again, and
the list must follow.
"""

from __future__ import annotations

import importlib
import threading
import time

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from articles.models import Article
from review.models import Assignment
from review.services.assignment import (
    article_next_for,
    assignment_counts_rebuild,
    assignment_create,
    assignment_delete,
    assignment_reassign,
    assignments_of_member_reassign,
)
from tests.concurrency import other_connection, side_by_side
from tests.review.conftest import assert_holders_right, label_sentences

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def overlap_of_three(corpus):
    """Room for three annotators on each article (the default overlap is one)."""
    set_overlap(corpus, 3)


def nobody(client, corpus) -> list[int]:
    """Ids the list's "assigned to nobody" holds (and its count agrees)."""
    body = client.get(f"/api/corpora/{corpus.slug}/articles/?assigned_to=none").json()
    ids = [row["id"] for row in body["results"]]
    assert body["count"] == len(ids)
    return ids


def set_overlap(corpus, overlap: int) -> None:
    corpus.overlap = overlap
    corpus.save(update_fields=["overlap"])


def test_assigning_and_unassigning_through_the_api(client_for, corpus, articles, owner, team):
    api = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/assignments/"
    assert sorted(nobody(api, corpus)) == sorted(a.pk for a in articles)
    for person in team[:2]:
        created = api.post(url, {"article": articles[0].pk, "annotator": person.pk}, format="json")
        assert created.status_code == 201, created.content
        assert_holders_right(corpus)
    # The same again changes nothing; one past the overlap is refused.
    again = api.post(url, {"article": articles[0].pk, "annotator": team[0].pk}, format="json")
    assert again.status_code in (200, 201), again.content
    set_overlap(corpus, 2)
    full = api.post(url, {"article": articles[0].pk, "annotator": team[2].pk}, format="json")
    assert full.status_code == 409
    assert_holders_right(corpus)
    assert articles[0].pk not in nobody(api, corpus)

    detail = f"{url}{articles[0].pk}/{team[0].pk}/"
    assert api.delete(detail).status_code == 204
    assert api.delete(detail).status_code == 404
    assert_holders_right(corpus)
    assert articles[0].pk not in nobody(api, corpus)
    assert api.delete(f"{url}{articles[0].pk}/{team[1].pk}/").status_code == 204
    assert_holders_right(corpus)
    assert articles[0].pk in nobody(api, corpus)


def test_next_article_claims_count(client_for, corpus, articles, annotator, team):
    for person in [annotator, *team]:
        response = client_for(person).post(
            f"/api/corpora/{corpus.slug}/next-article/", {}, format="json"
        )
        assert response.status_code == 200, response.content
        assert_holders_right(corpus)
    # Asking again gives back the same unfinished article: no new seat.
    article_next_for(corpus=corpus, user=annotator)
    assert_holders_right(corpus)
    assert Article.objects.filter(corpus=corpus, assignment_count__gt=0).count() == 4


def test_bulk_assignment_over_the_api_counts_every_seat(
    client_for, corpus, articles, owner, annotator, team
):
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    response = client_for(owner).post(
        f"/api/corpora/{corpus.slug}/assignments/bulk/",
        {
            "articles": [a.pk for a in articles],
            "per_article": 2,
            "annotators": [annotator.pk, *[p.pk for p in team]],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2 * len(articles) - 1
    assert_holders_right(corpus)
    assert nobody(client_for(owner), corpus) == []
    # A dry run writes nothing.
    preview = client_for(owner).post(
        f"/api/corpora/{corpus.slug}/assignments/bulk/",
        {
            "articles": [a.pk for a in articles],
            "per_article": 3,
            "annotators": [annotator.pk, *[p.pk for p in team]],
            "dry_run": True,
        },
        format="json",
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["created"] == len(articles)
    assert_holders_right(corpus)


def test_reassigning_moves_a_seat_and_counts_nothing_new(corpus, articles, owner, annotator, team):
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    assignment_create(article=articles[1], annotator=annotator, assigned_by=owner)
    assignment_reassign(article=articles[0], annotator=annotator, to=team[0], assigned_by=owner)
    assert_holders_right(corpus)
    assignments_of_member_reassign(
        corpus=corpus, annotator=annotator, to=team[1], assigned_by=owner
    )
    assert_holders_right(corpus)
    assert assignment_delete(article=articles[1], annotator=team[1])
    assert not assignment_delete(article=articles[1], annotator=team[1])
    assert_holders_right(corpus)


def test_the_assignment_pages_keep_the_counts(client, corpus, articles, owner, annotator, team):
    client.force_login(owner)
    add = f"/corpora/{corpus.slug}/assignments/{articles[0].pk}/add/"
    response = client.post(add, {"annotator": annotator.pk})
    assert response.status_code == 302, response.content
    assert_holders_right(corpus)
    assert Article.objects.get(pk=articles[0].pk).assignment_count == 1
    remove = f"/corpora/{corpus.slug}/assignments/{articles[0].pk}/remove/{annotator.pk}/"
    assert client.post(remove).status_code == 302
    assert_holders_right(corpus)
    assert Article.objects.get(pk=articles[0].pk).assignment_count == 0


def test_a_deleted_user_s_seats_are_counted_off(corpus, articles, owner, team):
    for article in articles[:2]:
        assignment_create(article=article, annotator=team[0], assigned_by=owner)
        assignment_create(article=article, annotator=team[1], assigned_by=owner)
    get_user_model().objects.filter(pk=team[0].pk).delete()
    assert_holders_right(corpus)
    team[1].delete()
    assert_holders_right(corpus)
    assert Article.objects.filter(corpus=corpus, assignment_count__gt=0).count() == 0


def test_the_migration_and_the_rebuild_count_what_is_there(corpus, articles, owner, team):
    assignment_create(article=articles[0], annotator=team[0], assigned_by=owner)
    assignment_create(article=articles[0], annotator=team[1], assigned_by=owner)
    assignment_create(article=articles[2], annotator=team[1], assigned_by=owner)
    Article.objects.update(assignment_count=0)
    importlib.import_module("review.migrations.0004_assignment_counts_fill").assignment_counts_fill(
        apps, None
    )
    assert_holders_right(corpus)
    Article.objects.update(assignment_count=5)
    assignment_counts_rebuild(corpus_id=corpus.pk)
    assert_holders_right(corpus)


def test_an_assignment_s_labels_do_not_change_its_count(corpus, articles, owner, annotator):
    """Finishing an article dates the assignment; the article keeps its holder."""
    assignment_create(article=articles[0], annotator=annotator, assigned_by=owner)
    label_sentences(articles[0], annotator, "claim")
    article_next_for(corpus=corpus, user=annotator)  # marks the first finished
    assert_holders_right(corpus)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claims_and_takebacks_side_by_side_count_each_seat_once(
    corpus, make_article, make_user, owner
):
    """Annotators racing for seats while an owner takes one back: each seat given or
    taken is added to the count once, whatever commits first."""
    from corpora.models import Role
    from corpora.services.corpora import membership_set

    shelf = [make_article(corpus, f"Article {i} says a thing. It ends.") for i in range(3)]
    people = [make_user(f"racer{i}") for i in range(6)]
    for person in people:
        membership_set(corpus=corpus, user=person, role=Role.ANNOTATOR)
    assignment_create(article=shelf[0], annotator=people[0], assigned_by=owner)

    def claim(person):
        if person == people[0]:
            return lambda: assignment_delete(article=shelf[0], annotator=person)
        return lambda: article_next_for(corpus=corpus, user=person)

    errors = side_by_side(*[claim(p) for p in people])
    assert not errors, errors
    assert_holders_right(corpus)
    assert Assignment.objects.filter(article__corpus=corpus).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_waits_for_seats_other_claims_hold_for_a_moment(corpus, make_article, make_user):
    """Every open article's row held by another transaction past the skipping rounds
    (as on a busy server): the claim waits for one rather than answering "nothing left"."""
    from corpora.models import Role
    from corpora.services.corpora import membership_set

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    shelf = [make_article(corpus, f"Article {i} says a thing. It ends.") for i in range(2)]
    person = make_user("waiter")
    membership_set(corpus=corpus, user=person, role=Role.ANNOTATOR)
    holder = other_connection()
    holder.execute(
        "SELECT id FROM articles_article WHERE id = ANY(%s) FOR UPDATE",
        [[article.pk for article in shelf]],
    )
    # Past every skipping round's pauses (0.15 s in all), then the rows are free.
    release = threading.Timer(0.6, holder.commit)
    release.start()
    try:
        started = time.monotonic()
        claimed = article_next_for(corpus=corpus, user=person)
        waited = time.monotonic() - started
    finally:
        release.join()
        holder.close()
    assert claimed is not None
    assert claimed.pk in {article.pk for article in shelf}
    assert waited >= 0.5  # it did wait for the holder
    assert Assignment.objects.filter(article=claimed, annotator=person).exists()
    assert_holders_right(corpus)
