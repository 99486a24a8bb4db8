"""The article's history page, and boundary changes on the corpus history (issue #12):
every split, merge, heading mark, new segmentation and undo with who, when (in the
reader's time zone), the sentences before and after, what became of the labels, the
hand-made edits a new segmentation could not keep and why, and whether it was undone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from articles.models import AnnotationEvent, SegmentationEdit, Sentence
from articles.services.annotations import annotation_set
from articles.services.boundaries import segmentation_edit_undo, sentence_kind_set, sentence_split
from corpora.models import Label

from .test_boundaries import TEXT, containing
from .test_resegment_hand_edits import coarser, resegment

pytestmark = pytest.mark.django_db

LONG = "Officials in Washington confirmed the meetings on Friday, according to Reuters."


def _get(client, user, name, query="", **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs) + query)


def _entries(html: str) -> list[str]:
    listing = html.split('<ol class="history-list"', 1)[1].split("</ol>", 1)[0]
    return listing.split('<li class="history-entry')[1:]


@pytest.fixture
def split(article, owner, annotator, corpus):
    """The annotator's claim on the long sentence, then the owner's split of it."""
    target = article.sentences.get(text=LONG)
    annotation_set(
        sentence=target, annotator=annotator, label=Label.objects.get(corpus=corpus, key="claim")
    )
    outcome = sentence_split(
        article_id=article.pk, sentence_id=target.pk, at=len("Officials in Washington "), by=owner
    )
    return outcome.edit


def test_the_article_history_shows_a_split_with_who_what_and_the_labels(
    client, split, article, owner
):
    html = _get(client, owner, "article_history", pk=article.pk).content.decode()
    boundary = [e for e in _entries(html) if e.startswith(' history-boundary"')]
    assert len(boundary) == 1
    entry = boundary[0]
    assert "Split a sentence" in entry and "<strong>olivia</strong>" in entry
    # The sentence before, and the two parts after.
    before, after = entry.split("Before", 1)[1].split("After", 1)
    assert LONG in before
    assert "<li>Officials in Washington</li>" in after
    assert "confirmed the meetings on Friday, according to Reuters.</li>" in after
    assert (split.labels_carried, split.labels_for_review) == (2, 2)
    assert "Labels: 2 carried, 2 for review, 0 retired." in entry
    assert "Undone" not in entry
    # The label changes of the article are there too (the claim, and its carry to the parts).
    assert len(_entries(html)) == 1 + AnnotationEvent.objects.filter(article=article).count()
    assert all(e.count('class="history-head"') == 1 for e in _entries(html))
    carried = [e for e in _entries(html) if "Carried here by a boundary change" in e]
    assert len(carried) == 2 and all("<strong>anna</strong>" in e for e in carried)


def test_who_sees_the_article_history(
    client, split, article, annotator, reviewer, viewer, outsider
):
    """Every member sees the boundary changes (as in the API); outsiders get a 404."""
    for user in (annotator, reviewer, viewer):
        response = _get(client, user, "article_history", pk=article.pk)
        assert response.status_code == 200, user
        assert "Split a sentence" in response.content.decode()
    assert _get(client, outsider, "article_history", pk=article.pk).status_code == 404
    client.logout()
    anonymous = client.get(reverse("article_history", kwargs={"pk": article.pk}))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_an_annotator_sees_everyones_boundary_changes_but_only_their_own_labels(
    client, split, article, annotator, reviewer, corpus
):
    other = article.sentences.filter(kind=Sentence.Kind.SENTENCE).exclude(
        text__contains="Washington"
    )
    annotation_set(
        sentence=other.first(),
        annotator=reviewer,
        label=Label.objects.get(corpus=corpus, key="speculation"),
    )
    html = _get(client, annotator, "article_history", pk=article.pk).content.decode()
    mine = AnnotationEvent.objects.filter(article=article, annotator=annotator).count()
    assert len(_entries(html)) == 1 + mine
    assert "rita" not in "".join(_entries(html))
    assert 'id="id_annotator"' not in html  # no filter by person for who sees only themselves


def test_the_undo_control_is_on_the_newest_standing_change_for_who_may_edit_boundaries(
    client, split, article, owner, reviewer, annotator, viewer, corpus
):
    second = article.sentences.get(text__startswith="Critics say")
    mark = sentence_kind_set(
        article_id=article.pk, sentence_id=second.pk, kind="heading", by=reviewer
    ).edit
    undo_url = reverse("segmentation_undo", kwargs={"pk": article.pk, "edit_id": mark.pk})
    for user in (owner, reviewer):
        html = _get(client, user, "article_history", pk=article.pk).content.decode()
        assert html.count('class="history-undo"') == 1 and f'action="{undo_url}"' in html
    for user in (annotator, viewer):
        html = _get(client, user, "article_history", pk=article.pk).content.decode()
        assert 'class="history-undo"' not in html
    # An owner may let annotators change boundaries: then they get the control too.
    corpus.annotators_edit_segmentation = True
    corpus.save(update_fields=["annotators_edit_segmentation"])
    html = _get(client, annotator, "article_history", pk=article.pk).content.decode()
    assert f'action="{undo_url}"' in html
    # Once the mark is undone, the control moves to the split, and the mark says when.
    segmentation_edit_undo(article_id=article.pk, edit_id=mark.pk, by=owner)
    html = _get(client, owner, "article_history", pk=article.pk).content.decode()
    split_url = reverse("segmentation_undo", kwargs={"pk": article.pk, "edit_id": split.pk})
    assert html.count('class="history-undo"') == 1 and f'action="{split_url}"' in html
    [undone] = [e for e in _entries(html) if "Marked a heading" in e]
    assert "Undone <time" in undone
    assert any("Undid an edit" in e for e in _entries(html))


def test_times_are_in_the_readers_time_zone(client, split, article, owner):
    split.refresh_from_db()
    client.cookies["tz"] = "Asia/Kolkata"  # UTC+05:30, no daylight saving
    html = _get(client, owner, "article_history", pk=article.pk).content.decode()
    local = split.at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M:%S}</time>' in html
    assert "Times are in Asia/Kolkata" in html
    client.cookies["tz"] = "UTC"
    html = _get(client, owner, "article_history", pk=article.pk).content.decode()
    assert f"{split.at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}</time>" in html


def test_a_new_segmentation_names_the_hand_edits_kept_and_those_that_no_longer_fit(
    client, corpus, make_article, owner, monkeypatch
):
    budget = make_article(corpus, TEXT, title="Budget Day")
    mayor = containing(budget, "The mayor called it a disgrace.")
    sentence_kind_set(article_id=budget.pk, sentence_id=mayor.pk, kind="heading", by=owner)
    resegment(budget, monkeypatch, coarser)
    html = _get(client, owner, "article_history", pk=budget.pk).content.decode()
    [entry] = [e for e in _entries(html) if "Segmented again" in e]
    assert "by <strong>the system</strong>" in entry
    assert "Hand-made edits: 0 kept, 1 no longer fit:" in entry
    assert "heading by olivia" in entry and "The mayor called it a disgrace." in entry
    assert "no segment with the marked one" in entry


def test_the_corpus_history_lists_boundary_changes_as_a_kind_to_filter_on(
    client, split, article, owner, reviewer, corpus
):
    all_html = _get(client, owner, "corpus_history", slug=corpus.slug).content.decode()
    labels = AnnotationEvent.objects.filter(article__corpus=corpus).count()
    assert len(_entries(all_html)) == labels + 1
    html = _get(
        client, owner, "corpus_history", query="?action=boundary", slug=corpus.slug
    ).content.decode()
    [entry] = _entries(html)
    assert "Split a sentence" in entry and "olivia" in entry
    assert reverse("article_history", kwargs={"pk": article.pk}) in entry
    assert 'class="history-undo"' not in entry  # undone from the article's page
    # By person: the owner made the split; the annotator none.
    assert len(_entries(_get(
        client, owner, "corpus_history", query="?action=boundary&annotator=olivia", slug=corpus.slug
    ).content.decode())) == 1  # fmt: skip
    assert _entries(_get(
        client, owner, "corpus_history", query="?action=boundary&annotator=anna", slug=corpus.slug
    ).content.decode()) == []  # fmt: skip
    assert '<option value="olivia"' in all_html
    # Label kinds leave boundary changes out; dates apply to them.
    create = _get(client, owner, "corpus_history", query="?action=create", slug=corpus.slug)
    assert not any("history-boundary" in e[:30] for e in _entries(create.content.decode()))
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    later = _get(
        client,
        owner,
        "corpus_history",
        query=f"?action=boundary&since={tomorrow}",
        slug=corpus.slug,
    )
    assert _entries(later.content.decode()) == []
    assert _get(client, reviewer, "corpus_history", slug=corpus.slug).status_code == 403
    assert 'value="boundary"' in all_html
    # A sentence's page has no boundary changes to filter on.
    sentence = article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()
    page = _get(client, owner, "sentence_history", pk=sentence.pk).content.decode()
    assert 'value="boundary"' not in page and 'value="decide"' in page


def test_the_article_history_pages_fifty_at_a_time_with_one_query_for_the_edits(
    client, article, owner, django_assert_max_num_queries
):
    target = article.sentences.get(text=LONG)
    for _ in range(30):  # 60 edits: a split and its undo, thirty times
        edit = sentence_split(article_id=article.pk, sentence_id=target.pk, at=10, by=owner).edit
        target = segmentation_edit_undo(article_id=article.pk, edit_id=edit.pk, by=owner)
        target = article.sentences.get(text=LONG)
    assert SegmentationEdit.objects.filter(article=article).count() == 60
    client.force_login(owner)
    url = reverse("article_history", kwargs={"pk": article.pk})
    with django_assert_max_num_queries(12):
        first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert len(_entries(first)) == 50 and len(_entries(second)) == 10
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("Undone <time") == 25 and first.count("Undid an edit") == 25
