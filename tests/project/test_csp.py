"""The Content-Security-Policy every page sends, and a view's own policy."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_alone_may_use_inline_styles_and_still_no_inline_scripts(client, annotator):
    client.force_login(annotator)
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in docs and "script-src 'self';" in docs
    other = client.get("/")["Content-Security-Policy"]
    assert "unsafe-inline" not in other


def test_a_view_can_set_its_own_policy(rf):
    from django.http import HttpResponse

    from annotator.middleware import ContentSecurityPolicyMiddleware, csp_policy

    view = csp_policy("default-src 'none'")(lambda request: HttpResponse("x"))
    response = ContentSecurityPolicyMiddleware(view)(rf.get("/anything/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
