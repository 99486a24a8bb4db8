"""Every page loads its stylesheet and every text input is matched by the styled rule."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

APP_CSS = Path(settings.BASE_DIR) / "static" / "css" / "app.css"
# Inputs that are not typed into as text: the form rule is not meant for them.
NOT_TEXT = {"hidden", "checkbox", "radio", "file", "submit", "button", "reset", "range", "color"}


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def _styled_input_selectors() -> list[str]:
    """The selectors of the app.css rule that styles form text fields (the one with textarea)."""
    css = re.sub(r"/\*.*?\*/", "", APP_CSS.read_text(), flags=re.S)
    for selectors, _body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        parts = [s.strip() for s in selectors.split(",")]
        if "textarea" in parts and any(p.startswith("input") for p in parts):
            return parts
    raise AssertionError("app.css has no rule styling text inputs and textareas")


def _matches(selectors: list[str], attrs: dict[str, str | None]) -> bool:
    kind = attrs.get("type")
    if kind is None:
        return "input:not([type])" in selectors or "input" in selectors
    return f'input[type="{kind}"]' in selectors or "input" in selectors


@pytest.fixture
def text_input_pages(corpus):
    return [
        reverse("corpus_import", kwargs={"slug": corpus.slug}),
        reverse("corpus_members", kwargs={"slug": corpus.slug}),
        reverse("api_tokens"),
        reverse("corpus_history", kwargs={"slug": corpus.slug}),
        reverse("corpus_new"),
        reverse("corpus_settings", kwargs={"slug": corpus.slug}),
        reverse("password_change"),
    ]


@pytest.mark.django_db
def test_every_text_input_is_typed_and_styled(client, owner, text_input_pages):
    selectors = _styled_input_selectors()
    client.force_login(owner)
    seen = 0
    for url in text_input_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = _Inputs()
        parser.feed(response.content.decode())
        for attrs in parser.inputs:
            if attrs.get("type") in NOT_TEXT:
                continue
            seen += 1
            assert attrs.get("type") is not None, f"{url}: input #{attrs.get('id')} has no type"
            assert _matches(selectors, attrs), f"{url}: input #{attrs.get('id')} is not styled"
    # the paste form's title/author/outlet, the member name, the token name and lifetime,
    # the history filter's two dates
    assert seen >= 8


def test_untyped_inputs_are_styled_too():
    """An input added later without a type still gets the form look."""
    assert _matches(_styled_input_selectors(), {"id": "x"})


@pytest.mark.django_db
def test_article_agreement_page_links_the_workflow_stylesheets(client, owner, corpus, article):
    client.force_login(owner)
    url = reverse("article_agreement", kwargs={"slug": corpus.slug, "article_id": article.pk})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert static("css/app.css") in links
    assert static("css/workflow.css") in links  # what the dashboard and queues load
