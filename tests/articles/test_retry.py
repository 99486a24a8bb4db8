"""A failed article can be segmented again, from its page and through the API (owners only)."""

from __future__ import annotations

import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db

REASON = "A worker started segmenting this article 3 times and was lost each time"


@pytest.fixture
def failed(corpus, make_article) -> Article:
    article = make_article(corpus, segment=False)
    Article.objects.filter(pk=article.pk).update(status="failed", failure_reason=REASON, attempts=3)
    article.refresh_from_db()
    return article


def test_the_api_queues_a_failed_article_again_with_a_fresh_attempt_count(
    failed, owner, client_for
):
    response = client_for(owner).post(f"/api/articles/{failed.pk}/retry/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["failure_reason"], body["attempts"]) == ("pending", "", 0)


def test_a_ready_article_answers_409(article, owner, client_for):
    response = client_for(owner).post(f"/api/articles/{article.pk}/retry/")
    assert response.status_code == 409
    assert "this one is ready" in response.json()["error"]["message"]


@pytest.mark.parametrize(("who", "status"), [("annotator", 403), ("outsider", 404)])
def test_only_owners_may_retry(failed, persona, client_for, who, status):
    response = client_for(persona(who)).post(f"/api/articles/{failed.pk}/retry/")
    assert response.status_code == status
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_the_article_page_shows_the_reason_and_a_working_retry_button(
    failed, owner, annotator, client
):
    client.force_login(annotator)
    assert "Try again" not in client.get(f"/articles/{failed.pk}/label/").content.decode()
    client.force_login(owner)
    html = client.get(f"/articles/{failed.pk}/label/").content.decode()
    assert REASON in html
    assert f'action="/articles/{failed.pk}/retry/"' in html
    response = client.post(f"/articles/{failed.pk}/retry/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "pending"
