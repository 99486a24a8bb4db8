"""The OpenAPI schema and its Swagger UI, served without any CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_schema_documents_every_endpoint_with_its_errors(client_for, owner):
    schema = client_for(owner).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in [
        "/api/corpora/",
        "/api/corpora/{slug}/",
        "/api/corpora/{slug}/articles/",
        "/api/articles/{id}/",
        "/api/sentences/{id}/annotation/",
        "/api/sentences/{id}/history/",
        "/api/corpora/{slug}/history/",
        "/api/annotations/bulk/",
        "/api/datasets/sentences/",
        "/api/corpora/{slug}/export.jsonl",
        "/api/corpora/{slug}/export.csv",
        "/api/tokens/",
        "/api/tokens/{id}/",
    ]:
        assert path in paths, path
    put = paths["/api/sentences/{id}/annotation/"]["put"]
    assert {"200", "201", "400", "401", "403", "404", "409", "429"} <= set(put["responses"])
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_loads_swagger_ui_from_our_static_files(client_for, owner):
    client = client_for(owner)
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in src for src in sources)
    assert all(src.startswith("/") for src in sources), sources  # no CDN
    inline = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert not [code for code in inline if code.strip()], "inline scripts break the CSP"
    script = client.get("/api/docs/?script=").content.decode()
    assert "SwaggerUIBundle" in script
