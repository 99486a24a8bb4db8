"""Next article, assignment by hand, and finishing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from review.models import Assignment
from review.selectors.assignments import assignments_of
from review.services.assignment import (
    article_next_for,
    assignment_create,
    assignment_delete,
    assignments_mark_finished,
)
from tests.concurrency import side_by_side
from tests.review.conftest import label_sentences


def set_overlap(corpus, n):
    corpus.overlap = n
    corpus.save(update_fields=["overlap"])


def test_next_article_spreads_new_seats_over_the_least_covered_articles(
    corpus, articles, annotator, team
):
    set_overlap(corpus, 2)
    got = [article_next_for(corpus=corpus, user=u) for u in [annotator, *team]]
    assert [a.pk for a in got] == [a.pk for a in articles]


def test_next_article_gives_back_my_unfinished_article_before_a_new_one(
    corpus, articles, annotator
):
    first = article_next_for(corpus=corpus, user=annotator)
    assert article_next_for(corpus=corpus, user=annotator) == first
    assert Assignment.objects.filter(annotator=annotator).count() == 1


def test_next_article_never_assigns_more_than_the_overlap(corpus, articles, annotator, team):
    set_overlap(corpus, 2)
    people = [annotator, *team]
    for _round in range(3):
        for user in people:
            article = article_next_for(corpus=corpus, user=user)
            if article is not None:
                label_sentences(article, user, "claim")
    for article in articles:
        assert article.assignments.count() == 2
    # Everybody labeled two articles; then nothing is left for anybody.
    assert all(article_next_for(corpus=corpus, user=u) is None for u in people)


def test_next_article_never_offers_an_article_I_finished(corpus, articles, annotator):
    set_overlap(corpus, 3)
    label_sentences(articles[0], annotator, "claim")  # finished without an assignment
    seen = set()
    for _ in range(len(articles)):
        article = article_next_for(corpus=corpus, user=annotator)
        if article is None:
            break
        seen.add(article.pk)
        label_sentences(article, annotator, "speculation")
    assert articles[0].pk not in seen
    assert seen == {a.pk for a in articles[1:]}


def test_next_article_skips_the_one_I_am_leaving_unless_nothing_else_is_left(
    corpus, articles, annotator
):
    set_overlap(corpus, 1)
    first = article_next_for(corpus=corpus, user=annotator)
    second = article_next_for(corpus=corpus, user=annotator, after=first.pk)
    assert second is not None and second.pk != first.pk
    for article in articles:
        if article.pk != first.pk:
            Assignment.objects.get_or_create(article=article, annotator=annotator)
            label_sentences(article, annotator, "claim")
    assert article_next_for(corpus=corpus, user=annotator, after=first.pk) == first


def test_an_owner_assigns_and_unassigns_by_hand(corpus, articles, owner, annotator):
    set_overlap(corpus, 1)
    assignment, created = assignment_create(
        article=articles[2], annotator=annotator, assigned_by=owner
    )
    assert created and assignment.assigned_by == owner
    assert (
        assignment_create(article=articles[2], annotator=annotator, assigned_by=owner)[1] is False
    )
    assert article_next_for(corpus=corpus, user=annotator) == articles[2]
    assert assignment_delete(article=articles[2], annotator=annotator) is True
    assert not Assignment.objects.filter(article=articles[2], annotator=annotator).exists()


def test_assigning_to_someone_who_cannot_label_is_refused(
    corpus, articles, owner, viewer, outsider
):
    for person in (viewer, outsider):
        with pytest.raises(ValidationError, match="not an annotator"):
            assignment_create(article=articles[0], annotator=person, assigned_by=owner)


def test_my_list_shows_unfinished_then_finished_with_dates(corpus, articles, owner, annotator):
    for article in articles[:2]:
        assignment_create(article=article, annotator=annotator, assigned_by=owner)
    label_sentences(articles[0], annotator, "claim")
    assignments_mark_finished(corpus=corpus)
    rows = list(assignments_of(corpus=corpus, user=annotator))
    assert [(r.pk, r.finished) for r in rows] == [(articles[1].pk, False), (articles[0].pk, True)]
    assert rows[1].finished_at is not None and rows[0].finished_at is None
    assert rows[1].mine == rows[1].total > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_racing_annotators_never_overfill_an_article(corpus, make_article, make_user):
    """Eight annotators ask at the same moment; each article keeps at most ``overlap``."""
    from corpora.models import Role
    from corpora.services.corpora import membership_set
    from tests.review.conftest import TEXTS

    set_overlap(corpus, 2)
    targets = [make_article(corpus, text, title=f"A{i}") for i, text in enumerate(TEXTS[:2])]
    users = [make_user(f"racer{i}") for i in range(8)]
    for user in users:
        membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
    results = {}

    def claim(user):
        def call():
            article = article_next_for(corpus=corpus, user=user)
            results[user.pk] = article.pk if article else None

        return call

    errors = side_by_side(*[claim(u) for u in users])
    assert not errors
    for article in targets:
        assert Assignment.objects.filter(article=article).count() == 2
    got = [pk for pk in results.values() if pk is not None]
    assert sorted(got) == sorted([a.pk for a in targets] * 2)
