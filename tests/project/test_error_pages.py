"""Styled 403/404 pages that say why and what to do; the API keeps its JSON errors."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

STYLESHEET = static("css/app.css")


def _stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.django_db
def test_annotator_on_an_owner_only_page_sees_the_reason_in_a_styled_page(
    client, corpus, annotator
):
    assert settings.DEBUG is False  # the handlers only run with DEBUG off
    client.force_login(annotator)
    response = client.get(reverse("corpus_assignments", kwargs={"slug": corpus.slug}))
    assert response.status_code == 403
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert STYLESHEET in _stylesheets(html)
    assert "Your role here is annotator; this needs one of: owner" in html
    assert "Ask an owner of the corpus" in html
    assert f'href="{reverse("home")}"' in html
    assert annotator.username in html  # the signed-in header, as on every page


@pytest.mark.django_db
def test_an_unknown_url_is_a_styled_404(client, owner):
    client.force_login(owner)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert STYLESHEET in _stylesheets(html)
    assert "<h1>Not found</h1>" in html
    assert "There is no page at this address." in html
    assert "Resolver404" not in html and "tried" not in html  # no resolver internals
    assert f'href="{reverse("home")}"' in html


@pytest.mark.django_db
def test_another_corpus_is_a_plain_not_found_like_a_missing_one(client, corpus, outsider):
    """An outsider cannot tell an existing corpus from a missing one."""
    client.force_login(outsider)
    existing = client.get(reverse("corpus_assignments", kwargs={"slug": corpus.slug}))
    missing = client.get(reverse("corpus_assignments", kwargs={"slug": "no-such-corpus"}))
    assert existing.status_code == missing.status_code == 404
    html = existing.content.decode()
    assert "No such corpus." in html
    assert corpus.name not in html
    assert STYLESHEET in _stylesheets(html)
    # The page bodies are the same (the header's CSRF token differs per response).
    assert _main(html) == _main(missing.content.decode())


@pytest.mark.django_db
def test_error_pages_render_for_an_anonymous_visitor(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert STYLESHEET in _stylesheets(html)
    assert f'href="{reverse("login")}"' in html
    assert "Sign out" not in html


def test_error_templates_render_without_a_request():
    """No request, no context processors, no ``user``: still a whole page."""
    forbidden = render_to_string("403.html", {"reason": "Your role here is viewer."})
    not_found = render_to_string("404.html", {})
    for html in (forbidden, not_found):
        assert STYLESHEET in _stylesheets(html)
        assert reverse("login") in html
    assert "Your role here is viewer." in forbidden
    assert "There is no page at this address." in not_found


@pytest.mark.django_db
def test_api_keeps_json_errors(client, corpus, outsider, annotator):
    client.force_login(annotator)
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_handlers_answer_json_for_django_level_errors(rf):
    """A Django-level 403/404 under /api/ (outside DRF) is JSON, not the HTML page."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from annotator.api.errors import page_not_found, permission_denied

    forbidden = permission_denied(rf.get("/api/x/"), PermissionDenied("Your role here is viewer."))
    assert forbidden.status_code == 403
    assert forbidden["Content-Type"] == "application/json"
    assert b"Your role here is viewer." in forbidden.content
    missing = page_not_found(rf.get("/api/x/"), Http404("No such corpus."))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert b"No such corpus." in missing.content
