"""The archived copy of a fetched page, served so that it can never run in our origin.

The bytes came from a stranger's server: served as HTML here, any script in
them would run with a member's session (stored XSS). So they go out as
text/plain (or, with ``?download=1``, as an attachment), with ``nosniff`` and a
CSP sandbox that gives the response a unique opaque origin and no scripts even
if a browser rendered it anyway.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from annotator.middleware import csp_policy
from articles.permissions import Right, article_for
from articles.selectors.snapshots import snapshot_charset, snapshot_of

SNAPSHOT_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def snapshot_response(*, body: bytes, content_type: str, article_id: int, download: bool):
    if download:
        response = HttpResponse(body, content_type="application/octet-stream")
        disposition = f'attachment; filename="article-{article_id}-archived.html"'
    else:
        charset = snapshot_charset(content_type)
        response = HttpResponse(body, content_type=f"text/plain; charset={charset}")
        disposition = f'inline; filename="article-{article_id}-archived.txt"'
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = SNAPSHOT_POLICY
    return response


@require_GET
@login_required
@csp_policy(SNAPSHOT_POLICY)
def article_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """Any member of the article's corpus; 404 for everyone else."""
    article, _role = article_for(request.user, pk, right=Right.VIEW)
    snapshot = snapshot_of(article)
    if snapshot is None:
        raise Http404("This article has no archived copy; only pages imported by URL have one.")
    return snapshot_response(
        body=bytes(snapshot.body),
        content_type=snapshot.content_type,
        article_id=article.pk,
        download=request.GET.get("download") == "1",
    )
