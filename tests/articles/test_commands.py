"""Management commands: the demo loader and the re-queue of failed or stuck articles."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone
from django.utils.html import escape

from articles.models import Annotation, AnnotationEvent, Article
from articles.services.annotations import annotation_set
from corpora.models import Corpus
from review.models import AgreementReport, Disagreement
from review.services.workflow import corpus_workflow_refresh


def test_load_demo_creates_the_corpus_and_prints_the_users(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("load_demo", stdout=out)
    corpus = Corpus.objects.get(slug="demo")
    articles = corpus.articles.all()
    assert len(articles) >= 6
    assert {a.status for a in articles} == {"ready"}  # segmented, so labels could be made
    assert len({a.outlet for a in articles if a.outlet}) >= 6
    assert all(a.title and a.author for a in articles)
    assert corpus.memberships.count() == 4
    assert "analyst / analyst-demo-2026" in out.getvalue()
    assert "analyst2 / analyst2-demo-2026" in out.getvalue()
    labeled = dict(Annotation.objects.values_list("annotator__username").annotate(n=Count("pk")))
    assert set(labeled) == {"analyst", "analyst2"}
    assert all(n >= 20 for n in labeled.values())
    # Made through the service: each label has its history, and one refresh is asked for.
    assert AnnotationEvent.objects.count() == Annotation.objects.count()
    assert len(callbacks) == 1
    # Some articles are left unlabeled, for "Next article".
    assert articles.exclude(sentences__annotations__isnull=False).count() >= 3


def test_load_demo_twice_keeps_everything_and_an_edited_label(db):
    call_command("load_demo", stdout=StringIO())
    edited = Annotation.objects.filter(annotator__username="analyst").first()
    other = edited.sentence.article.corpus.labels.exclude(pk=edited.label_id).exclude(
        key="sourced_fact"
    )[0]
    annotation_set(sentence=edited.sentence, annotator=edited.annotator, label=other)
    before = (Article.objects.count(), Annotation.objects.count(), AnnotationEvent.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "0 article(s) added, 0 demo label(s) made" in out.getvalue()
    after = (Article.objects.count(), Annotation.objects.count(), AnnotationEvent.objects.count())
    assert after == before
    assert Annotation.objects.get(pk=edited.pk).label_id == other.pk


def test_demo_corpus_pages_show_its_labels(db, client):
    call_command("load_demo", stdout=StringIO())
    corpus = Corpus.objects.get(slug="demo")
    corpus_workflow_refresh(corpus_id=corpus.pk)  # what the queued refresh task does
    client.force_login(get_user_model().objects.get(username="owner"))

    dashboard = client.get("/corpora/demo/dashboard/").content.decode()
    assert "analyst2" in dashboard
    report = AgreementReport.objects.get(corpus=corpus).data
    assert report["pairable_units"] >= 20
    assert 0 < report["percent_agreement"] < 1

    disagreement = Disagreement.objects.filter(sentence__article__corpus=corpus).first()
    assert disagreement is not None
    queue = client.get("/corpora/demo/adjudication/").content.decode()
    assert escape(disagreement.sentence.text[:40]) in queue
    article_id = disagreement.sentence.article_id
    page = client.get(f"/corpora/demo/agreement/articles/{article_id}/")
    assert page.status_code == 200
    assert "analyst2" in page.content.decode()

    client.force_login(get_user_model().objects.get(username="analyst"))
    response = client.post("/corpora/demo/next/")
    assert response.status_code == 302
    next_id = int(response.url.strip("/").split("/")[1])
    assert not Annotation.objects.filter(
        sentence__article_id=next_id, annotator__username="analyst"
    ).exists()


def test_load_demo_refuses_in_production_and_creates_no_account(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with ANNOTATOR_MODE=production"):
        call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()
    assert not Corpus.objects.exists()


def test_requeue_takes_failed_and_stuck_articles(
    corpus, make_article, django_capture_on_commit_callbacks
):
    failed = make_article(corpus, "First text here.", segment=False)
    stuck = make_article(corpus, "Second text here.", segment=False)
    fresh = make_article(corpus, "Third text here.", segment=False)
    Article.objects.filter(pk=failed.pk).update(status="failed", failure_reason="boom")
    Article.objects.filter(pk=stuck.pk).update(
        status="segmenting", status_changed_at=timezone.now() - timedelta(hours=2)
    )
    out = StringIO()
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("requeue_articles", stdout=out)
    assert "Re-queued 2 article(s)" in out.getvalue()
    assert len(callbacks) == 2
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {failed.pk: "pending", stuck.pk: "pending", fresh.pk: "pending"}
    assert Article.objects.get(pk=failed.pk).failure_reason == ""


def test_requeue_stuck_only_leaves_failed_articles(corpus, make_article):
    failed = make_article(corpus, "First text here.", segment=False)
    Article.objects.filter(pk=failed.pk).update(status="failed")
    call_command("requeue_articles", "--stuck-only", stdout=StringIO())
    assert Article.objects.get(pk=failed.pk).status == "failed"
