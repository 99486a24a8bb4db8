"""The Django admin: corpora, articles with their sentences, annotations with history."""

import pytest
from django.urls import reverse

from articles.models import Article, Sentence
from articles.services.annotations import annotation_set


@pytest.fixture
def staff_client(client, owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    return client


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


def test_the_resegment_action_names_labels_it_would_lose(
    staff_client, article, annotator, monkeypatch
):
    sentence = article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()
    annotation_set(
        sentence=sentence, annotator=annotator, label=article.corpus.labels.get(key="claim")
    )
    from articles import segmenter

    real = segmenter.segment
    monkeypatch.setattr(segmenter, "segment", lambda text: real(text.replace(". ", "; ")))
    response = staff_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "resegment", "_selected_action": [article.pk]},
        follow=True,
    )
    assert b"labeled sentence" in response.content
    article.refresh_from_db()
    assert article.status == Article.Status.READY
    assert Sentence.objects.filter(pk=sentence.pk).exists()


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


def test_corpus_page_has_labels_and_members_inline(staff_client, corpus):
    response = staff_client.get(reverse("admin:corpora_corpus_change", args=[corpus.pk]))
    assert response.status_code == 200
    assert b"Sourced fact" in response.content
    assert b"anna" in response.content


def test_editing_guidelines_in_the_admin_bumps_their_version(staff_client, corpus):
    url = reverse("admin:corpora_corpus_change", args=[corpus.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(guidelines="# Changed", name=corpus.name, slug=corpus.slug)
    for prefix, formset in [
        (f.formset.prefix, f.formset) for f in page.context["inline_admin_formsets"]
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for i, sub in enumerate(formset.forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if value is None:
                    continue
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{i}-{name}"] = "on"
                    continue
                data[f"{prefix}-{i}-{name}"] = value
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    corpus.refresh_from_db()
    assert (corpus.guidelines, corpus.guidelines_version) == ("# Changed", 2)
