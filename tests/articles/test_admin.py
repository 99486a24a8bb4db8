"""The Django admin of articles: sentences read-only, re-segmentation, annotations with history."""

from django.urls import reverse

from articles.models import Annotation, Article, Sentence
from articles.services.annotations import annotation_set


def test_the_article_page_lists_its_sentences_read_only(staff_client, article):
    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    first = article.sentences.get(index=1)
    assert first.text.encode() in response.content


def test_articles_filter_by_status(staff_client, article):
    url = reverse("admin:articles_article_changelist")
    assert article.title.encode() in staff_client.get(url, {"status__exact": "ready"}).content
    assert article.title.encode() not in staff_client.get(url, {"status__exact": "failed"}).content


def test_the_resegment_action_queues_the_article(
    staff_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "resegment", "_selected_action": [article.pk]},
            follow=True,
        )
    assert b"Queued 1 article" in response.content
    assert len(callbacks) == 1
    article.refresh_from_db()
    assert article.status == Article.Status.PENDING


def test_the_resegment_action_queues_a_labeled_article_whose_labels_will_follow(
    staff_client, article, annotator
):
    """Nothing is refused for having labels: the segmentation carries them."""
    sentence = article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()
    annotation_set(
        sentence=sentence, annotator=annotator, label=article.corpus.labels.get(key="claim")
    )
    response = staff_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "resegment", "_selected_action": [article.pk]},
        follow=True,
    )
    assert b"Queued 1 article" in response.content
    article.refresh_from_db()
    assert article.status == Article.Status.PENDING


def test_an_annotation_shows_its_history(staff_client, article, annotator):
    sentence = article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()
    labels = {label.key: label for label in article.corpus.labels.all()}
    annotation_set(sentence=sentence, annotator=annotator, label=labels["claim"])
    result = annotation_set(sentence=sentence, annotator=annotator, label=labels["speculation"])
    response = staff_client.get(
        reverse("admin:articles_annotation_change", args=[result.annotation.pk])
    )
    assert response.status_code == 200
    assert b"claim" in response.content and b"speculation" in response.content


def test_an_annotation_cannot_be_deleted_from_the_admin(staff_client, article, annotator):
    """A clear goes through the labeling service, which keeps the history and the article
    list's labeled count (docs/architecture.md, "Derived counts")."""
    sentence = article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()
    claim = article.corpus.labels.get(key="claim")
    result = annotation_set(sentence=sentence, annotator=annotator, label=claim)
    assert result.annotation is not None
    url = reverse("admin:articles_annotation_delete", args=[result.annotation.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:articles_annotation_changelist")
    response = staff_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [result.annotation.pk]}
    )
    assert response.status_code in (200, 302)
    assert Annotation.objects.filter(pk=result.annotation.pk).exists()
