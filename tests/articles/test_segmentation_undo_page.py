"""Undoing a boundary change from the article's history page (POST, with CSRF): the
same service as POST /api/articles/{id}/segmentation/{edit_id}/undo/, and a refusal
shown with its message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Annotation, SegmentationEdit, Sentence
from articles.services.boundaries import sentence_kind_set, sentence_split

from .test_article_history_page import LONG, split  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _undo(client, user, article, edit):
    client.force_login(user)
    return client.post(reverse("segmentation_undo", kwargs={"pk": article.pk, "edit_id": edit.pk}))


def test_it_works(client, split, article, owner, annotator):  # noqa: F811
    response = _undo(client, owner, article, split)
    assert response.status_code == 302
    assert response["Location"] == reverse("article_history", kwargs={"pk": article.pk})
    split.refresh_from_db()
    assert split.undone_at is not None
    whole = article.sentences.get(text=LONG)
    mine = Annotation.objects.get(annotator=annotator, sentence=whole)
    assert mine.label.key == "claim" and not mine.needs_review
    page = client.get(response["Location"]).content.decode()
    assert "Boundary change undone" in page and "Undid an edit" in page


def test_it_checks_who_may_edit_boundaries(
    client,
    split,  # noqa: F811
    article,
    annotator,
    viewer,
    outsider,
    reviewer,
):
    assert _undo(client, outsider, article, split).status_code == 404
    for user in (annotator, viewer):
        response = _undo(client, user, article, split)
        assert response.status_code == 403, user
        assert "changing sentence boundaries needs the owner or reviewer role" in (
            response.content.decode()
        )
    split.refresh_from_db()
    assert split.undone_at is None
    assert _undo(client, reviewer, article, split).status_code == 302


def test_a_refused_undo_shows_its_message(client, split, article, owner):  # noqa: F811
    # The split's first part is marked a heading since: the split's sentences changed.
    part = article.sentences.get(text="Officials in Washington")
    sentence_kind_set(article_id=article.pk, sentence_id=part.pk, kind="heading", by=owner)
    sentences = list(Sentence.objects.filter(article=article).values_list("pk", "start", "kind"))
    response = _undo(client, owner, article, split)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="undo-refused"' in html and "have changed since; undo the later edits first" in html
    assert list(Sentence.objects.filter(article=article).values_list("pk", "start", "kind")) == (
        sentences
    )
    # Undone twice: the second says so.
    assert _undo(client, owner, article, SegmentationEdit.objects.latest("pk")).status_code == 302
    again = _undo(client, owner, article, SegmentationEdit.objects.get(kind="heading"))
    assert again.status_code == 409 and "undone already" in again.content.decode()


def test_a_change_that_cannot_be_undone_says_so(client, article, owner, split):  # noqa: F811
    undo = _undo(client, owner, article, split)
    assert undo.status_code == 302
    the_undo = SegmentationEdit.objects.get(kind="undo")
    response = _undo(client, owner, article, the_undo)
    assert response.status_code == 400
    assert "Only a split, a merge or a heading mark can be undone." in response.content.decode()
    elsewhere = sentence_split(
        article_id=article.pk,
        sentence_id=article.sentences.get(text=LONG).pk,
        at=10,
        by=owner,
    ).edit
    assert _undo(client, owner, article, elsewhere).status_code == 302
    missing = client.post(reverse("segmentation_undo", kwargs={"pk": article.pk, "edit_id": 10**9}))
    assert missing.status_code == 404


def test_it_needs_the_csrf_token_and_a_post(split, article, owner):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("segmentation_undo", kwargs={"pk": article.pk, "edit_id": split.pk})
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    split.refresh_from_db()
    assert split.undone_at is None
