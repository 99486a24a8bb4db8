"""Guideline versions that matter: recorded on every label and event, a notice of what changed
once per member and version, and labels made under an older version found for a re-check."""

from __future__ import annotations

import pytest

from articles.models import AnnotationEvent
from articles.services.annotations import annotation_clear, annotation_set
from corpora.guidelines import guidelines_diff
from corpora.models import Membership
from corpora.services.corpora import corpus_guidelines_update, membership_set
from corpora.services.guidelines import guidelines_notice_take

pytestmark = pytest.mark.django_db


def _sentences(article, n=2):
    return list(article.sentences.filter(kind="sentence").order_by("index")[:n])


def test_the_diff_marks_added_and_removed_lines_and_skips_far_ones():
    old = "\n".join(f"line {i}" for i in range(20))
    new = old.replace("line 10", "line ten") + "\nnew last line"
    lines = guidelines_diff(old, new, context=1)
    kinds = [(line.kind, line.text) for line in lines]
    assert ("removed", "line 10") in kinds and ("added", "line ten") in kinds
    assert ("added", "new last line") in kinds
    assert ("same", "line 0") not in kinds and ("gap", "…") in kinds


def test_labels_and_events_record_the_version_in_force_by_api_and_service(
    client_for, corpus, annotator, article
):
    first, second = _sentences(article)
    client = client_for(annotator, token=True)
    response = client.put(
        f"/api/sentences/{first.pk}/annotation/", {"label": "claim", "version": 0}, format="json"
    )
    assert response.status_code == 201 and response.json()["guideline_version"] == 1
    corpus_guidelines_update(corpus=corpus, guidelines="Version two")
    response = client.put(
        f"/api/sentences/{first.pk}/annotation/",
        {"label": "speculation", "version": 1},
        format="json",
    )
    assert response.json()["guideline_version"] == 2
    corpus.refresh_from_db()
    second.article.corpus = corpus
    annotation_set(sentence=second, annotator=annotator, label=corpus.labels.get(key="claim"))
    annotation_clear(sentence=second, annotator=annotator)
    events = AnnotationEvent.objects.order_by("pk").values_list(
        "sentence_id", "action", "guideline_version"
    )
    assert list(events) == [
        (first.pk, "create", 1),
        (first.pk, "update", 2),
        (second.pk, "create", 2),
        (second.pk, "clear", 2),
    ]


def test_the_notice_shows_once_per_member_and_version(corpus, annotator):
    assert guidelines_notice_take(corpus=corpus, user=annotator) is None  # nothing changed
    corpus_guidelines_update(corpus=corpus, guidelines="# Rules\n\nA claim needs a verb.")
    notice = guidelines_notice_take(corpus=corpus, user=annotator)
    assert notice is not None and (notice.old_version, notice.new_version) == (1, 2)
    assert ("added", "A claim needs a verb.") in [(d.kind, d.text) for d in notice.diff]
    assert guidelines_notice_take(corpus=corpus, user=annotator) is None  # seen
    assert Membership.objects.get(corpus=corpus, user=annotator).guidelines_seen_version == 2


def test_a_member_who_joins_after_a_change_gets_no_notice(corpus, outsider):
    corpus_guidelines_update(corpus=corpus, guidelines="Version two")
    membership_set(corpus=corpus, user=outsider, role="annotator")
    assert guidelines_notice_take(corpus=corpus, user=outsider) is None


def test_the_labeling_screen_shows_the_diff_escaped_and_links_the_recheck(
    client, corpus, annotator, article
):
    first = _sentences(article, 1)[0]
    claim = corpus.labels.get(key="claim")
    annotation_set(sentence=first, annotator=annotator, label=claim)
    corpus_guidelines_update(corpus=corpus, guidelines="<script>alert(1)</script>\nBe fair.")
    client.force_login(annotator)
    page = client.get(f"/articles/{article.pk}/label/").content.decode()
    assert "The guidelines changed: version 1 → 2" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "1 of your labels here was made under an older version" in page
    assert f'href="/corpora/{corpus.slug}/recheck/"' in page
    again = client.get(f"/articles/{article.pk}/label/").content.decode()
    assert "The guidelines changed" not in again


def test_the_recheck_page_lists_my_older_labels_with_links_to_them(
    client, corpus, annotator, reviewer, article
):
    first, second = _sentences(article)
    claim = corpus.labels.get(key="claim")
    annotation_set(sentence=first, annotator=annotator, label=claim)
    annotation_set(sentence=first, annotator=reviewer, label=claim)
    corpus_guidelines_update(corpus=corpus, guidelines="Version two")
    corpus.refresh_from_db()
    second.article.corpus = corpus
    annotation_set(sentence=second, annotator=annotator, label=claim)  # under version 2
    client.force_login(annotator)
    page = client.get(f"/corpora/{corpus.slug}/recheck/").content.decode()
    assert f"/articles/{article.pk}/label/?at={first.index}" in page
    assert f"?at={second.index}" not in page
    assert "1 of your labels was made under an older version" in page
    labeling = client.get(f"/articles/{article.pk}/label/?at={second.index}")
    assert labeling.status_code == 200


def test_the_recheck_page_is_for_labelers_only(client, corpus, viewer, outsider):
    client.force_login(viewer)
    assert client.get(f"/corpora/{corpus.slug}/recheck/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/corpora/{corpus.slug}/recheck/").status_code == 404


def test_the_dataset_listing_filters_labels_under_older_guidelines(
    client_for, corpus, annotator, article
):
    first, second = _sentences(article)
    claim = corpus.labels.get(key="claim")
    annotation_set(sentence=first, annotator=annotator, label=claim)
    corpus_guidelines_update(corpus=corpus, guidelines="Version two")
    corpus.refresh_from_db()
    second.article.corpus = corpus
    annotation_set(sentence=second, annotator=annotator, label=claim)
    client = client_for(annotator)
    older = client.get("/api/datasets/sentences/", {"older_guidelines": "true"}).json()
    assert [row["sentence"]["id"] for row in older["results"]] == [first.pk]
    everything = client.get("/api/datasets/sentences/").json()
    assert {first.pk, second.pk} <= {row["sentence"]["id"] for row in everything["results"]}
