"""The article list's labeled counts after every write that changes labels or sentences.

"Labeled by me" reads ``ArticleLabelCount`` and ``Article.labelable_count``
(docs/architecture.md, "Derived counts"): each write path below must leave them
equal to a recount from the sentences and annotations, and the list must
follow.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from articles.models import Annotation, Article, ArticleLabelCount, SegmentationEdit, Sentence
from articles.segmenter import Segment
from articles.services.annotations import annotation_set
from articles.services.articles import article_resegment
from articles.services.label_counts import label_counts_rebuild
from articles.services.segmentation import Outcome, article_segment
from corpora.models import Label
from tests.concurrency import side_by_side
from tests.plugins.api import label_put

from .label_counts import assert_label_counts_right, label_counts_stored
from .test_boundaries import labelable
from .test_boundary_invariants import TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(corpus, make_article) -> Article:
    return make_article(corpus, TEXT, title="Budget Day")


def label_all(article: Article, user) -> None:
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    for sentence in labelable(article):
        annotation_set(sentence=sentence, annotator=user, label=claim)


def labeled_by_me(client, article: Article) -> bool:
    """Whether the list's "labeled by me" holds the article, for the client's user."""
    base = f"/api/corpora/{article.corpus.slug}/articles/"
    listed = [row["id"] for row in client.get(base + "?labeled_by_me=true").json()["results"]]
    unlisted = [row["id"] for row in client.get(base + "?labeled_by_me=false").json()["results"]]
    assert (article.pk in listed) != (article.pk in unlisted)
    return article.pk in listed


def edit(client, article: Article, **body) -> dict:
    response = client.post(f"/api/articles/{article.pk}/segmentation/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_first_segmentation_counts_the_labelable_sentences(budget):
    assert budget.labelable_count == 6  # "Budget Day" is a heading
    assert_label_counts_right([budget.pk])


def test_labels_set_changed_and_cleared_through_the_api(client_for, annotator, budget):
    mine = client_for(annotator)
    sentences = labelable(budget)
    for sentence in sentences:
        assert label_put(mine, sentence, 0).status_code in (200, 201)
        assert_label_counts_right([budget.pk])
    assert labeled_by_me(mine, budget)
    # A changed label is no new one; the same label again changes nothing.
    assert label_put(mine, sentences[0], 1, label="speculation").status_code == 200
    assert label_put(mine, sentences[0], 2, label="speculation").status_code == 200
    assert label_counts_stored([budget.pk])[1] == {(budget.pk, annotator.pk): 6}
    cleared = mine.delete(f"/api/sentences/{sentences[0].pk}/annotation/?version=2")
    assert cleared.status_code == 204, cleared.content
    assert_label_counts_right([budget.pk])
    assert not labeled_by_me(mine, budget)
    assert label_put(mine, sentences[0], 0).status_code in (200, 201)
    assert_label_counts_right([budget.pk])
    assert labeled_by_me(mine, budget)


def test_a_refused_label_write_counts_nothing(client_for, annotator, budget):
    mine = client_for(annotator)
    sentence = labelable(budget)[0]
    assert label_put(mine, sentence, 0).status_code in (200, 201)
    # Based on no label while one is stored: a conflict, nothing written.
    assert label_put(mine, sentence, 0, label="speculation").status_code == 409
    heading = budget.sentences.get(kind=Sentence.Kind.HEADING)
    assert label_put(mine, heading, 0).status_code == 400
    assert label_counts_stored([budget.pk])[1] == {(budget.pk, annotator.pk): 1}
    assert_label_counts_right([budget.pk])


def test_the_bulk_endpoint_counts_what_it_wrote_and_nothing_when_it_refuses(
    client_for, annotator, budget
):
    mine = client_for(annotator)
    sentences = labelable(budget)
    items = [{"sentence": s.pk, "label": "claim", "version": 0} for s in sentences[:-1]]
    response = mine.post("/api/annotations/bulk/", {"annotations": items}, format="json")
    assert response.status_code == 200, response.content
    assert_label_counts_right([budget.pk])
    assert not labeled_by_me(mine, budget)
    # One stale version: the whole batch is refused and rolled back, counts too.
    stale = [{"sentence": s.pk, "label": "speculation", "version": 0} for s in sentences]
    response = mine.post("/api/annotations/bulk/", {"annotations": stale}, format="json")
    assert response.status_code == 409, response.content
    assert label_counts_stored([budget.pk])[1] == {(budget.pk, annotator.pk): 5}
    last = [{"sentence": sentences[-1].pk, "label": "claim", "version": 0}]
    response = mine.post("/api/annotations/bulk/", {"annotations": last}, format="json")
    assert response.status_code == 200, response.content
    assert_label_counts_right([budget.pk])
    assert labeled_by_me(mine, budget)


def test_split_merge_heading_marks_and_undo_keep_the_counts(client_for, owner, annotator, budget):
    label_all(budget, annotator)
    label_all(budget, owner)
    mine, api = client_for(annotator), client_for(owner)
    council = next(s for s in labelable(budget) if "council approved" in s.text)
    at = council.text.index(" on Tuesday") + 1
    split = edit(api, budget, action="split", sentence=council.pk, at=at)
    assert_label_counts_right([budget.pk])
    budget.refresh_from_db()
    assert budget.labelable_count == 7
    # The parts carry the label (marked for a check): still every sentence labeled.
    assert labeled_by_me(mine, budget)

    first, second = sorted(s["id"] for s in split["sentences"])
    edit(api, budget, action="merge", sentence=first, next=second)
    assert_label_counts_right([budget.pk])

    mayor = next(s for s in labelable(budget) if "mayor" in s.text)
    marked = edit(api, budget, action="heading", sentence=mayor.pk)
    assert_label_counts_right([budget.pk])
    budget.refresh_from_db()
    assert budget.labelable_count == 5
    assert labeled_by_me(mine, budget)
    # A heading made a sentence again has no label: the article is no longer complete.
    edit(api, budget, action="sentence", sentence=mayor.pk)
    assert_label_counts_right([budget.pk])
    assert not labeled_by_me(mine, budget)
    edit(api, budget, action="heading", sentence=mayor.pk)
    assert labeled_by_me(mine, budget)

    # Undo of the first heading mark is refused (its sentence changed since); undo the
    # latest one: the mayor's sentence comes back without labels, nothing lost.
    latest = SegmentationEdit.objects.filter(article=budget).order_by("-pk").first()
    assert latest is not None and latest.pk != marked["edit"]["id"]
    response = api.post(f"/api/articles/{budget.pk}/segmentation/{latest.pk}/undo/")
    assert response.status_code == 200, response.content
    assert_label_counts_right([budget.pk])


def test_an_undone_heading_mark_puts_the_labels_and_their_counts_back(
    client_for, owner, annotator, budget
):
    label_all(budget, annotator)
    api, mine = client_for(owner), client_for(annotator)
    mayor = next(s for s in labelable(budget) if "mayor" in s.text)
    marked = edit(api, budget, action="heading", sentence=mayor.pk)
    edit_id = marked["edit"]["id"]
    response = api.post(f"/api/articles/{budget.pk}/segmentation/{edit_id}/undo/")
    assert response.status_code == 200, response.content
    assert_label_counts_right([budget.pk])
    assert label_counts_stored([budget.pk])[1] == {(budget.pk, annotator.pk): 6}
    assert labeled_by_me(mine, budget)


def test_a_text_correction_keeps_the_counts_right(client_for, owner, annotator, budget):
    label_all(budget, annotator)
    api, mine = client_for(owner), client_for(annotator)

    def correct(new_text: str) -> None:
        budget.refresh_from_db()
        response = api.put(
            f"/api/articles/{budget.pk}/text/",
            {"text": new_text, "based_on": budget.content_hash},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert_label_counts_right([budget.pk])
        budget.refresh_from_db()

    # A paragraph added: a new sentence without a label.
    correct(budget.text + "\nA new paragraph appears here.\n")
    assert budget.labelable_count == 7
    assert not labeled_by_me(mine, budget)
    new = budget.sentences.get(text="A new paragraph appears here.")
    assert label_put(mine, new, 0).status_code in (200, 201)
    assert labeled_by_me(mine, budget)
    # A labeled sentence deleted (its labels go to the nearest for review: the
    # owner's, who labeled nothing else, makes a new annotation there) and a typo
    # corrected in another.
    doomed = budget.sentences.get(text="It will probably be revised before spring.")
    claim = Label.objects.get(corpus=budget.corpus, key="claim")
    annotation_set(sentence=doomed, annotator=owner, label=claim)
    correct(
        budget.text.replace(" It will probably be revised before spring.", "").replace(
            "Residents", "Residents of the city"
        )
    )
    assert budget.labelable_count == 6
    assert labeled_by_me(mine, budget)
    assert label_counts_stored([budget.pk])[1][(budget.pk, owner.pk)] == 1
    assert Annotation.objects.get(annotator=owner).needs_review


def test_a_new_segmentation_keeps_the_counts_right(budget, annotator, monkeypatch):
    label_all(budget, annotator)
    from articles import segmenter

    real = segmenter.segment

    def coarser(text: str) -> list[Segment]:
        # The first paragraph's sentences as one, the heading a sentence.
        segments = [Segment(s.start, s.end, s.paragraph, s.kind) for s in real(text)]
        body = [s for s in segments if s.paragraph == 1]
        rest = [s for s in segments if s.paragraph > 1]
        head = Segment(segments[0].start, segments[0].end, 0, Sentence.Kind.SENTENCE)
        return [head, Segment(body[0].start, body[-1].end, 1, "sentence"), *rest]

    monkeypatch.setattr(segmenter, "segment", coarser)
    article_resegment(article=budget)
    assert article_segment(article_id=budget.pk, task_id="again") == Outcome.DONE
    budget.refresh_from_db()
    assert budget.labelable_count == 5
    assert_label_counts_right([budget.pk])


def test_the_migration_and_the_rebuild_count_what_is_there(corpus, owner, annotator, budget):
    label_all(budget, annotator)
    annotation_set(
        sentence=labelable(budget)[0],
        annotator=owner,
        label=Label.objects.get(corpus=corpus, key="claim"),
    )
    ArticleLabelCount.objects.all().delete()
    Article.objects.update(labelable_count=0)
    migration = importlib.import_module("articles.migrations.0011_label_counts")
    migration.counts_fill(apps, None)
    assert_label_counts_right([budget.pk])
    ArticleLabelCount.objects.update(labeled=1)
    Article.objects.update(labelable_count=3)
    label_counts_rebuild(corpus_id=corpus.pk)
    assert_label_counts_right([budget.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_label_writes_side_by_side_on_one_article_lose_no_count(
    client_for, annotator, corpus, make_article
):
    """Each write adds to the stored count: writes of one person on one article
    committing at the same time never overwrite each other's figure."""
    article = make_article(corpus, TEXT, title="Budget Day")
    sentences = labelable(article)
    for sentence in sentences[:3]:
        assert label_put(client_for(annotator), sentence, 0).status_code in (200, 201)

    def put(sentence: Sentence):
        return lambda: label_put(client_for(annotator), sentence, 0)

    def clear(sentence: Sentence):
        return lambda: client_for(annotator).delete(
            f"/api/sentences/{sentence.pk}/annotation/?version=1"
        )

    errors = side_by_side(*[put(s) for s in sentences[3:]], *[clear(s) for s in sentences[:3]])
    assert not errors, errors
    assert label_counts_stored([article.pk])[1] == {(article.pk, annotator.pk): 3}
    assert_label_counts_right([article.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_split_among_label_writes_keeps_the_counts_right(
    client_for, owner, annotator, corpus, make_article
):
    """A boundary change adds its own changes to the counts, as label writes do, after
    taking the article: label writes committing meanwhile are counted once."""
    article = make_article(corpus, TEXT, title="Budget Day")
    sentences = labelable(article)
    council = next(s for s in sentences if "council approved" in s.text)

    answers = []

    def put(sentence: Sentence):
        return lambda: answers.append(label_put(client_for(annotator), sentence, 0))

    def split():
        answers.append(
            client_for(owner).post(
                f"/api/articles/{article.pk}/segmentation/",
                {"action": "split", "sentence": council.pk, "at": 12},
                format="json",
            )
        )

    errors = side_by_side(*[put(s) for s in sentences], split)
    # A label write on the sentence being split can deadlock with the split (the
    # label's row holds the sentence, the split the article); PostgreSQL rolls one
    # back whole, and its request is answered 503 "send it again", never a 500. A
    # write that comes after the split may find its sentence changed (409). What
    # matters here is that nothing half-counted stays.
    assert not errors, errors
    assert len(answers) == len(sentences) + 1
    for answer in answers:
        assert answer.status_code in (200, 201, 409, 503), answer.content[:300]
        if answer.status_code >= 400:
            assert answer.json()["error"]["message"], answer.content[:300]
        if answer.status_code == 503:
            assert answer.json()["error"]["code"] == "write_collided"
    assert Annotation.objects.filter(sentence__article=article).exists()
    assert_label_counts_right([article.pk])
