"""An owner corrects an article's text from its page: a preview that writes nothing, the
correction through the same service as ``PUT /api/articles/{id}/text/``, a report of what
became of the labels, and form errors (never a 500) for a text it cannot take.

docs/architecture.md, invariant 3: labels follow the text; none is lost.
"""

from __future__ import annotations

import pytest

from articles.models import Annotation, AnnotationEvent, Article, ReviewReason, SegmentationEdit
from articles.services.annotations import annotation_set
from articles.services.text_correction import article_text_correction
from corpora.models import Label

from .test_boundaries import TEXT, containing
from .test_segmentation_service import assert_invariant_1

pytestmark = pytest.mark.django_db

TYPO = TEXT.replace("The council approved", "The counsil approved")
REWRITE = ("The mayor called it a disgrace.", "Nobody at the town hall praised the plan at all.")


@pytest.fixture
def budget(corpus, make_article) -> Article:
    return make_article(corpus, TYPO, title="Budget Day")


@pytest.fixture
def labeled(budget, corpus, annotator):
    """The annotator's labels on the sentence with the typo and on the mayor's sentence."""
    claim = Label.objects.get(corpus=corpus, key="claim")
    fact = Label.objects.get(corpus=corpus, key="sourced_fact")
    annotation_set(sentence=containing(budget, "counsil"), annotator=annotator, label=fact)
    annotation_set(sentence=containing(budget, "mayor called"), annotator=annotator, label=claim)
    return budget


def _url(article: Article) -> str:
    return f"/articles/{article.pk}/text/"


def _post(client, article: Article, text: str, *, preview: bool = False, based_on=None):
    data = {"text": text, "based_on": based_on or article.content_hash}
    if preview:
        data["preview"] = "1"
    return client.post(_url(article), data)


def test_the_page_is_for_owners_as_the_api_is(
    client, budget, owner, reviewer, annotator, viewer, outsider
):
    client.force_login(outsider)
    assert client.get(_url(budget)).status_code == 404
    for member in (annotator, reviewer, viewer):
        client.force_login(member)
        assert client.get(_url(budget)).status_code == 403
        assert _post(client, budget, TEXT).status_code == 403
    client.force_login(owner)
    page = client.get(_url(budget))
    assert page.status_code == 200
    assert page.context["form"]["text"].value() == TYPO
    # Reached from the labeling screen and from the article's details page.
    for where in (f"/articles/{budget.pk}/label/", f"/articles/{budget.pk}/edit/"):
        assert _url(budget).encode() in client.get(where).content
    client.force_login(annotator)
    assert _url(budget).encode() not in client.get(f"/articles/{budget.pk}/label/").content
    budget.refresh_from_db()
    assert budget.text == TYPO


def test_an_owner_corrects_a_typo_and_the_labels_stay(client, labeled, owner, annotator):
    client.force_login(owner)
    response = _post(client, labeled, TEXT)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Saved the corrected text" in page.content.decode()
    assert "2 labels kept as they were." in page.content.decode()
    labeled.refresh_from_db()
    assert labeled.text == TEXT
    assert_invariant_1(labeled)
    fixed = Annotation.objects.get(sentence=containing(labeled, "council approved"))
    assert fixed.label.key == "sourced_fact" and not fixed.needs_review
    assert SegmentationEdit.objects.get(article=labeled).kind == SegmentationEdit.Kind.TEXT


def test_a_rewritten_sentence_s_label_is_reported_for_review_with_its_old_text(
    client, labeled, owner, annotator
):
    client.force_login(owner)
    response = _post(client, labeled, TYPO.replace(*REWRITE))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1 label kept as it was;" in page
    assert "1 kept and marked “needs review”" in page
    # The page lists it under the last correction: whose, and on what text it was made.
    assert f"{annotator.username}: Claim" in page
    assert "Was on: “The mayor called it a disgrace.”" in page
    moved = Annotation.objects.get(sentence=containing(labeled, "town hall"))
    assert moved.needs_review and moved.review_reason == ReviewReason.TEXT
    assert moved.review_from[0]["text"] == REWRITE[0]


def test_a_preview_says_what_would_change_and_writes_nothing(client, labeled, owner, annotator):
    events = AnnotationEvent.objects.count()
    client.force_login(owner)
    response = _post(client, labeled, TYPO.replace(*REWRITE), preview=True)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.labels_before, preview.labels_kept, preview.labels_for_review) == (2, 1, 1)
    assert [(c.before, c.after) for c in preview.changes] == [([REWRITE[0]], [REWRITE[1]])]
    assert [(c.who, c.label, c.was_on) for c in preview.to_check] == [
        (annotator.username, "Claim", [REWRITE[0]])
    ]
    content = response.content.decode()
    assert "Preview (not saved yet)" in content and REWRITE[1] in content
    # The text typed stays in the form, ready to save.
    assert response.context["form"]["text"].value() == TYPO.replace(*REWRITE)
    labeled.refresh_from_db()
    assert labeled.text == TYPO
    assert not SegmentationEdit.objects.exists()
    assert AnnotationEvent.objects.count() == events
    assert not Annotation.objects.filter(needs_review=True).exists()


def test_a_preview_matches_the_correction(labeled, owner):
    new_text = TYPO.replace(*REWRITE).replace("counsil", "council")
    preview = article_text_correction(
        article_id=labeled.pk, text=new_text, based_on=labeled.content_hash, by=owner, preview=True
    )
    done = article_text_correction(
        article_id=labeled.pk, text=new_text, based_on=labeled.content_hash, by=owner
    )
    assert (preview.labels_kept, preview.labels_for_review, preview.to_check) == (
        done.labels_kept,
        done.labels_for_review,
        done.to_check,
    )
    assert done.changes == [] and len(preview.changes) == 2


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("", "text", "The text is empty"),
        ("  \n\n  ", "text", "The text is empty"),
        (TYPO, "text", "there is nothing to change"),
        (TYPO.replace("\n", "\r\n"), "text", "there is nothing to change"),
        ("Bad \x01 byte.", "text", "control character"),
        ("x" * 1001, "text", "the limit is 1,000"),
    ],
)
def test_a_text_it_cannot_take_is_a_form_error(
    client, labeled, owner, settings, text, field, message
):
    settings.MAX_ARTICLE_CHARS = 1000
    client.force_login(owner)
    response = _post(client, labeled, text)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message in response.content.decode()
    labeled.refresh_from_db()
    assert labeled.text == TYPO
    assert not SegmentationEdit.objects.exists()


def test_an_article_being_segmented_or_changed_meanwhile_is_a_conflict_keeping_the_text(
    client, labeled, owner
):
    client.force_login(owner)
    stale = _post(client, labeled, TEXT + "More.", based_on="0" * 64)
    assert stale.status_code == 409
    assert "changed since you loaded it" in stale.content.decode()
    assert stale.context["form"]["text"].value() == TEXT + "More."
    Article.objects.filter(pk=labeled.pk).update(status=Article.Status.SEGMENTING)
    busy = _post(client, labeled, TEXT)
    assert busy.status_code == 409
    assert "once it is ready" in busy.content.decode()
    assert (
        "its text can be corrected once it is ready" in client.get(_url(labeled)).content.decode()
    )
    labeled.refresh_from_db()
    assert labeled.text == TYPO


def test_a_damaged_form_is_a_form_error(client, labeled, owner):
    client.force_login(owner)
    response = client.post(_url(labeled), {"text": TEXT, "based_on": "nope"})
    assert response.status_code == 400
    assert "reload the page" in response.content.decode()


def test_a_preview_queues_no_background_work(labeled, owner, django_capture_on_commit_callbacks):
    """The correction asks for the corpus's refresh after commit; its preview, rolled back,
    leaves no such request behind."""
    new_text = TYPO.replace(*REWRITE)
    with django_capture_on_commit_callbacks() as previewed:
        article_text_correction(
            article_id=labeled.pk, text=new_text, based_on=labeled.content_hash, by=owner,
            preview=True,
        )  # fmt: skip
    assert previewed == []
    with django_capture_on_commit_callbacks() as saved:
        article_text_correction(
            article_id=labeled.pk, text=new_text, based_on=labeled.content_hash, by=owner
        )
    assert saved


def test_a_preview_of_an_added_paragraph_lists_its_sentences_as_new(labeled, owner):
    added = "The tram line opens in May. Nobody expects delays."
    new_text = TYPO.replace("Budget Day\n\n", f"Budget Day\n\n{added}\n\n")
    preview = article_text_correction(
        article_id=labeled.pk, text=new_text, based_on=labeled.content_hash, by=owner, preview=True
    )
    assert preview.changed and preview.labels_for_review == 0 and preview.labels_kept == 2
    assert [(c.before, c.after) for c in preview.changes] == [
        ([], ["The tram line opens in May."]),
        ([], ["Nobody expects delays."]),
    ]
    assert preview.to_check == []


def test_a_typo_fixed_with_another_change_keeps_its_label_without_a_check(
    labeled, owner, annotator
):
    """One correction changing the headline, fixing a typo and rewriting a sentence: the
    typo's word lies between two other changes (diffed word by word), yet only the
    rewritten sentence's label asks for a check."""
    new_text = TYPO.replace("Budget Day", "Budget Day 2026").replace("counsil", "council")
    new_text = new_text.replace(*REWRITE)
    done = article_text_correction(
        article_id=labeled.pk, text=new_text, based_on=labeled.content_hash, by=owner
    )
    assert (done.labels_kept, done.labels_for_review) == (1, 1)
    labeled.refresh_from_db()
    fixed = Annotation.objects.get(sentence=containing(labeled, "council approved"))
    assert fixed.label.key == "sourced_fact" and not fixed.needs_review
    assert [c.was_on for c in done.to_check] == [[REWRITE[0]]]
