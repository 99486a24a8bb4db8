"""Schema and server agree on what a request may hold (issue #10, item 5).

Every write body refuses a field it does not know (400 naming it), and the
schema says so (``additionalProperties: false``); a query parameter given
empty or twice is refused, not read as absent or by its last value; an empty
PATCH changes nothing; an empty bulk list writes nothing. Each of these was
answered otherwise before, as the outside Schemathesis run found.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _writes(corpus, article, sentence, annotator):
    slug = corpus.slug
    return [
        ("post", f"/api/corpora/{slug}/articles/", {"text": "Fresh text here."}),
        ("put", f"/api/sentences/{sentence.pk}/annotation/", {"label": "claim", "version": 0}),
        ("post", "/api/annotations/bulk/", {"annotations": []}),
        ("post", "/api/tokens/", {"name": "n"}),
        ("post", f"/api/corpora/{slug}/members/", {"user": "nobody-here"}),
        ("patch", f"/api/corpora/{slug}/members/{annotator.pk}/", {"role": "annotator"}),
        ("post", f"/api/corpora/{slug}/next-article/", {}),
        ("post", f"/api/corpora/{slug}/assignments/", {"article": article.pk, "annotator": 1}),
        ("patch", f"/api/corpora/{slug}/workflow-settings/", {"auto_gold_unanimous": False}),
        ("put", f"/api/sentences/{sentence.pk}/gold/", {"label": "claim"}),
        ("post", f"/api/corpora/{slug}/imports/", {"kind": "text", "text": "Some text."}),
    ]


def test_every_write_body_refuses_an_unknown_field_naming_it(
    client_for, owner, annotator, corpus, article, sentence
):
    client = client_for(owner)
    for method, url, body in _writes(corpus, article, sentence, annotator):
        fmt = "multipart" if url.endswith("/imports/") else "json"
        response = getattr(client, method)(url, {**body, "surplus": "1"}, format=fmt)
        assert response.status_code == 400, (url, response.content)
        assert "surplus" in response.json()["error"]["fields"], url


def test_the_schema_declares_every_request_body_closed(client_for, owner):
    schema = client_for(owner).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    bodies = 0
    for path in schema["paths"].values():
        for operation in path.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                name = content["schema"]["$ref"].rsplit("/", 1)[1]
                assert components[name].get("additionalProperties") is False, name
                bodies += 1
    assert bodies >= 11


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/api/datasets/sentences/", "page_size=null", "page_size"),
        ("/api/datasets/sentences/", "page_size=0", "page_size"),
        ("/api/datasets/sentences/", "page_size=2001", "page_size"),
        ("/api/datasets/sentences/", "changed_since=", "changed_since"),
        ("/api/datasets/sentences/", "annotator=", "annotator"),
        ("/api/datasets/sentences/", "gold=null", "gold"),
        ("/api/datasets/sentences/", "label=a&label=b", "label"),
        ("/api/corpora/{slug}/articles/", "status=", "status"),
        ("/api/corpora/{slug}/articles/", "page_size=x", "page_size"),
        ("/api/corpora/{slug}/articles/", "page=0", "page"),
        ("/api/corpora/{slug}/history/", "page_size=null", "page_size"),
        ("/api/corpora/{slug}/history/", "since=", "since"),
        ("/api/corpora/{slug}/adjudication/", "limit=0", "limit"),
    ],
)
def test_query_parameters_empty_repeated_or_out_of_range_are_400(
    client_for, owner, corpus, article, url, query, field
):
    response = client_for(owner).get(f"{url.format(slug=corpus.slug)}?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]


def test_a_missing_boolean_filter_is_no_filter(client_for, owner, corpus, article):
    client = client_for(owner)
    every = client.get("/api/datasets/sentences/", {"corpus": corpus.slug}).json()["results"]
    assert len(every) == article.sentences.count()  # not only those without gold
    listed = client.get(f"/api/corpora/{corpus.slug}/articles/").json()["results"]
    assert [a["id"] for a in listed] == [article.pk]


def test_an_empty_patch_changes_nothing(client_for, owner, annotator, corpus):
    client = client_for(owner)
    member = client.patch(f"/api/corpora/{corpus.slug}/members/{annotator.pk}/", {}, format="json")
    assert (member.status_code, member.json()["role"]) == (200, "annotator")
    settings = client.patch(f"/api/corpora/{corpus.slug}/workflow-settings/", {}, format="json")
    assert settings.status_code == 200
    assert settings.json() == {
        "auto_gold_unanimous": corpus.auto_gold_unanimous,
        "overlap": corpus.overlap,
    }


def test_an_import_kind_outside_the_enum_is_400_and_the_schema_names_the_enum(
    client_for, owner, corpus
):
    client = client_for(owner)
    response = client.post(
        f"/api/corpora/{corpus.slug}/imports/", {"kind": "zip"}, format="multipart"
    )
    assert response.status_code == 400 and "kind" in response.json()["error"]["fields"]
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["ImportKind"]["enum"] == ["text", "file", "url"]
